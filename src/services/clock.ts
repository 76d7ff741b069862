/**
 * Time source. Production uses the wall clock; tests use FakeClock to jump days in milliseconds. Waits are never
 * one long setTimeout: Node fires delays over 2^31-1 ms at once, and the wall clock may step while we sleep, so
 * long waits are chunked and the caller re-checks `now()` on wake.
 */
export interface Clock {
  now(): number;
  /** Resolves after at most `ms` (chunked); callers must re-check `now()`. Cancel with the returned function. */
  sleep(ms: number): { done: Promise<void>; cancel(): void };
}

export const MAX_TIMER_CHUNK_MS = 60_000;

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  sleep(ms: number) {
    let timer: NodeJS.Timeout | undefined;
    let resolveFn: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      resolveFn = resolve;
      timer = setTimeout(resolve, Math.max(0, Math.min(ms, MAX_TIMER_CHUNK_MS)));
      timer.unref?.();
    });
    return {
      done,
      cancel: () => {
        clearTimeout(timer);
        resolveFn();
      },
    };
  }
}

/** A clock tests move by hand: sleepers wake when `advance`/`set` passes their deadline (or on a step back). */
export class FakeClock implements Clock {
  private sleepers: Array<{ until: number; wake: () => void }> = [];
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  sleep(ms: number) {
    let wake: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const entry = { until: this.current + Math.max(0, ms), wake };
    this.sleepers.push(entry);
    if (ms <= 0) queueMicrotask(() => this.fire());
    return {
      done,
      cancel: () => {
        this.sleepers = this.sleepers.filter((s) => s !== entry);
        wake();
      },
    };
  }
  advance(ms: number): void {
    this.set(this.current + ms);
  }
  /** Sets the time; stepping backwards wakes everyone so they re-check, as a real NTP step would. */
  set(t: number): void {
    const back = t < this.current;
    this.current = t;
    this.fire(back);
  }
  private fire(all = false): void {
    const due = this.sleepers.filter((s) => all || s.until <= this.current);
    this.sleepers = this.sleepers.filter((s) => !due.includes(s));
    for (const s of due) s.wake();
  }
}
