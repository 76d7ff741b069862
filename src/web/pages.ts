/** Server-rendered pages: plain HTML, no external assets, every value escaped. */
import { DateTime } from "luxon";
import { escapeHtml as e } from "../core/escape-html.js";
import { abbreviation, zoneLabel } from "../services/world-time.js";
import type { Occurrence } from "./upcoming.js";

const STYLE =
  "body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;border-bottom:1px solid #ddd}.local{font-weight:600}";
/** Rewrites every <time class="local"> into the visitor's own zone, in their browser. */
const LOCAL_SCRIPT = `<script>for(const t of document.querySelectorAll("time.local")){const d=new Date(t.getAttribute("datetime"));t.textContent=new Intl.DateTimeFormat(undefined,{weekday:"short",day:"numeric",month:"short",year:"numeric",hour:"2-digit",minute:"2-digit",hourCycle:"h23",timeZoneName:"short"}).format(d);t.dataset.zone=Intl.DateTimeFormat().resolvedOptions().timeZone}</script>`;

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(title)}</title><style>${STYLE}</style></head><body>${body}${LOCAL_SCRIPT}</body></html>`;

const localTime = (ms: number) => {
  const iso = new Date(ms).toISOString();
  return `<time class="local" datetime="${iso}">${e(DateTime.fromMillis(ms, { zone: "UTC" }).toFormat("ccc d LLL yyyy HH:mm"))} UTC</time>`;
};

function worldTable(ms: number, zones: readonly string[]): string {
  const rows = zones.map((z) => {
    const dt = DateTime.fromMillis(ms, { zone: z });
    return `<tr><td>${e(zoneLabel(z))}</td><td>${e(dt.toFormat("ccc d LLL HH:mm"))} ${e(abbreviation(ms, z))}</td></tr>`;
  });
  return `<table><caption>Time of the meeting across the world</caption>${rows.join("")}</table>`;
}

export function indexPage(occurrences: Occurrence[], zones: readonly string[]): string {
  const next = occurrences[0];
  const list = occurrences
    .slice(0, 20)
    .map(
      (o) =>
        `<li><a href="/meetings/${encodeURIComponent(o.id)}">${e(o.title)}</a> — ${localTime(o.start)}${o.place ? ` — ${e(o.place)}` : ""}</li>`,
    )
    .join("");
  return page(
    "Upcoming meetings",
    `<h1>Upcoming meetings</h1>${next ? `<p>Next: <strong>${e(next.title)}</strong> at ${localTime(next.start)} (your time)</p>${worldTable(next.start, zones)}` : "<p>No meetings are scheduled.</p>"}<ul>${list}</ul><p><a href="/calendar.ics">Subscribe to the calendar</a></p>`,
  );
}

export interface ProposalView {
  title: string;
  options: Array<{ n: number; at: number; people: string[]; picked: boolean }>;
}

export function meetingPage(
  agendaItems: ReadonlyArray<{ text: string; ownerName?: string }>,
  id: string,
  occurrences: Occurrence[],
  zones: readonly string[],
  proposal: ProposalView | undefined,
  minutes: string[],
): string {
  const title = occurrences[0]?.title ?? proposal?.title ?? id;
  const next = occurrences[0];
  const agenda = agendaItems
    .map((it) => `<li>${e(it.text)}${it.ownerName ? ` <em>(${e(it.ownerName)})</em>` : ""}</li>`)
    .join("");
  const options = proposal?.options
    .map(
      (o) =>
        `<li>${o.picked ? "✔ " : ""}Option ${o.n}: ${localTime(o.at)} — ${o.people.length ? `${o.people.length}: ${o.people.map(e).join(", ")}` : "nobody yet"}</li>`,
    )
    .join("");
  return page(
    title,
    `<h1>${e(title)}</h1>${next ? `<p>Next: ${localTime(next.start)} (your time)${next.place ? ` — ${e(next.place)}` : ""}</p>${worldTable(next.start, zones)}` : ""}
<h2>Agenda</h2>${agenda ? `<ol>${agenda}</ol>` : "<p>No agenda yet.</p>"}
${options ? `<h2>Proposed times and who can attend</h2><ul>${options}</ul>` : ""}
${minutes.length ? `<h2>Minutes</h2><ul>${minutes.map((m) => `<li><a href="/minutes/${encodeURIComponent(m)}">${e(m)}</a></li>`).join("")}</ul>` : ""}
<p><a href="/meetings/${encodeURIComponent(id)}.ics">Add to calendar</a> · <a href="/">All meetings</a></p>`,
  );
}
