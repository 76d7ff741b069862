/**
 * Loaded before every test file (scripts/run-tests.mjs). node's runner turns an error that escapes every test —
 * a rejection from a library's unawaited work, say — into a bare file-level failure whose cause a truncated CI log
 * may not show. This prints the whole stack to stderr the moment it happens; the runner still fails the file.
 */
const show = (what: string) => (err: unknown) => {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`\n[stray ${what} in ${process.argv[1] ?? "a test file"}]\n${text}\n`);
};
process.on("unhandledRejection", show("unhandled rejection"));
process.on("uncaughtExceptionMonitor", show("uncaught exception"));
