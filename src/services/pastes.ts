/** Long messages kept whole for the web page an IRC excerpt links to (`/paste/<id>`). */
import type { Migration, Store } from "../store/store.js";

export const pasteMigrations: Migration[] = [
  {
    id: "pastes/1-pastes",
    sql: "CREATE TABLE pastes (id TEXT PRIMARY KEY, text TEXT NOT NULL, created_at BIGINT NOT NULL)",
  },
];

const MAX_PASTE = 256 * 1024;

export async function savePaste(store: Store, id: string, text: string, now = Date.now()): Promise<void> {
  await store.run("INSERT INTO pastes (id, text, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING", [
    id,
    text.slice(0, MAX_PASTE),
    now,
  ]);
}

export async function readPaste(store: Store, id: string): Promise<string | undefined> {
  return (await store.get<{ text: string }>("SELECT text FROM pastes WHERE id = ?", [id]))?.text;
}
