/**
 * crier's own lines as the server shows them back: live echoes (echo-message) confirm a send and give its msgid;
 * lines replayed on join (chanhistory) prove what reached a channel before a crash. Kept per channel, bounded.
 */

const ECHO_TIMEOUT_MS = 15_000;
/** Replayed own lines remembered per channel (the history a server replays is bounded too). */
const MAX_HISTORY = 500;

interface PendingEcho {
  text: string;
  resolve: (id: string | undefined) => void;
}

export class OwnLines {
  private readonly echoes = new Map<string, PendingEcho[]>();
  private readonly history = new Map<string, Array<{ text: string; msgid?: string }>>();

  /** Resolves with the echo's msgid once the server echoes `text` in `room`, or undefined after a timeout. */
  expectEcho(room: string, text: string): Promise<string | undefined> {
    const key = room.toLowerCase();
    return new Promise((resolve) => {
      const entry: PendingEcho = { text, resolve };
      const list = this.echoes.get(key) ?? [];
      list.push(entry);
      this.echoes.set(key, list);
      setTimeout(() => {
        const l = this.echoes.get(key);
        const i = l?.indexOf(entry) ?? -1;
        if (l && i >= 0) {
          l.splice(i, 1);
          resolve(undefined);
        }
      }, ECHO_TIMEOUT_MS).unref();
    });
  }

  echoed(target: string, text: string, msgid: string | undefined): void {
    const list = this.echoes.get(target.toLowerCase());
    const i = list?.findIndex((p) => p.text === text) ?? -1;
    if (list && i >= 0) list.splice(i, 1)[0].resolve(msgid);
  }

  replayed(target: string, text: string, msgid: string | undefined): void {
    const list = this.history.get(target.toLowerCase()) ?? [];
    list.push({ text, msgid });
    if (list.length > MAX_HISTORY) list.shift();
    this.history.set(target.toLowerCase(), list);
  }

  /** A replayed own line with this text in `room`, if any. */
  findReplayed(room: string, text: string): { text: string; msgid?: string } | undefined {
    return this.history.get(room.toLowerCase())?.find((h) => h.text === text);
  }

  /** The connection closed: nothing more will be echoed, and the next join replays history afresh. */
  clear(): void {
    this.history.clear();
    for (const list of this.echoes.values()) for (const p of list.splice(0)) p.resolve(undefined);
  }
}
