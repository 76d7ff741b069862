/**
 * A background loop that can be stopped and woken: it runs a pass, sleeps on the clock for as long as the pass
 * asks, and goes again until `stop()`. Sleeping on the Clock (never a bare setTimeout) lets tests move time by
 * hand, chunks long waits and re-checks after a wall-clock step. `wake()` ends a sleep early; a wake that comes
 * while a pass runs makes the next sleep return at once, so no wake-up is lost between reading and sleeping.
 */
import type { Clock } from "../services/clock.js";

/** One pass of the loop; resolves to how long to sleep before the next one (ms; 0 still yields to timers). */
export type LoopPass = () => Promise<number>;

export class Loop {
  private running = false;
  private woken = false;
  private sleeping: { cancel(): void } | undefined;
  private done: Promise<void> = Promise.resolve();

  /** `onCrash`: a pass threw (a bug: passes handle their own failures); the loop has ended. */
  constructor(
    private readonly clock: Pick<Clock, "sleep">,
    private readonly pass: LoopPass,
    private readonly onCrash: (err: unknown) => void,
  ) {}

  /** True from start() until stop(): a long pass checks it between its steps. */
  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.run().catch((err) => {
      this.running = false;
      this.onCrash(err);
    });
  }

  /** Ends the loop: a sleep ends at once, a pass under way is waited for. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.done;
  }

  /** Something may be ready: run the next pass now (or right after the current one). */
  wake(): void {
    this.woken = true;
    this.sleeping?.cancel();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      const wait = await this.pass();
      if (!this.running || this.woken) continue;
      const s = this.clock.sleep(wait);
      this.sleeping = s;
      await s.done;
      this.sleeping = undefined;
    }
  }
}
