/**
 * Minutes as Markdown and HTML: summary by topic, action items by person, people present (a person with linked
 * accounts once, with every name and platform they spoke from), the full log.
 */
import { escapeHtml } from "../../core/escape-html.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DateTime } from "luxon";

export interface MinutesData {
  id: string;
  title: string;
  startedAt: number;
  endedAt: number;
  chairs: string[];
  /** `ownerPerson`: the person an action's owner name was resolved to, so one person's actions stay together. */
  items: Array<{ kind: string; text: string; owner?: string; ownerPerson?: string; nick: string; at: number }>;
  /** `person`: who said it, so someone speaking from several linked accounts is counted once. */
  lines: Array<{ at: number; account: string; nick: string; text: string; person?: string }>;
}

/** Markdown-significant characters are escaped so a nick like `*x*` or a `<script>` stays text. */
const escapeMd = (s: string): string => s.replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`);
const hhmm = (t: number) => DateTime.fromMillis(t, { zone: "UTC" }).toFormat("HH:mm");

function sections(d: MinutesData) {
  const topics: Array<{ title: string; items: MinutesData["items"] }> = [
    { title: "Before the first topic", items: [] },
  ];
  for (const it of d.items) {
    if (it.kind === "topic") topics.push({ title: it.text, items: [] });
    else topics[topics.length - 1].items.push(it);
  }
  // A person is named by the name they first spoke under here; an action by whatever name it was given.
  const spokeAs = new Map<string, string>();
  for (const l of d.lines) if (l.person && !spokeAs.has(l.person)) spokeAs.set(l.person, l.nick);
  const actions = new Map<string, { who: string; list: string[] }>();
  for (const it of d.items.filter((i) => i.kind === "action")) {
    const key = it.ownerPerson ?? it.owner ?? "unassigned";
    const group = actions.get(key) ?? { who: spokeAs.get(key) ?? it.owner ?? "unassigned", list: [] };
    group.list.push(it.text);
    actions.set(key, group);
  }
  const present = new Map<string, { as: string[]; n: number }>();
  for (const l of d.lines) {
    const as = `${l.nick} (${l.account})`;
    const p = present.get(l.person ?? as) ?? { as: [], n: 0 };
    if (!p.as.includes(as)) p.as.push(as);
    p.n++;
    present.set(l.person ?? as, p);
  }
  return {
    topics: topics.filter((t, i) => i > 0 || t.items.length),
    actions: [...actions.values()],
    present: [...present.values()].sort((a, b) => b.n - a.n).map((p): [string[], number] => [p.as, p.n]),
  };
}

export function minutesMarkdown(d: MinutesData): string {
  const { topics, actions, present } = sections(d);
  const day = DateTime.fromMillis(d.startedAt, { zone: "UTC" }).toFormat("yyyy-LL-dd");
  const out = [
    `# ${escapeMd(d.title)}`,
    "",
    `${day}, ${hhmm(d.startedAt)}–${hhmm(d.endedAt)} UTC. Chairs: ${d.chairs.map(escapeMd).join(", ")}.`,
    "",
    "## Summary",
    "",
  ];
  for (const t of topics) {
    out.push(`### ${escapeMd(t.title)}`, "");
    for (const it of t.items)
      out.push(
        `- **${it.kind.toUpperCase()}**: ${escapeMd(it.text)}${it.owner ? ` (${escapeMd(it.owner)})` : ""} — ${escapeMd(it.nick)}, ${hhmm(it.at)}`,
      );
    out.push("");
  }
  out.push("## Action items", "");
  for (const { who, list } of actions) for (const a of list) out.push(`- ${escapeMd(who)}: ${escapeMd(a)}`);
  if (!actions.length) out.push("- none");
  out.push("", "## People present (lines said)", "");
  for (const [as, n] of present) out.push(`- ${as.map(escapeMd).join(", ")}: ${n}`);
  out.push("", "## Full log", "");
  for (const l of d.lines)
    out.push(`- ${hhmm(l.at)} [${escapeMd(l.account)}] ${escapeMd(l.nick)}: ${escapeMd(l.text)}`);
  return `${out.join("\n")}\n`;
}

export function minutesHtml(d: MinutesData): string {
  const { topics, actions, present } = sections(d);
  const e = escapeHtml;
  const li = (s: string) => `<li>${s}</li>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(d.title)} — minutes</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}li{margin:.2rem 0}.log{font-family:monospace;font-size:14px}</style>
</head><body>
<h1>${e(d.title)}</h1>
<p><time datetime="${new Date(d.startedAt).toISOString()}">${e(DateTime.fromMillis(d.startedAt, { zone: "UTC" }).toFormat("yyyy-LL-dd HH:mm"))} UTC</time>–${hhmm(d.endedAt)} UTC. Chairs: ${e(d.chairs.join(", "))}.</p>
<h2>Summary</h2>
${topics.map((t) => `<h3>${e(t.title)}</h3><ul>${t.items.map((it) => li(`<strong>${e(it.kind.toUpperCase())}</strong>: ${e(it.text)}${it.owner ? ` (${e(it.owner)})` : ""} — ${e(it.nick)}`)).join("")}</ul>`).join("\n")}
<h2>Action items</h2>
<ul>${actions.flatMap(({ who, list }) => list.map((a) => li(`${e(who)}: ${e(a)}`))).join("") || li("none")}</ul>
<h2>People present (lines said)</h2>
<ul>${present.map(([as, n]) => li(`${e(as.join(", "))}: ${n}`)).join("")}</ul>
<h2>Full log</h2>
<ul class="log">${d.lines.map((l) => li(`${hhmm(l.at)} [${e(l.account)}] ${e(l.nick)}: ${e(l.text)}`)).join("")}</ul>
</body></html>
`;
}

/** Writes both files under `<stateDir>/minutes/` and returns the file name stem. */
export function writeMinutes(stateDir: string, d: MinutesData): string {
  const dir = join(stateDir, "minutes");
  mkdirSync(dir, { recursive: true });
  const stem = `${DateTime.fromMillis(d.startedAt, { zone: "UTC" }).toFormat("yyyy-LL-dd")}-${d.id}`;
  writeFileSync(join(dir, `${stem}.md`), minutesMarkdown(d));
  writeFileSync(join(dir, `${stem}.html`), minutesHtml(d));
  return stem;
}
