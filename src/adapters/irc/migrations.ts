/**
 * Before crier knew services accounts, an IRC id was the account when the server tagged one and the nick
 * otherwise, and the two looked the same (`irc.libera:boss`). Stored ids cannot tell which they were, so links
 * between an IRC id and other identities are undone once (each side keeps a copy of the shared preferences):
 * a link made by someone who only held a nick must not now count as the account's. Everything else keyed by an
 * old IRC id (zones, reminders, attendance) now belongs to the account of that name; people relink with
 * !link-identity while logged in.
 */
import type { Migration } from "../../store/store.js";

/** IRC accounts are named `irc` or `irc.<name>`, so their identities start `irc:` or `irc.`. */
const IRC_KEY = "(user_key LIKE 'irc:%' OR user_key LIKE 'irc.%')";
const PEOPLE_WITH_IRC = `(SELECT person_id FROM identities WHERE ${IRC_KEY})`;

export const ircMigrations: Migration[] = [
  {
    id: "irc/1-unlink-nick-era-identities",
    sql: `INSERT INTO prefs (person_id, key, value)
            SELECT i.user_key, p.key, p.value FROM identities i JOIN prefs p ON p.person_id = i.person_id
            WHERE i.user_key <> i.person_id AND i.person_id IN ${PEOPLE_WITH_IRC}
            ON CONFLICT (person_id, key) DO NOTHING;
          DELETE FROM identities WHERE person_id IN ${PEOPLE_WITH_IRC}`,
  },
];
