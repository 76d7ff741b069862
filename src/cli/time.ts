import type { Command } from "commander";
import { DateTime } from "luxon";
import { parseWhen } from "../services/when.js";
import { abbreviation } from "../services/world-time.js";
import { resolveZoneName } from "../services/zone-names.js";

interface TimeOpts {
  from: string;
  to?: string;
  now?: string;
  json?: boolean;
}

function zoneOrExit(input: string): string {
  const r = resolveZoneName(input);
  if (r?.kind === "zone") return r.zone;
  const why =
    r?.kind === "ambiguous" ? `is ambiguous (${r.candidates.map((c) => c.zone).join(", ")})` : "is not a zone or city";
  process.stderr.write(`crier time: "${input}" ${why}\n`);
  process.exit(2);
}

/** `crier time`: the `!time` engine from the shell, for scripts and tests. */
export function registerTime(program: Command): void {
  program
    .command("time")
    .description("convert a time between zones, as !time does")
    .argument("<when...>", "what a user would type after !time, e.g. 2015-02-11 15:00 UTC")
    .option("--from <zone>", "zone assumed when WHEN names none", "UTC")
    .option("--to <zones>", "comma-separated target zones (default: the zone WHEN is read in)")
    .option("--now <iso>", "fix 'now' for relative input")
    .option("--json", "machine-readable output")
    .action((words: string[], opts: TimeOpts) => {
      const input = words.join(" ");
      const from = zoneOrExit(opts.from);
      const now = opts.now ? DateTime.fromISO(opts.now, { zone: "UTC" }) : DateTime.utc();
      if (!now.isValid) {
        process.stderr.write(`crier time: --now "${opts.now}" is not an ISO date-time\n`);
        process.exit(2);
      }
      let result: ReturnType<typeof parseWhen>;
      try {
        result = parseWhen(input, { zone: from, now: now.toMillis(), forward: false });
      } catch (err) {
        process.stderr.write(`crier time: ${(err as Error).message}\n`);
        process.exit(2);
      }
      const targets = opts.to ? opts.to.split(",").map((z) => zoneOrExit(z.trim())) : [result.zone];
      const zones = targets.map((zone) => {
        const dt = DateTime.fromMillis(result.instant, { zone });
        return {
          zone,
          local: dt.toFormat("yyyy-LL-dd'T'HH:mm:ss"),
          offset: dt.toFormat("ZZ"),
          abbreviation: abbreviation(result.instant, zone),
          dt,
        };
      });
      if (opts.json) {
        const out: Record<string, unknown> = {
          input,
          instant: new Date(result.instant).toISOString(),
          ambiguous: !!result.ambiguous,
          nonexistent: !!result.nonexistent,
          zones: zones.map(({ dt: _dt, ...z }) => z),
        };
        if (result.ambiguous) out.candidates = result.ambiguous.candidates.map((c) => new Date(c).toISOString());
        if (result.notes.length) out.notes = result.notes;
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      const width = Math.max(...zones.map((z) => z.zone.length)) + 2;
      for (const z of zones)
        process.stdout.write(
          `${z.zone.padEnd(width)}${z.dt.toFormat("ccc yyyy-LL-dd HH:mm")} ${z.abbreviation} (${z.offset})\n`,
        );
      for (const n of result.notes) process.stdout.write(`note: ${n}\n`);
    });
}
