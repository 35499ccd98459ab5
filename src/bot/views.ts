/** The read-only answers: stats, leaderboard, open games, help. Pure renderers. */
import type { PlayerRow } from "../store/games_repo.ts";
import type { LiveGame } from "../services/games.ts";
import type { SideNames } from "./board.ts";
import type { OutgoingMessage } from "./types.ts";

/** A player's record, or a friendly note when they have not played. */
export function renderStats(
  player: PlayerRow | undefined,
  rank: number | undefined,
  fallbackName?: string,
): OutgoingMessage {
  if (!player) {
    return {
      content: `${
        fallbackName ?? "That player"
      } hasn't played Basketball Blitz yet. Start with /blitz play.`,
    };
  }
  const games = player.wins + player.losses;
  const winRate = games > 0 ? `${Math.round((player.wins / games) * 100)}%` : "—";
  return {
    embeds: [{
      title: `📊 ${player.name}`,
      color: 0x3b82f6,
      fields: [
        {
          name: "Rating",
          value: `${player.rating}${rank && player.games_played > 0 ? ` (#${rank})` : ""}`,
          inline: true,
        },
        { name: "Record", value: `${player.wins}–${player.losses} (${winRate})`, inline: true },
        { name: "Games", value: String(player.games_played), inline: true },
        {
          name: "Points",
          value: `${player.points_for} for, ${player.points_against} against`,
          inline: true,
        },
        { name: "Last seen", value: `<t:${Math.floor(player.last_seen / 1000)}:R>`, inline: true },
      ],
    }],
  };
}

/** The top players. */
export function renderLeaderboard(rows: PlayerRow[], global: boolean): OutgoingMessage {
  const title = global ? "🏆 Global leaderboard" : "🏆 Server leaderboard";
  if (rows.length === 0) {
    return { content: `${title}: no finished games yet. Be the first: /blitz play.` };
  }
  const medal = ["🥇", "🥈", "🥉"];
  const lines = rows.map((p, i) =>
    `${medal[i] ?? `${i + 1}.`} **${p.name}** — ${p.rating} (${p.wins}–${p.losses})`
  );
  return { embeds: [{ title, color: 0xeab308, description: lines.join("\n") }] };
}

/** The open games of a server. */
export function renderGames(
  games: LiveGame[],
  names: (game: LiveGame) => SideNames,
): OutgoingMessage {
  if (games.length === 0) {
    return { content: "No games are being played here right now. Start one: /blitz play." };
  }
  const lines = games.map((g) => {
    const n = names(g);
    const state = g.row.status === "pending"
      ? "waiting for an answer"
      : `${g.state.scores.home}–${g.state.scores.away}, possession ${g.state.k + 1}`;
    return `#${g.row.id} **${n.home}** vs **${n.away}** — ${state}`;
  });
  return {
    embeds: [{ title: "🏀 Games in progress", color: 0xf97316, description: lines.join("\n") }],
  };
}

/** How to play. */
export function renderHelp(): OutgoingMessage {
  return {
    embeds: [{
      title: "🏀 How to play Basketball Blitz",
      color: 0xf97316,
      description: [
        "**/blitz play** — a solo game against the House.",
        "**/blitz challenge @member [possessions]** — a duel; it expires after 5 minutes unanswered.",
        "Each possession one side attacks and one defends; home attacks first. Pick in secret with the buttons.",
        "Offense: **Drive** (2), **Mid-range** (2), **Three** (3). Defense: **Man**, **Zone**, **Press** " +
        "(Press steals 12% of the time).",
        "Miss the shot clock on offense: a violation. On defense: you play Man.",
        "Tied after regulation: overtime, one possession each, until someone leads.",
        "**/blitz forfeit** ends your game as a loss. **/blitz stats**, **/blitz leaderboard**, **/blitz games**.",
        "Challenges change Elo ratings (start 1000, K 32); solo games do not.",
      ].join("\n"),
    }],
  };
}
