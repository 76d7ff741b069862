/** A display name folded for comparison: compatibility-normalised, lower case, no leading `@`, at most 100 chars. */
export const foldName = (name: string): string =>
  name.normalize("NFKC").toLowerCase().replace(/^@/, "").trim().slice(0, 100);
