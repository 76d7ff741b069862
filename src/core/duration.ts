const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `10m`, `2h`, `30d`, `1w`, or combined `1h30m` → milliseconds; undefined when unreadable. */
export function parseDuration(s: string): number | undefined {
  const str = s.trim().toLowerCase();
  if (!/^(\d+\s*[smhdw]\s*)+$/.test(str)) return undefined;
  let total = 0;
  for (const m of str.matchAll(/(\d+)\s*([smhdw])/g)) total += Number(m[1]) * UNITS[m[2]];
  return Number.isSafeInteger(total) ? total : undefined;
}
