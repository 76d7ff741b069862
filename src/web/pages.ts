/** Server-rendered pages: plain HTML, no external assets, every value escaped. */
import { DateTime } from "luxon";
import rrulePkg from "rrule";
import type { MeetingConfig } from "../config/sections/meetings.js";
import type { AppContext } from "../core/context.js";
import { escapeHtml as e } from "../core/escape-html.js";
import { meetingSpec, nextAfter } from "../services/recurrence.js";
import { abbreviation, zoneLabel } from "../services/world-time.js";
import type { Occurrence } from "./upcoming.js";

const { rrulestr } = rrulePkg;

/** A proposal as the meetings feature shows it: its place and options with who can attend. */
export interface ProposalView {
  title: string;
  place?: string;
  options: Array<{ n: number; at: number; people: string[]; picked: boolean }>;
}

/** One finished set of minutes, as the meetings feature lists them. */
export interface MinutesEntry {
  title: string;
  startedAt: number;
  meeting?: string;
  /** File name stem under /minutes/. */
  stem: string;
}

const STYLE =
  "body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;border-bottom:1px solid #ddd}.local{font-weight:600}";
/**
 * Rewrites every <time class="local"> into the visitor's own zone, in their browser, labelled by the zone's city
 * as the world table labels it ("20:30 Kolkata"), never by the browser's own short name (`GMT+5:30`) next to the
 * table's `IST`: one label per zone on the page. Browsers still report some zones by old names (Asia/Calcutta).
 */
const LOCAL_SCRIPT = `<script>for(const t of document.querySelectorAll("time.local")){const d=new Date(t.getAttribute("datetime"));const z=Intl.DateTimeFormat().resolvedOptions().timeZone;t.textContent=new Intl.DateTimeFormat(undefined,{weekday:"short",day:"numeric",month:"short",year:"numeric",hour:"2-digit",minute:"2-digit",hourCycle:"h23"}).format(d)+" "+({Calcutta:"Kolkata",Katmandu:"Kathmandu",Kiev:"Kyiv",Saigon:"Ho_Chi_Minh",Rangoon:"Yangon"}[z.split("/").pop()]||z.split("/").pop()||z).replace(/_/g," ")+" time";t.dataset.zone=z}</script>`;

export const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(title)}</title><style>${STYLE}</style></head><body>${body}${LOCAL_SCRIPT}</body></html>`;

export const localTime = (ms: number) => {
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

/** "every 2 weeks on Wednesday at 16:00 Berlin time" for a recurring meeting; "" for a one-off. */
export function recurrenceText(m: MeetingConfig | undefined): string {
  if (!m?.rrule) return "";
  const body = m.rrule.replace(/^RRULE:/i, "");
  const at = m.start.slice(11, 16);
  // rrule's toText() ignores BYSETPOS ("last Wednesday" would read "Wednesday"): then the rule itself is shown.
  if (/BYSETPOS/i.test(body)) return `repeats by the rule ${body}, at ${at} ${zoneLabel(m.zone)} time`;
  try {
    return `${rrulestr(`DTSTART:20000101T000000Z\nRRULE:${body}`).toText()} at ${at} ${zoneLabel(m.zone)} time`;
  } catch {
    return `repeats by the rule ${body}`;
  }
}

const minutesLink = (m: MinutesEntry) =>
  `<a href="/minutes/${encodeURIComponent(`${m.stem}.html`)}">${e(m.title)} — ${e(DateTime.fromMillis(m.startedAt, { zone: "UTC" }).toFormat("d LLL yyyy"))}</a>`;

/** `/minutes/`: every set of minutes, newest first, with the meeting it belongs to. */
export function minutesIndexPage(
  app: { config: { meetings: readonly MeetingConfig[] } },
  list: MinutesEntry[],
): string {
  const items = list.map((m) => {
    const meeting = m.meeting ? (app.config.meetings.find((x) => x.id === m.meeting)?.title ?? m.meeting) : undefined;
    return `<li>${minutesLink(m)}${meeting ? ` (<a href="/meetings/${encodeURIComponent(m.meeting!)}">${e(meeting)}</a>)` : ""}</li>`;
  });
  return page(
    "Minutes",
    `<h1>Minutes</h1>${items.length ? `<ul>${items.join("")}</ul>` : "<p>No minutes yet.</p>"}<p><a href="/">All meetings</a></p>`,
  );
}

export function meetingPage(
  app: AppContext,
  agendaItems: ReadonlyArray<{ text: string; ownerName?: string }>,
  id: string,
  occurrences: Occurrence[],
  zones: readonly string[],
  proposal: ProposalView | undefined,
  minutes: MinutesEntry[],
): string {
  const configured = app.config.meetings.find((m) => m.id === id);
  const title = configured?.title ?? occurrences[0]?.title ?? proposal?.title ?? id;
  // A series starting beyond the page's look-ahead still has a next time.
  const firstAt = configured ? nextAfter(meetingSpec(configured), app.clock.now() - 1) : undefined;
  const next = occurrences[0] ?? (firstAt !== undefined ? { start: firstAt, place: configured?.place } : undefined);
  const place = next?.place ?? configured?.place ?? proposal?.place;
  const repeats = recurrenceText(configured);
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
    `<h1>${e(title)}</h1>${repeats ? `<p>Repeats ${e(repeats)}.</p>` : ""}${place ? `<p>Where: ${e(place)}</p>` : ""}${next ? `<p>Next: ${localTime(next.start)} (your time)</p>${worldTable(next.start, zones)}` : ""}
<h2>Agenda</h2>${agenda ? `<ol>${agenda}</ol>` : "<p>No agenda yet.</p>"}
${options ? `<h2>Proposed times and who can attend</h2><ul>${options}</ul>` : ""}
${minutes.length ? `<h2>Minutes</h2><ul>${minutes.map((m) => `<li>${minutesLink(m)}</li>`).join("")}</ul>` : ""}
<p><a href="/meetings/${encodeURIComponent(id)}.ics">Add to calendar</a> · <a href="/">All meetings</a></p>`,
  );
}
