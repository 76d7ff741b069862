/** Sliding one-minute windows per key; bounded so a flood of distinct keys cannot grow memory without limit. */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Records a hit and returns true when the key is still within its budget. */
  allow(key: string, now: number): boolean {
    const since = now - 60_000;
    const list = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (list.length >= this.perMinute) {
      this.hits.set(key, list);
      return false;
    }
    list.push(now);
    this.hits.delete(key);
    this.hits.set(key, list);
    if (this.hits.size > this.maxKeys) this.hits.delete(this.hits.keys().next().value as string);
    return true;
  }

  /** Milliseconds until the key may be allowed again (0 when it may now). */
  retryAfter(key: string, now: number): number {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - 60_000);
    if (list.length < this.perMinute) return 0;
    return list[list.length - this.perMinute] + 60_000 - now;
  }
}
