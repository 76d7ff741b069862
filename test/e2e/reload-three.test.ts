/**
 * Hot reload through `crier reload` against the real servers (issue #16): a link added, a schedule's time changed,
 * an account removed, a bad key rejected (told to the admin room, the old config still running) — and the IRC
 * server sees no QUIT from the untouched account.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import type { Server } from "node:net";
import { after, before, describe, it } from "node:test";
import { DateTime } from "luxon";
import { stringify } from "yaml";
import { waitUntil } from "../testbed/ports.js";
import { Answers } from "./three/answers.js";
import { CrierProcesses } from "./three/process.js";
import { CHANNEL, MATRIX, ThreeNetworks } from "./three/testbed.js";

describe("hot reload on three networks", () => {
  const net = new ThreeNetworks({ ircHistoryLines: 50 });
  const crier = new CrierProcesses(net);
  let forwarder: Server | undefined;
  before(() => net.start());
  after(async () => {
    crier.killAll();
    forwarder?.close();
    await net.stop();
  });

  it("applies reloads through `crier reload`: a link, a schedule, an account removed, a bad key rejected", async () => {
    const base = net.config();
    const accounts = base.accounts as Record<string, unknown>;
    accounts["irc.extra"] = { host: "127.0.0.1", port: net.irc.port, tls: false, nick: "crier2", channels: [CHANNEL] };
    const links = (base.links as Array<{ name: string; rooms: Array<{ account: string }> }>).map((l) => ({
      ...l,
      rooms: l.rooms.filter((r) => r.account !== MATRIX),
    }));
    const schedule = {
      id: "moved",
      at: "2099-01-01T10:00:00",
      zone: "UTC",
      text: "the moved announcement",
      to: ["devel"],
    };
    const v1: Record<string, unknown> = {
      ...base,
      links,
      schedules: [schedule],
      adminRooms: [`${MATRIX}/${net.room}`],
    };
    const earlier = net.irc.inputOf("crier").length;
    const p = crier.start(v1, "reload");
    const reload = (config: Record<string, unknown>) => {
      writeFileSync(p.file, stringify({ ...config, log: { level: "info" } }), { mode: 0o600 });
      const r = spawnSync(process.execPath, ["bin/crier.js", "reload", "--config", p.file, "--state-dir", p.stateDir], {
        encoding: "utf8",
        timeout: 60_000,
      });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    await waitUntil(
      "crier and crier2 in the channel",
      async () => (await crier.inChannel("crier")) && crier.inChannel("crier2"),
      90_000,
    );
    const gateway = net.discord.gateway as unknown as { current?: { socket?: unknown } };
    await waitUntil("crier on the Discord gateway", () => !!gateway.current?.socket, 60_000);
    const ivanSeen = net.ivan.lines;
    const answers = new Answers(net);

    // 1. A link: Matrix joins the IRC–Discord link.
    const v2 = { ...v1, links: base.links };
    const r1 = reload(v2);
    assert.equal(r1.code, 0, r1.err);
    assert.match(r1.out, /^reloaded/);
    net.ivan.say(CHANNEL, "after adding the link");
    await net.waitMatrix((e) => String(e.content.body ?? "").includes("after adding the link"), 60_000);

    // 2. A schedule's time: from 2099 to a few seconds from now; it is announced in the link's rooms.
    const soon = DateTime.utc().plus({ seconds: 15 }).toFormat("yyyy-LL-dd'T'HH:mm:ss");
    const v3: Record<string, unknown> = { ...v2, schedules: [{ ...schedule, at: soon }] };
    const mark = answers.mark();
    const r2 = reload(v3);
    assert.equal(r2.code, 0, r2.err);
    await answers.everywhere(mark, /the moved announcement/, 90_000);

    // 3. An account removed: crier2 leaves IRC, alone.
    const { "irc.extra": _gone, ...rest } = v3.accounts as Record<string, unknown>;
    const v4 = { ...v3, accounts: rest };
    const r3 = reload(v4);
    assert.equal(r3.code, 0, r3.err);
    assert.match(r3.out, /disconnected irc\.extra/);
    await waitUntil("crier2's QUIT", () => ivanSeen.some((l) => /^(@\S+ )?:crier2!\S+ QUIT/.test(l)), 30_000);

    // 4. A bad key: rejected with check-config's words, the admins told, the old config still running.
    const r4 = reload({ ...v4, linkz: [] });
    assert.equal(r4.code, 1);
    assert.match(r4.err, /linkz/);
    await net.waitMatrix((e) => /config reload rejected.*linkz/.test(String(e.content.body ?? "")), 60_000);
    net.ivan.say(CHANNEL, "still relayed after the bad reload");
    await net.waitMatrix((e) => String(e.content.body ?? "").includes("still relayed after the bad reload"), 60_000);
    await net.waitDiscord((m) => m.content.includes("still relayed after the bad reload"), 60_000);

    // The untouched account never quit: the server received no QUIT from crier's connection, ivan saw none.
    assert.deepEqual(
      net.irc
        .inputOf("crier")
        .slice(earlier)
        .filter((l) => /^QUIT/i.test(l)),
      [],
      "no QUIT from the untouched IRC account",
    );
    assert.ok(!ivanSeen.some((l) => /^(@\S+ )?:crier!\S+ QUIT/.test(l)), "ivan saw crier stay");
    const { code } = await crier.stopMeasured(p, "SIGTERM");
    assert.equal(code, 0);
  });
});
