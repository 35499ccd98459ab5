/**
 * How a game looks in Discord: the public board (embed + pick buttons) and the challenge
 * message (Accept / Decline). Pure functions from a game to a message body.
 */
import {
  DEFENSE_LABELS,
  DEFENSE_PLAYS,
  OFFENSE_LABELS,
  OFFENSE_PLAYS,
  PLAY_POINTS,
  type PossessionResult,
  regulationPossessions,
  type Side,
} from "../game/mod.ts";
import type { LiveGame } from "../services/games.ts";
import type { OutgoingMessage } from "./types.ts";

/** Display names of the two sides. */
export interface SideNames {
  home: string;
  away: string;
}

const COLOR = { active: 0xf97316, won: 0x22c55e, ended: 0x6b7280, pending: 0x3b82f6 };
const OUTCOME_TEXT = {
  made: "scores",
  missed: "misses",
  steal: "is stolen from",
  violation: "shot-clock violation",
};

/** The names for a game: the players' names, "The House" for the solo opponent. */
export function sideNames(game: LiveGame, name: (id: string) => string): SideNames {
  return {
    home: name(game.row.home_id),
    away: game.row.away_id ? name(game.row.away_id) : "The House",
  };
}

/** One play-by-play line, e.g. "Alice: Three vs Zone — scores, +3". */
export function playLine(result: PossessionResult, names: SideNames): string {
  const offense = names[result.offense];
  const play = result.offensePick ? OFFENSE_LABELS[result.offensePick] : "no pick";
  const defense = DEFENSE_LABELS[result.defensePick] +
    (result.defenseDefaulted ? " (clock ran out)" : "");
  const what = result.outcome === "violation"
    ? "shot-clock violation"
    : result.outcome === "steal"
    ? "stolen"
    : `${OUTCOME_TEXT[result.outcome]}${result.points > 0 ? `, +${result.points}` : ""}`;
  return `${offense}: ${play} vs ${defense} — ${what}`;
}

function periodText(game: LiveGame): string {
  const regulation = regulationPossessions(game.setup);
  const k = game.state.k;
  if (k < regulation) return `Possession ${k + 1} of ${regulation}`;
  return `Overtime ${Math.floor((k - regulation) / 2) + 1}`;
}

function endText(game: LiveGame, names: SideNames): string {
  const { state, row } = game;
  const score = `${state.scores.home}–${state.scores.away}`;
  if (row.status === "abandoned") {
    return `Abandoned at ${score}: both sides let the shot clock run out three times in a row.`;
  }
  if (row.status === "forfeited") {
    const loser = names[state.forfeitedBy as Side];
    return `${loser} forfeited. ${names[state.winner as Side]} wins (${score}).`;
  }
  return `Final: ${names[state.winner as Side]} wins ${score}.`;
}

/** The board message of a game (active or finished). */
export function renderBoard(game: LiveGame, names: SideNames): OutgoingMessage {
  const { state, row } = game;
  const active = row.status === "active";
  const last = state.log[state.log.length - 1];
  const fields = [];
  if (last) fields.push({ name: "Last play", value: playLine(last, names) });
  if (active && state.offense) {
    const offense = state.offense;
    const defense: Side = offense === "home" ? "away" : "home";
    const missing: string[] = [];
    if (!row.pending_offense && !(row.mode === "solo" && offense === "away")) {
      missing.push(names[offense]);
    }
    if (!row.pending_defense && !(row.mode === "solo" && defense === "away")) {
      missing.push(names[defense]);
    }
    const clock = row.deadline ? ` · shot clock <t:${Math.ceil(row.deadline / 1000)}:R>` : "";
    fields.push({
      name: "On the floor",
      value: `🏀 ${names[offense]} on offense, 🛡️ ${names[defense]} on defense${clock}\n` +
        `Waiting for: ${missing.length > 0 ? missing.join(" and ") : "—"}`,
    });
  }
  const embed = {
    title: `🏀 ${names.home} vs ${names.away}`,
    description: `**${names.home} ${state.scores.home} — ${state.scores.away} ${names.away}**\n` +
      (active ? periodText(game) : endText(game, names)),
    color: active
      ? COLOR.active
      : row.status === "completed" || row.status === "forfeited"
      ? COLOR.won
      : COLOR.ended,
    fields,
    footer: { text: `Game #${row.id} · ${row.mode === "solo" ? "solo" : "challenge"}` },
  };
  return { content: "", embeds: [embed], components: active ? pickButtons(game) : [] };
}

function pickButtons(game: LiveGame): unknown[] {
  const id = game.row.id;
  const k = game.state.k;
  return [
    {
      type: 1,
      components: OFFENSE_PLAYS.map((play) => ({
        type: 2,
        style: 1,
        label: `${OFFENSE_LABELS[play]} (${PLAY_POINTS[play]})`,
        custom_id: `pick:${id}:${k}:${play}`,
      })),
    },
    {
      type: 1,
      components: DEFENSE_PLAYS.map((play) => ({
        type: 2,
        style: 2,
        label: DEFENSE_LABELS[play],
        custom_id: `pick:${id}:${k}:${play}`,
      })),
    },
  ];
}

/** The challenge message: who challenges whom, until when, with Accept / Decline. */
export function renderChallenge(game: LiveGame, names: SideNames): OutgoingMessage {
  const { row } = game;
  if (row.status !== "pending") {
    const what = row.status === "declined"
      ? "was declined"
      : row.status === "expired"
      ? "expired unanswered"
      : "is over";
    return {
      content: `The challenge from ${names.home} to ${names.away} ${what}.`,
      embeds: [],
      components: [],
    };
  }
  const expires = row.deadline ? ` It expires <t:${Math.ceil(row.deadline / 1000)}:R>.` : "";
  return {
    content: `<@${row.away_id}>, ${names.home} challenges you to Basketball Blitz ` +
      `(${row.possessions} possessions each).${expires}`,
    components: [{
      type: 1,
      components: [
        { type: 2, style: 3, label: "Accept", custom_id: `accept:${row.id}` },
        { type: 2, style: 4, label: "Decline", custom_id: `decline:${row.id}` },
      ],
    }],
  };
}
