/**
 * When two names would look the same to a reader: compared after case-folding and by their Unicode confusable
 * skeleton (UTS #39, the `confusables.txt` mapping as shipped by unhomoglyph — the package Matrix clients use to
 * tell same-looking members apart). `Boss`, `boss`, `bоss` (Cyrillic о) and `b0ss` share a key.
 */
import { createRequire } from "node:module";

/** Longest name compared; names are cut there first, so the cost per name is bounded. */
const MAX_NAME = 100;
/** Invisible characters a name could hide between letters (zero-width spaces and joiners, soft hyphen, BOM, …). */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
/** A trailing `(handle)` — the form crier itself adds — so `alice (irc.net)` typed as a name still clashes with alice. */
const TRAILING_TAG = /(\s*\([^()]*\))+$/u;

const fold = (s: string): string => s.normalize("NFKC").toLowerCase();
/** UTS #39 skeleton: NFD, map each confusable to its prototype, NFD again. */
const skeleton = (s: string): string => confusables()(s.normalize("NFD")).normalize("NFD");

let unhomoglyph: ((s: string) => string) | undefined;
/** The confusables table (about 6 MiB resident), loaded when a name is first compared: a crier with no links never does. */
const confusables = (): ((s: string) => string) => {
  unhomoglyph ??= createRequire(import.meta.url)("unhomoglyph") as (s: string) => string;
  return unhomoglyph;
};

/** Bounded cache: the same few names are compared on every message. */
const cache = new Map<string, string[]>();
const CACHE_SIZE = 5_000;

/**
 * The keys of a name: two names look alike when they share one. Both orders are needed: folding first makes
 * `Ivan` and `ivan` equal, the skeleton first makes `Ivan` and `lvan` equal (capital I is a prototype of l).
 */
export function nameKeys(name: string): string[] {
  const cut = [...name].slice(0, MAX_NAME).join("");
  const hit = cache.get(cut);
  if (hit) return hit;
  const bare = cut.replace(INVISIBLE, "").replace(TRAILING_TAG, "").replace(/\s+/gu, " ").trim().replace(/^@/, "");
  const keys = [...new Set([skeleton(fold(bare)), fold(skeleton(bare)), skeleton(fold(skeleton(bare)))])].filter(
    (k) => k.length > 0,
  );
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(cut, keys);
  return keys;
}

export function looksAlike(a: string, b: string): boolean {
  const kb = nameKeys(b);
  return nameKeys(a).some((k) => kb.includes(k));
}
