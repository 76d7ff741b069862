/**
 * Announcement templates: `{time:world}`, `{time:utc}`, `{countdown}`, `{title}`, `{place}`, `{agenda}`, `{link}`.
 * Unknown placeholders are a config error (checked at load), never a silent "{tiem:world}" in a channel.
 */
import { DateTime } from "luxon";
import type { AppContext } from "../core/context.js";
import type { Firing, ScheduledMessage } from "./scheduler.js";
import { formatWorld } from "./world-time.js";

export const PLACEHOLDERS = ["time:world", "time:utc", "countdown", "title", "place", "agenda", "link"] as const;

export interface TemplateValues {
  /** The instant the text is about (the meeting start; for plain announcements the firing time). */
  instant: number;
  /** When the text is posted (for the countdown). */
  now: number;
  worldZones: readonly string[];
  localTimeMarkers: boolean;
  title?: string;
  place?: string;
  agenda?: string;
  link?: string;
}

/** Placeholders a template uses that crier does not know. */
export function unknownPlaceholders(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(/\{([^{}\s]*)\}/g))
    if (!(PLACEHOLDERS as readonly string[]).includes(m[1])) out.push(`{${m[1]}}`);
  return out;
}

/** "in 1 hour", "in 10 minutes", "now", "2 days ago". */
export function countdown(instant: number, now: number): string {
  const diff = instant - now;
  const abs = Math.abs(diff);
  if (abs < 60_000) return "now";
  const units: Array<[number, string]> = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
  ];
  const [size, name] = units.find(([u]) => abs >= u)!;
  const n = Math.round(abs / size);
  const text = `${n} ${name}${n === 1 ? "" : "s"}`;
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

export function renderTemplate(template: string, v: TemplateValues): string {
  return template.replace(/\{([^{}\s]*)\}/g, (whole, name: string) => {
    switch (name) {
      case "time:world":
        return formatWorld(v.instant, v.worldZones, { localTimeMarkers: v.localTimeMarkers });
      case "time:utc":
        return `${DateTime.fromMillis(v.instant, { zone: "UTC" }).toFormat("ccc d LLL yyyy HH:mm")} UTC`;
      case "countdown":
        return v.localTimeMarkers ? `<t:${Math.floor(v.instant / 1000)}:R>` : countdown(v.instant, v.now);
      case "title":
        return v.title ?? "";
      case "place":
        return v.place ?? "";
      case "agenda":
        return v.agenda ?? "";
      case "link":
        return v.link ?? "";
      default:
        return whole;
    }
  });
}

/**
 * A templated occurrence (an announcement, a meeting reminder) rendered for each target's platform: `{countdown}`
 * becomes a live timestamp where the platform has one. `meeting` is what the meeting it is about puts in `{agenda}`
 * and `{link}` (empty without one). Templated kinds are never posted late (reported missed instead).
 */
export function templateMessages(
  { schedule: s, due, now }: Firing,
  app: AppContext,
  meeting: { agenda: string; link: string },
): ScheduledMessage[] {
  return s.targets.map((room) => {
    const text = renderTemplate(s.text, {
      instant: due + (s.offsetMs ?? 0),
      now: Math.max(now, due),
      worldZones: app.config.timezones.world,
      localTimeMarkers: app.adapters.get(room.account)?.capabilities.localTimeMarkers ?? false,
      title: s.meta?.title,
      place: s.meta?.place,
      agenda: meeting.agenda,
      link: meeting.link,
    });
    return { room, body: [{ t: "text", text }] };
  });
}
