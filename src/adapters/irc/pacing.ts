import { FencedError } from "../../store/fence.js";

/**
 * One outgoing queue per connection with a token bucket: a small burst, then one line per interval (safe for
 * InspIRCd and Solanum flood limits). Long relays queue instead of flooding; the queue is bounded.
 */
export class PacedQueue {
  private tokens: number;
  private last: number;
  private readonly queue: Array<{
    line: string;
    mayWrite?: () => boolean;
    resolve: () => void;
    reject: (e: Error) => void;
  }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (line: string) => void,
    private readonly burst: number,
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly maxDepth = 2000,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  get depth(): number {
    return this.queue.length;
  }

  /**
   * Resolves when the line has been written to the socket. `mayWrite` is asked at the moment of writing, after the
   * wait in the queue: when it says no, the line is dropped and the promise rejects with a FencedError.
   */
  push(line: string, mayWrite?: () => boolean): Promise<void> {
    if (this.queue.length >= this.maxDepth)
      return Promise.reject(new Error(`IRC send queue is full (${this.maxDepth} lines)`));
    return new Promise((resolve, reject) => {
      this.queue.push({ line, mayWrite, resolve, reject });
      this.pump();
    });
  }

  /** Drops everything queued (the connection is gone; the outbox will send again). */
  clear(reason: string): void {
    for (const q of this.queue.splice(0)) q.reject(new Error(reason));
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / this.intervalMs);
    this.last = now;
  }

  private pump(): void {
    if (this.timer) return;
    this.refill();
    while (this.queue.length && this.tokens >= 1) {
      this.tokens -= 1;
      const q = this.queue.shift()!;
      if (q.mayWrite && !q.mayWrite()) {
        this.tokens += 1;
        q.reject(new FencedError("no longer the active instance; the queued line was not sent"));
        continue;
      }
      try {
        this.write(q.line);
        q.resolve();
      } catch (err) {
        q.reject(err as Error);
      }
    }
    if (this.queue.length) {
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.pump();
        },
        Math.ceil((1 - this.tokens) * this.intervalMs),
      );
    }
  }
}
