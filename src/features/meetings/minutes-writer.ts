/**
 * Minutes as Markdown and HTML: summary by topic, action items by person, people present (a person with linked
 * accounts once, with every name and platform they spoke from), the full log.
 */
import { escapeHtml } from "../../core/escape-html.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DateTime } from "luxon";
import { minutesStem } from "./queries.js";

export interface MinutesData {
  id: string;
  title: string;
  /** The meeting these minutes are for, with its page when the web server has a public URL. */
  meeting?: { id: string; title: string; url?: string };
  agenda?: Array<{ text: string; ownerName?: string }>;
  startedAt: number;
  endedAt: number;
  chairs: string[];
  /** `ownerPerson`: the person an action's owner name was resolved to, so one person's actions stay together. */
  items: Array<{ kind: string; text: string; owner?: string; ownerPerson?: string; nick: string; at: number }>;
  /** `person`: who said it, so someone speaking from several linked accounts is counted once. */
  lines: Array<{ at: number; account: string; nick: string; text: string; person?: string }>;
}

/**
 * Only the characters that change Markdown inside a list item or heading are escaped (emphasis, code, links, HTML),
 * so a nick like `*x*` or a `<script>` stays text while `#topic`, `+1` and `(console)` read as typed.
 */
const escapeMd = (s: string): string => s.replace(/[\\`*_[\]<>~]/g, (c) => `\\${c}`);
/** http(s) URLs in text (bounded: at most 2,000 characters each, found in one linear pass). */
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]{1,2000}/g;
/** Markdown with each URL as an autolink `<https://…>` and the rest escaped. */
function mdWithLinks(s: string): string {
  let out = "";
  let last = 0;
  for (const m of s.matchAll(URL_RE)) {
    const url = m[0].replace(/[.,;:!?)]+$/, "");
    out += `${escapeMd(s.slice(last, m.index))}<${url}>`;
    last = (m.index ?? 0) + url.length;
  }
  return out + escapeMd(s.slice(last));
}
/** HTML with each URL as a link (rel=nofollow, noopener) and the rest escaped. */
function htmlWithLinks(s: string): string {
  let out = "";
  let last = 0;
  for (const m of s.matchAll(URL_RE)) {
    const url = m[0].replace(/[.,;:!?)]+$/, "");
    out += `${escapeHtml(s.slice(last, m.index))}<a href="${escapeHtml(url)}" rel="nofollow noopener">${escapeHtml(url)}</a>`;
    last = (m.index ?? 0) + url.length;
  }
  return out + escapeHtml(s.slice(last));
}
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
  ];
  if (d.meeting)
    out.push(
      `Meeting: ${d.meeting.url ? `[${escapeMd(d.meeting.title)}](<${d.meeting.url}>)` : `${escapeMd(d.meeting.title)} (${escapeMd(d.meeting.id)})`}`,
      "",
    );
  if (d.agenda?.length) {
    out.push("## Agenda", "");
    d.agenda.forEach((a, i) => {
      out.push(`${i + 1}. ${mdWithLinks(a.text)}${a.ownerName ? ` (${escapeMd(a.ownerName)})` : ""}`);
    });
    out.push("");
  }
  out.push("## Summary", "");
  for (const t of topics) {
    out.push(`### ${escapeMd(t.title)}`, "");
    for (const it of t.items)
      out.push(
        `- **${it.kind.toUpperCase()}**: ${mdWithLinks(it.text)}${it.owner ? ` (${escapeMd(it.owner)})` : ""} — ${escapeMd(it.nick)}, ${hhmm(it.at)}`,
      );
    out.push("");
  }
  out.push("## Action items", "");
  for (const { who, list } of actions) for (const a of list) out.push(`- ${escapeMd(who)}: ${mdWithLinks(a)}`);
  if (!actions.length) out.push("- none");
  out.push("", "## People present (lines said)", "");
  for (const [as, n] of present) out.push(`- ${as.map(escapeMd).join(", ")}: ${n}`);
  out.push("", "## Full log", "");
  for (const l of d.lines)
    out.push(`- ${hhmm(l.at)} [${escapeMd(l.account)}] ${escapeMd(l.nick)}: ${mdWithLinks(l.text)}`);
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
${d.meeting ? `<p>Meeting: <a href="${e(d.meeting.url ?? `/meetings/${encodeURIComponent(d.meeting.id)}`)}">${e(d.meeting.title)}</a></p>` : ""}
${d.agenda?.length ? `<h2>Agenda</h2><ol>${d.agenda.map((a) => li(`${htmlWithLinks(a.text)}${a.ownerName ? ` <em>(${e(a.ownerName)})</em>` : ""}`)).join("")}</ol>` : ""}
<p><a href="/minutes/">All minutes</a></p>
<h2>Summary</h2>
${topics.map((t) => `<h3>${e(t.title)}</h3><ul>${t.items.map((it) => li(`<strong>${e(it.kind.toUpperCase())}</strong>: ${htmlWithLinks(it.text)}${it.owner ? ` (${e(it.owner)})` : ""} — ${e(it.nick)}`)).join("")}</ul>`).join("\n")}
<h2>Action items</h2>
<ul>${actions.flatMap(({ who, list }) => list.map((a) => li(`${e(who)}: ${htmlWithLinks(a)}`))).join("") || li("none")}</ul>
<h2>People present (lines said)</h2>
<ul>${present.map(([as, n]) => li(`${e(as.join(", "))}: ${n}`)).join("")}</ul>
<h2>Full log</h2>
<ul class="log">${d.lines.map((l) => li(`${hhmm(l.at)} [${e(l.account)}] ${e(l.nick)}: ${htmlWithLinks(l.text)}`)).join("")}</ul>
</body></html>
`;
}

/** Writes both files under `<stateDir>/minutes/` and returns the file name stem. */
export function writeMinutes(stateDir: string, d: MinutesData): string {
  const dir = join(stateDir, "minutes");
  mkdirSync(dir, { recursive: true });
  const stem = minutesStem(d.startedAt, d.id);
  writeFileSync(join(dir, `${stem}.md`), minutesMarkdown(d));
  writeFileSync(join(dir, `${stem}.html`), minutesHtml(d));
  return stem;
}
