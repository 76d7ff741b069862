/** The meetings feature's state for one app, and what it was built with; handed to its parts, never global. */
import type { SeenPeople } from "../seen.js";
import type { ScheduleBook } from "../schedules.js";
import type { AgendaItem } from "./agenda.js";
import type { Run } from "./runs.js";

export interface MeetingsState {
  /** Meetings being minuted, by link key. */
  readonly runs: Map<string, Run>;
  /** Agenda items by meeting, kept in memory so announcements can show them without a query. */
  readonly agendas: Map<string, AgendaItem[]>;
  /** The meeting reminders (this feature's kind of schedule). */
  readonly reminders: ScheduleBook;
  readonly seen: SeenPeople;
}
