import type { FakeClock } from "../../../../src/services/clock.js";
import type { Scheduler } from "../../../../src/services/scheduler.js";
import { waitUntil } from "../../../testbed/ports.js";

export interface Fired {
  id: string;
  due: number;
  late: boolean;
  missed: boolean;
}

/** Records what the engine fires. */
export function recordFired(scheduler: Scheduler): Fired[] {
  const fired: Fired[] = [];
  scheduler.fired.push((f) => fired.push(f));
  return fired;
}

const until = (pred: () => boolean, ms = 5000) => waitUntil("the scheduler to fire", pred, ms, { everyMs: 2 });

/**
 * Moves a fake clock forward to `target`, stopping at every due time so the engine fires each occurrence at its
 * moment (as it would live), and waits for it to do so.
 */
export async function advanceTo(
  clock: FakeClock,
  scheduler: Scheduler,
  fired: Fired[],
  target: number,
  nextDue: () => Promise<number | null>,
): Promise<void> {
  for (let guard = 0; guard < 100_000; guard++) {
    const next = await nextDue();
    if (next === null || next > target) {
      clock.set(target);
      return;
    }
    const before = fired.length;
    clock.set(Math.max(next, clock.now()));
    scheduler.wake();
    await until(() => fired.length > before);
  }
  throw new Error("advanceTo did not finish");
}
