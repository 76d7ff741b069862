import type { Logger } from "../core/log.js";

/** One stop step: at most STEP_MS, and a failure is logged, never thrown (the next steps still run). */
export const STEP_MS = 2_000;

export async function bounded(
  work: Promise<unknown> | undefined,
  ms: number,
  what: string,
  log: Logger,
  fields: Record<string, unknown> = {},
): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((r) => {
    timer = setTimeout(() => r("late"), ms);
    timer.unref();
  });
  try {
    if ((await Promise.race([work, late])) === "late") log.warn({ ...fields, ms }, `${what} took too long; going on`);
  } catch (err) {
    log.error({ ...fields, err }, `${what} failed`);
  } finally {
    clearTimeout(timer);
  }
}
