/**
 * The application-service registration: what the homeserver admin adds to `app_service_config_files`. The two
 * tokens are made once and kept in the state directory (`matrix-appservice/<account>.json`, mode 0600), so writing
 * the registration again (a new URL) keeps what the homeserver already knows; only `newTokens` makes fresh ones.
 * At run time the adapter reads the registration file itself, so the file and crier can never disagree.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { IAppserviceRegistration } from "matrix-bot-sdk";
import { parse, stringify } from "yaml";
import type { AppserviceConfig } from "./config.js";

export interface AppserviceTokens {
  as_token: string;
  hs_token: string;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The exclusive users namespace: every `@<prefix>…` on this server is crier's. */
export function userNamespace(prefix: string, serverName: string): string {
  return `@${escapeRegex(prefix)}.*:${escapeRegex(serverName)}`;
}

export function listenerUrl(as: AppserviceConfig): string {
  if (as.url) return as.url.replace(/\/+$/, "");
  const host = as.bindAddress.includes(":") ? `[${as.bindAddress}]` : as.bindAddress;
  return `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${as.port}`;
}

export function buildRegistration(
  as: AppserviceConfig,
  tokens: AppserviceTokens,
  url?: string,
): IAppserviceRegistration {
  return {
    id: as.id,
    url: url ?? listenerUrl(as),
    as_token: tokens.as_token,
    hs_token: tokens.hs_token,
    sender_localpart: as.botLocalpart,
    namespaces: {
      users: [{ exclusive: true, regex: userNamespace(as.userPrefix, as.serverName) }],
      aliases: [],
      rooms: [],
    },
    rate_limited: false,
  };
}

export function tokensFile(stateDir: string, account: string): string {
  return join(stateDir, "matrix-appservice", `${account}.json`);
}

const newToken = () => randomBytes(32).toString("base64url");

/** The account's tokens: those kept in the state directory, else (or when asked) new ones, saved there first. */
export function loadOrCreateTokens(
  stateDir: string,
  account: string,
  newTokens = false,
): { tokens: AppserviceTokens; created: boolean } {
  const file = tokensFile(stateDir, account);
  if (!newTokens && existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, "utf8")) as Partial<AppserviceTokens>;
    if (typeof kept.as_token !== "string" || typeof kept.hs_token !== "string" || !kept.as_token || !kept.hs_token)
      throw new Error(`${file} does not hold as_token and hs_token; remove it or pass --new-tokens`);
    return { tokens: { as_token: kept.as_token, hs_token: kept.hs_token }, created: false };
  }
  const tokens = { as_token: newToken(), hs_token: newToken() };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { tokens, created: true };
}

export function registrationYaml(reg: IAppserviceRegistration): string {
  return stringify(reg);
}

/** Writes the registration file (mode 0600: it holds both tokens). */
export function writeRegistration(path: string, reg: IAppserviceRegistration): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, registrationYaml(reg), { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The registration the adapter runs with, checked against the account's config so a stale file is caught early. */
export function readRegistration(path: string, as: AppserviceConfig): IAppserviceRegistration {
  if (!existsSync(path))
    throw new Error(
      `the appservice registration ${path} does not exist: run crier appservice-registration --config <file> and add it to the homeserver's app_service_config_files`,
    );
  // biome-ignore lint/suspicious/noExplicitAny: YAML from disk, checked field by field below.
  const reg = parse(readFileSync(path, "utf8")) as any;
  const problems: string[] = [];
  if (typeof reg?.as_token !== "string" || !reg.as_token) problems.push("no as_token");
  if (typeof reg?.hs_token !== "string" || !reg.hs_token) problems.push("no hs_token");
  if (reg?.sender_localpart !== as.botLocalpart)
    problems.push(`sender_localpart is ${reg?.sender_localpart}, the config says ${as.botLocalpart}`);
  const users = reg?.namespaces?.users;
  const expected = userNamespace(as.userPrefix, as.serverName);
  if (!Array.isArray(users) || users.length !== 1 || users[0]?.regex !== expected || users[0]?.exclusive !== true)
    problems.push(`the users namespace is not exactly one exclusive ${expected}`);
  if (problems.length)
    throw new Error(
      `the appservice registration ${path} does not match the config (${problems.join("; ")}): write it again with crier appservice-registration and reload the homeserver`,
    );
  return reg as IAppserviceRegistration;
}
