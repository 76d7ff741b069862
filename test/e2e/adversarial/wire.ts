/**
 * What "harmless" means on each network, checked on what the real servers received or show, plus the testbed
 * variant the adversarial tests run on (membership relay on, an optional second link).
 */
import assert from "node:assert/strict";
import { Parser } from "htmlparser2";
import type { FakeMessage } from "../../fake-discord/state.js";
import type { RawIrcClient } from "../../testbed/irc-client.js";
import { CHANNEL, DISCORD, IRC, MATRIX, type ThreeOptions, ThreeNetworks } from "../three/testbed.js";

/** Commands crier's IRC connection sends of its own accord; anything else from it would have been injected. */
const OWN_COMMAND =
  /^(CAP (LS|REQ|END)\b|NICK crier_?$|USER crier |PING \S+$|PONG |JOIN #[^\s,]+$|MODE crier_? \+B$|QUIT :crier stopping$)/;
const SPEECH = /^(PRIVMSG|NOTICE) ([^\s,:]+) :/;

/** A second link, "ops", between its own IRC channel (a name with quotes and SQL metacharacters), Matrix room and Discord channel. */
export interface SecondLink {
  ircChannel: string;
  matrixRoom: string;
  discordChannel: string;
}

export class HostileNetworks extends ThreeNetworks {
  second?: SecondLink;

  constructor(
    opts: ThreeOptions,
    private readonly flags: { membership?: boolean; secondLink?: boolean } = {},
  ) {
    super(opts);
  }

  override async start(): Promise<void> {
    await super.start();
    if (!this.flags.secondLink) return;
    const matrixRoom = await this.mara.createRoom({ invite: [this.bot.userId], name: "ops" });
    this.second = { ircChannel: "#ops'\";--", matrixRoom, discordChannel: this.discord.world.addChannel("ops") };
  }

  override config(): Record<string, unknown> {
    const c = super.config() as {
      accounts: Record<string, { channels?: string[]; rooms?: string[] }>;
      links: Array<Record<string, unknown>>;
    };
    c.links[0].membership = !!this.flags.membership;
    const s = this.second;
    if (s) {
      c.accounts[IRC].channels = [CHANNEL, s.ircChannel];
      c.accounts[MATRIX].rooms = [this.room, s.matrixRoom];
      c.accounts[DISCORD].channels = [this.channelId, s.discordChannel];
      c.links.push({
        name: "ops",
        rooms: [
          { account: IRC, room: s.ircChannel },
          { account: MATRIX, room: s.matrixRoom },
          { account: DISCORD, room: s.discordChannel },
        ],
      });
    }
    return c;
  }

  /** Where crier's input to the IRC server stands now; pass it to `ircSaid` to check what came after. */
  ircMark(): number {
    return this.irc.inputOf("crier").length;
  }

  /**
   * Every line crier's connection sent the IRC server since `from`, as InspIRCd received it: each a command of
   * crier's own or one PRIVMSG/NOTICE, within 512 bytes with CRLF, no NUL, CTCP only as crier's own ACTION frame or
   * a NOTICE answering a query. Returns the PRIVMSG/NOTICE lines.
   */
  ircSaid(from: number): string[] {
    const said: string[] = [];
    for (const line of this.irc.inputOf("crier").slice(from)) {
      assert.ok(Buffer.byteLength(`${line}\r\n`) <= 512, `over 512 bytes: ${line}`);
      assert.ok(!/[\0\r\n]/.test(line), `control character in ${JSON.stringify(line)}`);
      const m = SPEECH.exec(line);
      if (!m) {
        assert.match(line, OWN_COMMAND, `crier sent a command it never sends: ${JSON.stringify(line)}`);
        continue;
      }
      const text = line.slice(m[0].length);
      if (text.includes("\x01"))
        assert.match(
          line,
          /^(PRIVMSG \S+ :\x01ACTION [^\x01]*\x01|NOTICE [^#]\S* :\x01(VERSION|PING|TIME) [^\x01]*\x01)$/,
          `CTCP smuggled: ${JSON.stringify(line)}`,
        );
      said.push(line);
    }
    return said;
  }
}

/** Lines from crier that `who` saw since `from`: only PRIVMSG/NOTICE, no CTCP but ACTION, each within 512 bytes. */
export function seenFromCrier(who: RawIrcClient, from: number): string[] {
  const lines = who.lines.slice(from).filter((l) => /^(@\S+ )?:crier_?!/.test(l));
  for (const l of lines) {
    const untagged = l.replace(/^@\S+ /, "");
    assert.ok(Buffer.byteLength(`${untagged}\r\n`) <= 512, `over 512 bytes at ${who.nick}: ${untagged}`);
    assert.match(untagged, /^:\S+ (PRIVMSG|NOTICE|JOIN|MODE) /, `unexpected from crier: ${untagged}`);
    if (untagged.includes("\x01")) assert.match(untagged, / PRIVMSG \S+ :\x01ACTION [^\x01]*\x01$/, untagged);
    assert.ok(!untagged.includes("\ufffd"), `broken character: ${untagged}`);
  }
  return lines;
}

/** A Discord message crier made pings no one (beyond the `allowed` user ids). */
export function pingsNobody(
  m: Pick<FakeMessage, "mention_everyone" | "mentions" | "mention_roles">,
  allowed: string[] = [],
) {
  assert.equal(m.mention_everyone, false, "mention_everyone");
  assert.deepEqual(
    m.mentions.map((u) => u.id),
    allowed,
    "mentions",
  );
  assert.deepEqual(m.mention_roles, [], "mention_roles");
}

const ALLOWED_ATTRS: Record<string, RegExp> = {
  a: /^href$/,
  font: /^data-mx-(bg-)?color$/,
  span: /^data-mx-spoiler$/,
  code: /^class$/,
};
const ALLOWED_TAGS = new Set(["strong", "em", "u", "del", "span", "font", "code", "pre", "blockquote", "a", "br"]);

/**
 * Matrix content crier made: HTML with only allow-listed tags and attributes, links only to http(s) or mailto, no
 * room ping (neither `m.mentions.room` nor `@room` in the body that legacy push rules read). Returns the HTML's text.
 */
export function matrixSafe(content: Record<string, unknown>): string {
  const mentions = (content["m.mentions"] ?? {}) as { room?: boolean };
  assert.notEqual(mentions.room, true, "m.mentions.room");
  assert.doesNotMatch(String(content.body), /@room/i, "@room in the body");
  let text = "";
  const parser = new Parser({
    onopentag(name, attrs) {
      assert.ok(ALLOWED_TAGS.has(name), `tag <${name}> in ${content.formatted_body}`);
      for (const [k, v] of Object.entries(attrs)) {
        assert.match(k, ALLOWED_ATTRS[name] ?? /^$/, `attribute ${k} on <${name}>`);
        if (k === "href") assert.match(v, /^(https?:|mailto:)/, `link to ${v}`);
      }
    },
    ontext(t) {
      text += t;
    },
  });
  parser.write(String(content.formatted_body ?? ""));
  parser.end();
  return text;
}
