/**
 * The peer for comparison: a minimal discord.js bot that answers every slash command with a
 * fixed ephemeral reply — what a user would get by writing a bot by hand. Connects to
 * DISCORD_API_URL with DISCORD_TOKEN (the sandbox).
 */
import { Client, Events, GatewayIntentBits, MessageFlags } from "discord.js";

const token = Deno.env.get("DISCORD_TOKEN")!;
const api = Deno.env.get("DISCORD_API_URL")!;
const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api } });
client.on(Events.InteractionCreate, async (interaction) => {
  if (!interaction.isChatInputCommand()) return;
  await interaction.reply({ content: "🏀 Pong!", flags: MessageFlags.Ephemeral }).catch(() => {});
});
client.once(Events.ClientReady, async (ready) => {
  await ready.application.commands.set([{ name: "ping", description: "Fixed reply" }]);
});
Deno.addSignalListener("SIGTERM", () => {
  client.destroy().finally(() => Deno.exit(0));
});
await client.login(token);
