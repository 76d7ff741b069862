/**
 * The history a server replays when crier joins a channel (InspIRCd's chanhistory: `BATCH +id chathistory #chan`
 * after the NAMES list, then the lines, then `BATCH -id`). Whether a line of crier's own reached a channel before
 * a crash is decided by reading that replay, so the decision waits for the whole replay, not a fixed time: on a
 * loaded machine the replay can take longer than the settle time, and a line missed there is sent twice.
 * A server that replays nothing (no batch started) is settled after the settle time alone.
 */
import type { Clock } from "../../services/clock.js";

/** The longest crier waits for a replay that has begun to end. */
const REPLAY_WAIT_MS = 10_000;
const BATCH_START = /^(?:@\S+ )?:\S+ BATCH \+(\S+) chathistory :?(\S+)/;

interface Replay {
  started: boolean;
  ended: boolean;
  end: () => void;
  done: Promise<void>;
}

export class HistoryReplays {
  private readonly replays = new Map<string, Replay>();

  constructor(
    private readonly clock: Clock,
    private readonly settleMs: number,
  ) {}

  /** crier (re)joined `channel`: its replay, if any, is still to come. */
  joined(channel: string): void {
    let end: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      end = resolve;
    });
    this.replays.set(channel.toLowerCase(), { started: false, ended: false, end, done });
  }

  /** A raw line from the server: the start of a channel's history batch. */
  rawLine(line: string): void {
    if (!line.includes(" BATCH +")) return;
    const m = BATCH_START.exec(line);
    const replay = m ? this.replays.get(m[2].toLowerCase()) : undefined;
    if (replay) replay.started = true;
  }

  /** irc-framework handed on a whole chathistory batch (its lines first): that channel's replay is over. */
  ended(channel: string): void {
    const replay = this.replays.get(channel.toLowerCase());
    if (!replay) return;
    replay.started = true;
    replay.ended = true;
    replay.end();
  }

  /** Resolves once `channel`'s replay is over: ended, or none begun within the settle time after `joinedAt`. */
  async settled(channel: string, joinedAt: number): Promise<void> {
    const replay = this.replays.get(channel.toLowerCase());
    if (!replay || replay.ended) return;
    const settle = this.clock.sleep(Math.max(0, joinedAt + this.settleMs - this.clock.now()));
    await Promise.race([replay.done, settle.done]);
    settle.cancel();
    if (replay.ended || !replay.started) return;
    const cap = this.clock.sleep(REPLAY_WAIT_MS);
    await Promise.race([replay.done, cap.done]);
    cap.cancel();
  }
}
