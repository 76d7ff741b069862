/**
 * RichText colours are the 16 classic IRC colour numbers; Matrix HTML carries `#rrggbb`. These map one to the
 * other (a Matrix colour becomes the nearest of the 16).
 */
const PALETTE = [
  "#ffffff",
  "#000000",
  "#00007f",
  "#009300",
  "#ff0000",
  "#7f0000",
  "#9c009c",
  "#fc7f00",
  "#ffff00",
  "#00fc00",
  "#009393",
  "#00ffff",
  "#0000fc",
  "#ff00ff",
  "#7f7f7f",
  "#d2d2d2",
];

export function colorToHex(n: number): string | undefined {
  return Number.isInteger(n) && n >= 0 && n < PALETTE.length ? PALETTE[n] : undefined;
}

export function hexToColor(hex: string): number | undefined {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return undefined;
  const v = Number.parseInt(m[1], 16);
  const rgb = [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  let best = 0;
  let bestDist = Number.POSITIVE_INFINITY;
  PALETTE.forEach((p, i) => {
    const q = Number.parseInt(p.slice(1), 16);
    const d = [(q >> 16) & 255, (q >> 8) & 255, q & 255].reduce((s, c, k) => s + (c - rgb[k]) ** 2, 0);
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  });
  return best;
}
