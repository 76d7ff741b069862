import { randomBytes } from "node:crypto";

/** An error whose message is meant for the person who caused it (bad input, missing permission). */
export class UserError extends Error {
  override name = "UserError";
}

/** A short reference shown to the user and logged with the full error, so an operator can find it. */
export const newErrorRef = (): string => randomBytes(2).toString("hex");

/** Startup/config problem: printed without a stack trace, exits non-zero. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(public readonly problems: string[]) {
    super(problems.join("\n"));
  }
}
