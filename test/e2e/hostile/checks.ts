/** What "harmless" means on each network, checked on what the real servers received or show. */
import assert from "node:assert/strict";
import type { InspIRCd } from "../../testbed/inspircd.js";

/** The commands crier may ever send on its own; anything else in its input to the server was injected. */
const OWN =
  /^(CAP|NICK crier_?|USER crier |PING|PONG|JOIN #devel$|MODE crier_? |WHO|CHATHISTORY|QUIT :crier stopping$)/;
const SAYS = /^(PRIVMSG|NOTICE) (#devel|[^\s#,:]+) :/;

/**
 * Every line crier's connection sent the IRC server since `from` (an index into `server.inputOf("crier")`): a
 * command of its own or one PRIVMSG/NOTICE, within 512 bytes with CRLF, with no NUL, and CTCP only in a NOTICE
 * answering a query. Returns the PRIVMSG/NOTICE texts.
 */
export function ircInputSafe(server: InspIRCd, from = 0): string[] {
  const lines = server.inputOf("crier").slice(from);
  const said: string[] = [];
  for (const line of lines) {
    assert.ok(Buffer.byteLength(`${line}\r\n`) <= 512, `over 512 bytes: ${line}`);
    assert.ok(!line.includes("\0"), `NUL: ${JSON.stringify(line)}`);
    if (SAYS.test(line)) {
      const text = line.replace(SAYS, "");
      if (text.includes("\x01")) assert.match(line, /^NOTICE [^#]\S* :\x01(VERSION|PING|TIME) [^\x01]*\x01$/);
      said.push(text);
    } else assert.match(line, OWN, `crier sent a command it never sends: ${JSON.stringify(line)}`);
  }
  return said;
}

/** A relayed Discord message pings no one. */
export function pingsNobody(m: { mention_everyone: boolean; mentions: unknown[]; mention_roles: unknown[] }): void {
  assert.equal(m.mention_everyone, false, "mention_everyone");
  assert.deepEqual(m.mentions, [], "mentions");
  assert.deepEqual(m.mention_roles, [], "mention_roles");
}

const MATRIX_TAGS = new Set([
  "strong",
  "em",
  "b",
  "i",
  "u",
  "del",
  "s",
  "code",
  "pre",
  "blockquote",
  "a",
  "br",
  "p",
  "ul",
  "ol",
  "li",
  "span",
  "mx-reply",
]);

/** Matrix HTML crier produced: only allow-listed tags, only http(s)/matrix.to links, no attributes but href. */
export function matrixHtmlSafe(html: string): void {
  for (const m of html.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    assert.ok(MATRIX_TAGS.has(m[1].toLowerCase()), `tag <${m[1]}> in ${html}`);
    const attrs = m[2].trim();
    if (attrs) assert.match(attrs, /^href="(https?:\/\/[^"]*)"$/, `attributes ${attrs} in ${html}`);
  }
}
