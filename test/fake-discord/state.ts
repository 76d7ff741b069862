/** The fake Discord's world: one guild, its channels, roles and members, messages, webhooks and commands. */

let counter = 0n;
/** Numeric snowflakes, increasing like Discord's (timestamp in the high bits). */
export function snowflake(): string {
  counter++;
  return ((BigInt(Date.now() - 1420070400000) << 22n) | counter).toString();
}

export interface FakeUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
  discriminator: string;
  avatar: string | null;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  guild_id: string;
  author: FakeUser;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: FakeUser[];
  mention_roles: string[];
  attachments: unknown[];
  embeds: unknown[];
  pinned: boolean;
  type: number;
  webhook_id?: string;
  nonce?: string;
  message_reference?: { message_id: string; channel_id: string; guild_id: string };
  flags: number;
}

export const PERMS = {
  ADMINISTRATOR: 1n << 3n,
  MANAGE_GUILD: 1n << 5n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  READ_HISTORY: 1n << 16n,
  MANAGE_WEBHOOKS: 1n << 29n,
  USE_APPLICATION_COMMANDS: 1n << 31n,
  ADD_REACTIONS: 1n << 6n,
};

export class World {
  readonly guildId = snowflake();
  readonly appId = snowflake();
  readonly bot: FakeUser = {
    id: this.appId,
    username: "crier",
    bot: true,
    discriminator: "0",
    avatar: null,
    global_name: null,
  };
  readonly everyoneRole = {
    id: this.guildId,
    name: "@everyone",
    permissions: String(
      PERMS.VIEW_CHANNEL |
        PERMS.SEND_MESSAGES |
        PERMS.READ_HISTORY |
        PERMS.USE_APPLICATION_COMMANDS |
        PERMS.ADD_REACTIONS,
    ),
    position: 0,
    color: 0,
    hoist: false,
    managed: false,
    mentionable: false,
    flags: 0,
  };
  readonly modRole = {
    id: snowflake(),
    name: "mods",
    permissions: String(PERMS.MANAGE_GUILD),
    position: 1,
    color: 0,
    hoist: false,
    managed: false,
    mentionable: true,
    flags: 0,
  };
  readonly botRole = {
    id: snowflake(),
    name: "crier",
    permissions: String(PERMS.ADMINISTRATOR),
    position: 2,
    color: 0,
    hoist: false,
    managed: true,
    mentionable: false,
    flags: 0,
  };
  readonly channels = new Map<string, { id: string; name: string }>();
  readonly users = new Map<string, FakeUser>([[this.bot.id, this.bot]]);
  readonly memberRoles = new Map<string, string[]>([[this.bot.id, [this.botRole.id]]]);
  readonly messages = new Map<string, FakeMessage[]>();
  readonly webhooks = new Map<string, { id: string; token: string; channel_id: string; name: string }>();
  readonly nonces = new Map<string, FakeMessage>();
  /** Reactions the bot added. */
  readonly reactions: Array<{ channelId: string; messageId: string; emoji: string; userId: string }> = [];
  commands: Array<Record<string, unknown>> = [];

  addChannel(name: string): string {
    const id = snowflake();
    this.channels.set(id, { id, name });
    this.messages.set(id, []);
    return id;
  }

  addUser(username: string, opts: { mod?: boolean } = {}): FakeUser {
    const u: FakeUser = { id: snowflake(), username, discriminator: "0", avatar: null, global_name: username };
    this.users.set(u.id, u);
    this.memberRoles.set(u.id, opts.mod ? [this.modRole.id] : []);
    return u;
  }

  member(userId: string) {
    return {
      user: this.users.get(userId),
      roles: this.memberRoles.get(userId) ?? [],
      joined_at: new Date(0).toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
      nick: null,
    };
  }

  guildPayload() {
    return {
      id: this.guildId,
      name: "Test guild",
      icon: null,
      owner_id: snowflake(),
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      features: [],
      mfa_level: 0,
      premium_tier: 0,
      preferred_locale: "en-US",
      nsfw_level: 0,
      unavailable: false,
      member_count: this.users.size,
      roles: [this.everyoneRole, this.modRole, this.botRole],
      emojis: [],
      stickers: [],
      channels: [...this.channels.values()].map((c, i) => ({
        id: c.id,
        type: 0,
        name: c.name,
        guild_id: this.guildId,
        position: i,
        permission_overwrites: [],
        nsfw: false,
        parent_id: null,
      })),
      threads: [],
      members: [...this.users.keys()].map((id) => this.member(id)),
      presences: [],
      voice_states: [],
      joined_at: new Date(0).toISOString(),
      large: false,
    };
  }

  message(channelId: string, author: FakeUser, content: string, extra: Partial<FakeMessage> = {}): FakeMessage {
    return {
      id: snowflake(),
      channel_id: channelId,
      guild_id: this.guildId,
      author,
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      flags: 0,
      ...extra,
    };
  }
}
