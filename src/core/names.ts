/**
 * A display name as it may appear in front of relayed text, on every platform: no line breaks or control
 * characters (a name could otherwise fake a second line from someone else, or carry IRC formatting) and no
 * bidirectional overrides (which could flip the text after it to look like someone else's).
 */
export function cleanName(name: string): string {
  return (
    name
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
      .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\uE000]/g, "")
      .trim() || "?"
  );
}
