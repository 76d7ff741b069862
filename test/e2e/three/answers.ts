/**
 * crier's answers and announcements as each platform shows them — IRC NOTICE/PRIVMSG to #devel, Matrix messages
 * from crier's account, Discord messages of its bot — counting only what came after a mark, so an answer said twice in a test is told apart.
 * A failed wait says what crier did say there.
 */
import type { FakeUser } from "../../fake-discord/state.js";
import type { RawIrcClient } from "../../testbed/irc-client.js";
import { waitUntil } from "../../testbed/ports.js";
import type { MatrixTestUser } from "../../testbed/synapse-client.js";
import { CHANNEL, ThreeNetworks } from "./testbed.js";

/** Where each platform's transcript stood at some moment. */
export interface Mark {
  irc: number;
  discord: number;
  /** Synapse's clock runs on this machine: events from crier after the mark carry a later timestamp. */
  matrixTs: number;
}

const ircLine = /^(@\S+ )?:crier_?!\S+ (NOTICE|PRIVMSG) #devel :/;

export class Answers {
  constructor(private readonly net: ThreeNetworks) {}

  mark(): Mark {
    return { irc: this.net.ivan.lines.length, discord: this.net.discordFromCrier().length, matrixTs: Date.now() - 1 };
  }

  /** Text crier said in #devel after the mark, as Ivan saw it (IRC formatting removed). */
  ircSince(mark: Mark): string[] {
    return this.net.ivan.lines
      .slice(mark.irc)
      .filter((l) => ircLine.test(l))
      .map((l) => ThreeNetworks.ircText(l.replace(/ NOTICE #devel :/, " PRIVMSG #devel :")));
  }

  onIrc(mark: Mark, re: RegExp, ms = 20_000): Promise<string> {
    return this.find("IRC", () => this.ircSince(mark), re, ms);
  }

  onMatrix(mark: Mark, re: RegExp, ms = 20_000): Promise<string> {
    return this.find(
      "Matrix",
      async () =>
        (await this.net.matrixFromCrier())
          .filter((e) => (e as { origin_server_ts?: number }).origin_server_ts! > mark.matrixTs)
          .filter((e) => e.type === "m.room.message")
          .map((e) => String(e.content.body)),
      re,
      ms,
    );
  }

  /** Messages of crier's bot (not its relaying webhooks) after the mark. */
  discordSince(mark: Mark): string[] {
    const bot = this.net.discord.world.bot.id;
    return this.net
      .discordFromCrier()
      .slice(mark.discord)
      .filter((m) => m.author.id === bot && !m.webhook_id)
      .map((m) => m.content);
  }

  onDiscord(mark: Mark, re: RegExp, ms = 20_000): Promise<string> {
    return this.find("Discord", () => this.discordSince(mark), re, ms);
  }

  /** The same announcement on all three. */
  async everywhere(mark: Mark, re: RegExp, ms = 20_000): Promise<{ irc: string; matrix: string; discord: string }> {
    const [irc, matrix, discord] = await Promise.all([
      this.onIrc(mark, re, ms),
      this.onMatrix(mark, re, ms),
      this.onDiscord(mark, re, ms),
    ]);
    return { irc, matrix, discord };
  }

  // --- saying something and waiting for crier's answer where it was said ---

  async irc(who: RawIrcClient, text: string, re: RegExp): Promise<string> {
    const before = who.lines.length;
    who.say(CHANNEL, text);
    const answers = () =>
      who.lines
        .slice(before)
        .filter((l) => ircLine.test(l) && / NOTICE #devel :/.test(l))
        .map((l) => l.replace(/^.* NOTICE #devel :/, ""));
    return this.find("IRC", answers, re, 20_000);
  }

  async matrix(who: MatrixTestUser, text: string, re: RegExp): Promise<string> {
    const mark = this.mark();
    await who.sendText(this.net.room, text);
    return this.onMatrix(mark, re);
  }

  async discord(who: FakeUser, text: string, re: RegExp): Promise<string> {
    const mark = this.mark();
    this.net.discord.post(this.net.channelId, who, text);
    return this.onDiscord(mark, re);
  }

  /** Polls `said` until a text matches; on failure tells what crier did say there. */
  private async find(where: string, said: () => string[] | Promise<string[]>, re: RegExp, ms: number): Promise<string> {
    let hit: string | undefined;
    try {
      await waitUntil(
        `${where} to show ${re}`,
        async () => {
          hit = (await said()).find((t) => re.test(t));
          return hit !== undefined;
        },
        ms,
      );
    } catch (err) {
      const last = (await said()).slice(-8);
      throw new Error(`${(err as Error).message}; crier said on ${where}: ${JSON.stringify(last)}`);
    }
    return hit!;
  }
}
