/**
 * iCalendar feeds (RFC 5545) that calendar apps can subscribe to. Every occurrence is written in UTC with a stable
 * UID (meeting id + date), so clients show it right in any zone without needing VTIMEZONE data; recurring meetings
 * are expanded over the next six months rather than sent as an RRULE.
 */
import icalPkg from "ical-generator";
import type { Occurrence } from "./upcoming.js";

const ical = icalPkg as unknown as (data: { name: string; prodId: { company: string; product: string } }) => {
  createEvent(e: Record<string, unknown>): unknown;
  toString(): string;
};

export function calendarIcs(name: string, occurrences: Occurrence[], host: string): string {
  const cal = ical({ name, prodId: { company: "crier", product: "crier" } });
  for (const o of occurrences) {
    const day = new Date(o.start).toISOString().slice(0, 10);
    cal.createEvent({
      id: `${o.id}-${day}@${host}`,
      start: new Date(o.start),
      end: new Date(o.start + o.durationMs),
      summary: o.title,
      location: o.place,
      stamp: new Date(0),
      sequence: 0,
    });
  }
  return cal.toString();
}
