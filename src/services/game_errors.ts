/** The reasons a game action is refused; each carries the short text the player sees. */

/** Why an action was refused. */
export type GameRefusal =
  | "already_in_game"
  | "no_game"
  | "not_your_game"
  | "not_accepted"
  | "wrong_role"
  | "already_picked"
  | "stale_button"
  | "game_over"
  | "self_challenge"
  | "bot_opponent"
  | "opponent_busy"
  | "not_challenged"
  | "bad_input";

/** A game action the rules refuse. Nothing was changed. */
export class GameRuleError extends Error {
  override name = "GameRuleError";
  constructor(readonly reason: GameRefusal, message: string) {
    super(message);
  }
}
