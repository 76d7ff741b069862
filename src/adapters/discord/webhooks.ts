/**
 * crier's relay webhook in each channel: found (one crier made earlier) or created once, then kept. Its id is also
 * how crier tells its own relayed copies from what people said, in live events and in history.
 */
import { type Client, type Message, type RESTOptions, type TextChannel, WebhookClient } from "discord.js";
import type { Logger } from "../../core/log.js";
import type { DiscordBody } from "./render.js";

export class ChannelWebhooks {
  private readonly byChannel = new Map<string, WebhookClient | null>();
  private readonly ownIds = new Set<string>();

  constructor(
    private readonly client: Client,
    /** The same REST options as the bot's (the API base, the fenced requests). */
    private readonly rest: Partial<RESTOptions>,
    private readonly log: Logger,
  ) {}

  /** The channel's webhook (found or created), or null when crier may not manage webhooks there. */
  async for(channel: TextChannel): Promise<WebhookClient | null> {
    if (this.byChannel.has(channel.id)) return this.byChannel.get(channel.id)!;
    let hookClient: WebhookClient | null = null;
    try {
      const hooks = await channel.fetchWebhooks();
      const hook =
        hooks.find((h) => h.owner?.id === this.client.user?.id && h.token) ??
        (await channel.createWebhook({ name: "crier relay" }));
      if (hook.token) {
        hookClient = new WebhookClient({ id: hook.id, token: hook.token }, { rest: this.rest });
        this.ownIds.add(hook.id);
      }
    } catch (err) {
      this.log.warn(
        { channel: channel.id, error: (err as Error).message },
        "no webhook in this channel; relaying as the bot",
      );
    }
    this.byChannel.set(channel.id, hookClient);
    return hookClient;
  }

  /** The webhook already known for a channel, without looking it up. */
  known(channelId: string): WebhookClient | null | undefined {
    return this.byChannel.get(channelId);
  }

  isOwn(webhookId: string | null | undefined): boolean {
    return !!webhookId && this.ownIds.has(webhookId);
  }

  /**
   * The ids of crier's own webhook messages among `recent` that carry `bodies`, in order — or undefined if any is
   * missing (a webhook send has no nonce, so a send in flight at a crash is found by its content and name).
   */
  findSent(recent: Message[], bodies: DiscordBody[]): string[] | undefined {
    const ids: string[] = [];
    for (const b of bodies) {
      const hit = recent.find(
        (m) =>
          this.isOwn(m.webhookId) && m.content === b.content && m.author.username === b.username && !ids.includes(m.id),
      );
      if (!hit) return undefined;
      ids.push(hit.id);
    }
    return ids;
  }

  destroy(): void {
    for (const w of this.byChannel.values()) w?.destroy();
  }
}
