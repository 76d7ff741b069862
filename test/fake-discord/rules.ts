/** Rules the real Discord enforces, as the fake enforces them. */
import type { FakeMessage, FakeUser } from "./state.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_CONTENT = 2000;

export function checkContent(content: unknown): string {
  const s = typeof content === "string" ? content : "";
  if ([...s].length > MAX_CONTENT)
    throw new ApiError(400, 50035, "Invalid Form Body: content: Must be 2000 or fewer in length.");
  return s;
}

/** Webhook usernames: 1–80 characters, and not containing these words (case-insensitive). */
export function checkWebhookName(name: unknown): void {
  if (name === undefined) return;
  const s = String(name);
  if (s.length < 1 || s.length > 80)
    throw new ApiError(400, 50035, "Invalid Form Body: username: Must be between 1 and 80 in length.");
  for (const word of ["discord", "clyde", "here", "everyone"]) {
    if (s.toLowerCase().includes(word))
      throw new ApiError(400, 50035, `Invalid Form Body: username: Username cannot contain "${word}"`);
  }
}

interface AllowedMentions {
  parse?: string[];
  users?: string[];
  roles?: string[];
}

/** What a message actually pings, given its content and `allowed_mentions` (absent: everything may ping). */
export function mentionsOf(
  content: string,
  allowed: AllowedMentions | undefined,
  users: Map<string, FakeUser>,
): Pick<FakeMessage, "mentions" | "mention_roles" | "mention_everyone"> {
  const parse = allowed ? (allowed.parse ?? []) : ["everyone", "users", "roles"];
  const everyone = /@(everyone|here)/.test(content) && parse.includes("everyone");
  const userIds = [...content.matchAll(/<@!?(\d+)>/g)]
    .map((m) => m[1])
    .filter((id) => parse.includes("users") || allowed?.users?.includes(id));
  const roleIds = [...content.matchAll(/<@&(\d+)>/g)]
    .map((m) => m[1])
    .filter((id) => parse.includes("roles") || allowed?.roles?.includes(id));
  return {
    mention_everyone: everyone,
    mentions: [...new Set(userIds)].map((id) => users.get(id)).filter((u): u is FakeUser => !!u),
    mention_roles: [...new Set(roleIds)],
  };
}
