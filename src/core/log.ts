import { writeSync } from "node:fs";
import { pino, type Logger as PinoLogger } from "pino";

export type Logger = PinoLogger;

/** Field paths that may carry secrets anywhere in a log object. Values are replaced, keys kept. */
export const REDACT_PATHS = [
  "password",
  "token",
  "accessToken",
  "secret",
  "webhookUrl",
  "authorization",
  "*.password",
  "*.token",
  "*.accessToken",
  "*.secret",
  "*.webhookUrl",
  "*.authorization",
  "*.*.password",
  "*.*.token",
  "*.*.accessToken",
  "headers.authorization",
  "config.accounts.*.password",
  "config.accounts.*.token",
];

/** Strips things that look like credentials from free text (error messages may embed URLs with tokens). */
export function scrubSecrets(s: string): string {
  return s
    .replace(/(\/webhooks\/\d+\/)[\w-]+/g, "$1[redacted]")
    .replace(/(access_token=)[^&\s]+/gi, "$1[redacted]")
    .replace(/(Bearer |Bot )[\w.-]{8,}/g, "$1[redacted]")
    .replace(/(\/\/[^/\s:@]+:)[^@\s/]+@/g, "$1[redacted]@");
}

export interface LogOptions {
  level?: string;
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? process.env.CRIER_LOG_LEVEL ?? "info";
  const base = {
    level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    formatters: {
      log(obj: Record<string, unknown>) {
        if (obj.err instanceof Error)
          obj.err = {
            type: obj.err.name,
            message: scrubSecrets(obj.err.message),
            stack: obj.err.stack ? scrubSecrets(obj.err.stack) : undefined,
          };
        return obj;
      },
    },
  };
  if (opts.pretty) {
    return pino({ ...base, transport: { target: "pino-pretty", options: { destination: 2, colorize: true } } });
  }
  return pino(base, (opts.destination as pino.DestinationStream | undefined) ?? fdDestination(2));
}

/**
 * Log lines to a file descriptor, written at once. Unlike pino.destination (sonic-boom), whose final flush loops for
 * ever on EPIPE, a closed reader (`crier start | tee log`, then Ctrl-C kills tee) only ends logging: every later
 * line is dropped and counted, and crier goes on (or stops) as if nothing happened.
 */
export function fdDestination(fd: number): pino.DestinationStream & { dropped: number } {
  let broken = false;
  const dest = {
    dropped: 0,
    write(line: string): void {
      if (broken) {
        dest.dropped++;
        return;
      }
      try {
        writeSync(fd, line);
      } catch (err) {
        // EAGAIN (a non-blocking pipe that is full) loses this line only; anything else (EPIPE, EBADF) ends logging.
        dest.dropped++;
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") broken = true;
      }
    },
  };
  return dest;
}
