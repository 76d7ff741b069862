/**
 * Linking one person's accounts across platforms: a one-time code asked for on one account and said on another.
 * Nothing links without acting on both sides; codes are single-use and expire.
 */
import { randomInt } from "node:crypto";
import type { CommandContext } from "../core/commands.js";
import type { Feature } from "../core/context.js";
import { UserError } from "../core/errors.js";
import { userKey } from "../core/model.js";
import { ownZone } from "../services/timezones.js";

const CODE_TTL_MS = 10 * 60_000;
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

function newCode(): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

async function linkIdentity(code: string, ctx: CommandContext): Promise<string | undefined> {
  // An unverified id is a nick anyone may take next: linking it would hand this person's rights to the next holder.
  if (ctx.user.unverified)
    throw new UserError(
      "you are not logged in to a services account here, so this name is not yours to link; log in (e.g. /msg NickServ IDENTIFY) and try again",
    );
  const me = userKey(ctx.user);
  const { store, clock } = ctx.app;
  if (!code) {
    const fresh = newCode();
    await store.run("DELETE FROM link_codes WHERE user_key = ? OR expires_at < ?", [me, clock.now()]);
    await store.run("INSERT INTO link_codes (code, user_key, expires_at) VALUES (?, ?, ?)", [
      fresh,
      me,
      clock.now() + CODE_TTL_MS,
    ]);
    // Whoever says the code first joins this person (and gets its admin rights): only the asker may see it.
    await ctx.whisper(`to link another account to this one, say "!link-identity ${fresh}" from it within 10 minutes`);
    return;
  }
  const wanted = code.trim().toUpperCase();
  if (!/^[A-Z0-9]{8}$/.test(wanted)) throw new UserError("a link code has 8 letters and digits");
  const row = await store.get<{ user_key: string; expires_at: number }>(
    "SELECT user_key, expires_at FROM link_codes WHERE code = ?",
    [wanted],
  );
  if (!row || Number(row.expires_at) < clock.now())
    throw new UserError("that code is unknown or has expired; ask for a new one with !link-identity");
  if (row.user_key === me) throw new UserError("say the code from your other account, not this one");
  await store.run("DELETE FROM link_codes WHERE code = ?", [wanted]);
  await ctx.app.identity.link(row.user_key, me);
  return `linked: ${row.user_key} and ${me} are now one person (zone, reminders and attendance are shared)`;
}

export const identityLinkFeature: Feature = {
  name: "identity-link",
  migrations: [
    {
      id: "identity-link/1-codes",
      sql: "CREATE TABLE link_codes (code TEXT PRIMARY KEY, user_key TEXT NOT NULL, expires_at BIGINT NOT NULL)",
    },
    {
      // Codes asked for before IRC ids meant services accounts may belong to a nick: they live 10 minutes anyway.
      id: "identity-link/2-drop-nick-era-codes",
      sql: "DELETE FROM link_codes",
    },
  ],
  commands: [
    {
      name: "link-identity",
      summary: "link your accounts on several platforms into one person",
      usage: "!link-identity (gives a code) | !link-identity <code> (said from the other account)",
      examples: [
        { input: "!link-identity", expect: "within 10 minutes" },
        { input: "!link-identity ZZZZZZZZ", expect: "unknown or has expired" },
      ],
      permission: "anyone",
      privateReply: true,
      run: linkIdentity,
    },
    {
      name: "whoami",
      summary: "show your linked identities and your zone",
      usage: "!whoami",
      examples: [{ input: "!whoami", expect: "you are console:someone" }],
      permission: "anyone",
      privateReply: true,
      async run(_args: string, ctx: CommandContext) {
        const person = await ctx.app.identity.personId(ctx.user);
        const ids = await ctx.app.identity.identitiesOf(person);
        const zone = await ownZone(ctx.app, ctx.user);
        return `you are ${userKey(ctx.user)}${ids.length > 1 ? `, linked with ${ids.filter((i) => i !== userKey(ctx.user)).join(", ")}` : ""}; zone: ${zone ?? "not set"}`;
      },
    },
    {
      name: "unlink-identity",
      summary: "detach an account of yours from the others",
      usage: "!unlink-identity [account:id] (default: this account)",
      examples: [{ input: "!unlink-identity", expect: "not linked" }],
      permission: "anyone",
      privateReply: true,
      async run(args: string, ctx: CommandContext) {
        const me = userKey(ctx.user);
        const target = args.trim() || me;
        const person = await ctx.app.identity.personId(ctx.user);
        const ids = await ctx.app.identity.identitiesOf(person);
        if (ids.length < 2) return "this account is not linked to any other";
        if (!ids.includes(target))
          throw new UserError(`${target.slice(0, 80)} is not one of your linked identities (${ids.join(", ")})`);
        await ctx.app.identity.unlink(target);
        return `${target} is unlinked`;
      },
    },
  ],
};
