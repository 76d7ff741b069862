/** Every declared crier command as a Discord application command, with zone autocomplete; answers through the interaction. */
import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type Interaction,
  MessageFlags,
} from "discord.js";
import type { EventSink } from "../../core/adapter.js";
import type { AnyCommand } from "../../core/commands.js";
import type { MessageEvent } from "../../core/model.js";
import { suggestZones } from "../../services/zone-names.js";
import { renderDiscord } from "./markdown.js";

const TYPES = { string: 3, integer: 4, boolean: 5 } as const;

export function slashCommandsOf(commands: readonly AnyCommand[]) {
  return commands
    .filter((c) => !c.prefix && /^[a-z0-9_-]{1,32}$/.test(c.name))
    .map((c) => ({
      name: c.name,
      description: c.summary.slice(0, 100),
      options: (c.options ?? [{ name: "args", description: c.usage.slice(0, 100), type: "string" as const }]).map(
        (o) => ({
          name: o.name,
          description: o.description.slice(0, 100),
          type: TYPES[o.type],
          required: !!o.required,
          autocomplete: o.autocomplete === "zone",
        }),
      ),
    }));
}

export async function registerSlashCommands(
  client: Client,
  guildId: string,
  commands: readonly AnyCommand[],
): Promise<void> {
  // The declarations are plain JSON in Discord's own command schema; discord.js's union types cannot narrow them.
  await client.application?.commands.set(
    slashCommandsOf(commands) as unknown as Parameters<NonNullable<Client["application"]>["commands"]["set"]>[0],
    guildId,
  );
}

async function autocomplete(i: AutocompleteInteraction): Promise<void> {
  const focused = String(i.options.getFocused() ?? "");
  // `/tz set Ber…`: complete the zone after the verb.
  const m = /^(set\s+)?(.*)$/i.exec(focused)!;
  const prefix = m[1] ?? "";
  await i.respond(
    suggestZones(m[2], 25).map((z) => ({ name: `${prefix}${z}`.slice(0, 100), value: `${prefix}${z}`.slice(0, 100) })),
  );
}

/** Turns a slash command into the same MessageEvent a `!command` would be, with a responder that answers in the interaction. */
export function handleInteraction(
  account: string,
  i: Interaction,
  sink: EventSink | undefined,
  privateNames: Set<string>,
  now: number,
): void {
  if (i.isAutocomplete()) {
    void autocomplete(i).catch(() => undefined);
    return;
  }
  if (!i.isChatInputCommand() || !sink) return;
  const cmd = i as ChatInputCommandInteraction;
  const args = cmd.options.data.map((o) => String(o.value ?? "")).join(" ");
  const flags = privateNames.has(cmd.commandName) ? MessageFlags.Ephemeral : undefined;
  let answered = false;
  const deferred = cmd.deferReply({ flags }).catch(() => undefined);
  const event: MessageEvent = {
    kind: "message",
    id: `interaction:${cmd.id}`,
    room: { account, room: cmd.channelId },
    sender: {
      account,
      id: cmd.user.id,
      name:
        (cmd.member && "displayName" in cmd.member ? cmd.member.displayName : undefined) ??
        cmd.user.globalName ??
        cmd.user.username,
    },
    body: [{ t: "text", text: `!${cmd.commandName}${args ? ` ${args}` : ""}` }],
    at: new Date(now),
  };
  const handled = sink(event, async (body) => {
    await deferred;
    const content = renderDiscord(body).slice(0, 2000) || "\u200b";
    if (!answered) {
      answered = true;
      await cmd.editReply({ content, allowedMentions: { parse: [] } });
    } else await cmd.followUp({ content, flags, allowedMentions: { parse: [] } });
  });
  void handled?.catch(() => undefined); // the dispatcher logs its own failures; nothing more to say here
  // A command that says nothing still closes the "thinking…" state.
  setTimeout(() => {
    if (!answered) {
      answered = true;
      void deferred.then(() => cmd.editReply({ content: "✓" }).catch(() => undefined));
    }
  }, 10_000).unref();
}
