/**
 * Membership noise, coalesced: the first PASS_THROUGH joins, parts or nick changes of a person in a room within
 * `windowMs` are relayed as they happen (ordinary comings and goings read as before); the rest are counted and said
 * as one line when the window closes ("mallory changed nick 497 times, now mal"). A flood that goes on gets one line
 * per window. State is per (room, current name), bounded by MAX_WINDOWS; past that, events pass one by one.
 */
import type { MembershipEvent } from "../core/model.js";
import { roomKey } from "../core/model.js";
import type { Clock } from "../services/clock.js";

const MAX_WINDOWS = 10_000;
const PASS_THROUGH = 3;

interface Window {
  /** Events of this window relayed as they happened. */
  passed: number;
  /** The name people last saw for this person. */
  shownAs: string;
  last: MembershipEvent;
  nameNow: string;
  nicks: number;
  joins: number;
  parts: number;
  cancel(): void;
}

export type CoalescedLine = (last: MembershipEvent, text: string, key: string) => Promise<void>;

const keyOf = (e: MembershipEvent, name: string) => `${roomKey(e.room)}\u0000${name.toLowerCase()}`;

export class MembershipCoalescer {
  private readonly windows = new Map<string, Window>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly say: CoalescedLine,
    private readonly windowMs = 10_000,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** True when the event should be relayed now; false when it was folded into its person's window. */
  admit(e: MembershipEvent): boolean {
    if (e.kind === "topic" || this.stopped) return true;
    let w = this.windows.get(keyOf(e, e.user.name));
    if (!w) {
      if (this.windows.size >= MAX_WINDOWS) return true;
      w = this.open(e, e.user.name, 0);
    }
    w.last = e;
    if (e.kind === "nick") {
      this.windows.delete(keyOf(e, w.nameNow));
      w.nameNow = e.newName ?? w.nameNow;
      this.windows.set(keyOf(e, w.nameNow), w);
    }
    if (w.passed < PASS_THROUGH) {
      w.passed++;
      w.shownAs = w.nameNow;
      return true;
    }
    if (e.kind === "nick") w.nicks++;
    else if (e.kind === "join") w.joins++;
    else w.parts++;
    return false;
  }

  private open(e: MembershipEvent, name: string, passed: number): Window {
    const sleep = this.clock.sleep(this.windowMs);
    const w: Window = {
      passed,
      shownAs: name,
      last: e,
      nameNow: name,
      nicks: 0,
      joins: 0,
      parts: 0,
      cancel: sleep.cancel,
    };
    this.windows.set(keyOf(e, name), w);
    void sleep.done.then(() => this.close(w));
    return w;
  }

  private close(w: Window): void {
    if (this.windows.get(keyOf(w.last, w.nameNow)) === w) this.windows.delete(keyOf(w.last, w.nameNow));
    const text = summary(w);
    if (!text || this.stopped) return;
    void this.say(w.last, text, `${w.last.at.getTime()}/${w.nicks + w.joins + w.parts}`).catch(this.onError);
    // The flood may go on: the next window starts now, quietly, under the name just announced.
    this.open(w.last, w.nameNow, PASS_THROUGH);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.windows.values()) w.cancel();
    this.windows.clear();
  }
}

function summary(w: Window): string | undefined {
  const times = (n: number) => (n === 1 ? "once" : `${n} times`);
  const parts: string[] = [];
  if (w.nicks) parts.push(`changed nick ${times(w.nicks)}, now ${w.nameNow}`);
  if (w.joins) parts.push(`joined ${times(w.joins)}`);
  if (w.parts) parts.push(`left ${times(w.parts)}`);
  if (!parts.length) return undefined;
  const clean = (s: string) => s.replace(/\s+/g, " ").trim().slice(0, 80);
  return `${clean(w.shownAs)} ${parts.map((p) => p.replace(w.nameNow, clean(w.nameNow))).join(", ")}`;
}
