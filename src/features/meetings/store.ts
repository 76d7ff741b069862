/** Tables for proposals, attendance, agendas and minutes. */
import type { Migration } from "../../store/store.js";

export const meetingMigrations: Migration[] = [
  {
    id: "meetings/1-proposals",
    sql: `CREATE TABLE meeting_proposals (id TEXT PRIMARY KEY, title TEXT NOT NULL, created_by TEXT NOT NULL, account TEXT NOT NULL,
            room TEXT NOT NULL, created_at BIGINT NOT NULL, picked INTEGER, seq INTEGER NOT NULL DEFAULT 0);
          CREATE TABLE meeting_options (proposal TEXT NOT NULL, n INTEGER NOT NULL, at BIGINT NOT NULL, zone TEXT NOT NULL,
            PRIMARY KEY (proposal, n));
          CREATE TABLE meeting_attendance (proposal TEXT NOT NULL, n INTEGER NOT NULL, person TEXT NOT NULL, name TEXT NOT NULL,
            PRIMARY KEY (proposal, n, person));
          CREATE TABLE agenda_items (meeting TEXT NOT NULL, pos INTEGER NOT NULL, text TEXT NOT NULL, owner_person TEXT,
            owner_name TEXT, added_by TEXT NOT NULL, PRIMARY KEY (meeting, pos))`,
  },
  {
    id: "meetings/2-minutes",
    sql: `CREATE TABLE minutes_runs (id TEXT PRIMARY KEY, link TEXT NOT NULL, title TEXT NOT NULL, started_at BIGINT NOT NULL,
            ended_at BIGINT, starter TEXT NOT NULL, chairs TEXT NOT NULL, warned INTEGER NOT NULL DEFAULT 0);
          CREATE INDEX minutes_runs_open ON minutes_runs (link, ended_at);
          CREATE TABLE minutes_lines (run TEXT NOT NULL, seq INTEGER NOT NULL, at BIGINT NOT NULL, account TEXT NOT NULL,
            room TEXT NOT NULL, nick TEXT NOT NULL, person TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (run, seq));
          CREATE TABLE minutes_items (run TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
            owner TEXT, nick TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (run, seq))`,
  },
  {
    id: "meetings/3-action-owner-person",
    sql: "ALTER TABLE minutes_items ADD COLUMN owner_person TEXT",
  },
  {
    // Where a proposed meeting takes place, and which meeting a set of minutes belongs to.
    id: "meetings/4-place-and-minutes-meeting",
    sql: `ALTER TABLE meeting_proposals ADD COLUMN place TEXT;
          ALTER TABLE minutes_runs ADD COLUMN meeting TEXT`,
  },
];

export const shortId = (): string => {
  const a = "abcdefghjkmnpqrstuvwxyz23456789";
  let s = "";
  for (let i = 0; i < 5; i++) s += a[Math.floor(Math.random() * a.length)];
  return s;
};
