/**
 * IRC clients highlight a line by default only when it begins with your nick (irssi, WeeChat), so a relayed
 * message that addresses people on IRC begins with their nicks: `carol: <alice> hi`. Only mentions the relay was
 * allowed to make count (translated addresses of people present); the address the text began with moves to the
 * front instead of being said twice.
 */
import type { OutgoingMessage } from "../../core/adapter.js";
import type { UserRef } from "../../core/model.js";
import type { RichNode, RichText } from "../../core/richtext.js";
import { isNick } from "./encoder.js";

/** At most this many nicks lead a line; more would read as a mass ping. */
const MAX_LEAD_NICKS = 5;
/** Mentions are looked for this deep into formatting (parsers flatten deeper nesting anyway). */
const MAX_DEPTH = 64;

/** The nick a mentioned user goes by in the channel (from the roster), if they are there. */
export type NickOf = (user: UserRef) => string | undefined;

export const nickByName: NickOf = (user) => (isNick(user.name) ? user.name : undefined);

export function addressedNicks(msg: OutgoingMessage, nickOf: NickOf = nickByName): { body: RichText; lead: string } {
  const allowed = new Set(msg.allowedMentions ?? []);
  if (msg.kind !== "relay" || !allowed.size) return { body: msg.body, lead: "" };
  const nicks = new Map<string, string>();
  const stack: Array<{ nodes: RichText; depth: number }> = [{ nodes: msg.body, depth: 0 }];
  while (stack.length) {
    const { nodes, depth } = stack.pop()!;
    for (const n of nodes) {
      if (n.t === "mention" && n.user && allowed.has(n.user.id)) {
        const nick = nickOf(n.user);
        if (nick && nicks.size < MAX_LEAD_NICKS) nicks.set(nick.toLowerCase(), nick);
      } else if ("children" in n && depth < MAX_DEPTH) stack.push({ nodes: n.children, depth: depth + 1 });
    }
  }
  if (!nicks.size) return { body: msg.body, lead: "" };
  return { body: withoutLeadingAddress(msg.body, allowed), lead: `${[...nicks.values()].join(", ")}: ` };
}

/** `carol: hi` → `hi` when carol leads the line anyway. */
function withoutLeadingAddress(body: RichText, allowed: Set<string>): RichText {
  const [first, second, ...rest] = body;
  if (first?.t !== "mention" || !first.user || !allowed.has(first.user.id) || second?.t !== "text") return body;
  const m = /^\s*[:,]\s*/.exec(second.text);
  if (!m) return body;
  const after = second.text.slice(m[0].length);
  return after ? [{ t: "text", text: after } as RichNode, ...rest] : rest;
}
