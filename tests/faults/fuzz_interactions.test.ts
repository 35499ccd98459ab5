/**
 * 10,000 fuzzed INTERACTION_CREATE payloads through the real router and game handlers:
 * no crash, every interaction answered once, refusals ephemeral, and nobody changes a game
 * that is not theirs.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import type { RestManager } from "@discordeno/bot";
import { createInteractionRouter } from "../../src/bot/router.ts";
import { createBlitzCommand } from "../../src/bot/blitz_command.ts";
import { createGameButtons } from "../../src/bot/game_buttons.ts";
import { createPingHandler } from "../../src/bot/ping.ts";
import type { BoardUpdater } from "../../src/bot/board_updater.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import { openStore } from "../../src/store/mod.ts";
import { createGamesRepo } from "../../src/store/games_repo.ts";
import { createGameService } from "../../src/services/games.ts";
import { log } from "../../src/log.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { fakeTime } from "../_helpers/fake_time.ts";
import { prng } from "../_helpers/fault_rig.ts";

const WEIRD = [
  "",
  " ",
  "0",
  "-1",
  "1e309",
  "NaN",
  "null",
  "💥",
  "a".repeat(300),
  "pick",
  "pick:",
  "pick:1:0:three",
  "pick:999999:0:drive",
  "pick:1:-1:zone",
  "pick:1:0:dunk",
  "accept:",
  "accept:abc",
  "decline:1",
  "pick:1:0:man:extra",
  "../../etc/passwd",
  "<script>",
  "%00",
  "pick:1.5:0:mid",
  "accept:1e3",
];

describe("fuzzed interactions", () => {
  it("answers 10,000 random payloads without crashing, each exactly once", async () => {
    const store = openStore(join(await tempDir(), "blitz.db"));
    const time = fakeTime();
    const games = createGameService({
      repo: createGamesRepo(store),
      clock: time,
      timers: time,
      shotClockMs: () => 30_000,
    });
    const metrics = createMetrics({ uptimeSeconds: () => 0, processMetrics: false });
    const callbacks = new Map<string, number>();
    let followups = 0;
    const rest = {
      sendInteractionResponse: (id: string) => {
        callbacks.set(id, (callbacks.get(id) ?? 0) + 1);
        return Promise.resolve();
      },
      getOriginalInteractionResponse: () =>
        Promise.resolve({ id: "900000000000000001", channelId: "800000000000000001" }),
      sendFollowupMessage: () => {
        followups++;
        return Promise.resolve();
      },
      editMessage: () => Promise.resolve(),
      editOriginalInteractionResponse: () => Promise.resolve(),
    } as unknown as RestManager;
    const boards: BoardUpdater = {
      remember: () => Promise.resolve(),
      refresh: () => {},
      pending: () => 0,
      flush: () => Promise.resolve(),
    };
    const errors: unknown[] = [];
    const router = createInteractionRouter({
      rest,
      logger: log("fuzz"),
      metrics,
      clock: time,
      commands: {
        ping: createPingHandler(() => 1),
        blitz: createBlitzCommand({
          games,
          repo: createGamesRepo(store),
          logger: log("fuzz"),
          rememberBoard: () => Promise.resolve(),
          refreshBoard: () => {},
        }),
      },
      components: createGameButtons({ games, boards }),
      onError: (error) => errors.push(error),
    });

    const random = prng(20261122);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const users = ["100000000000000001", "100000000000000002", "100000000000000003", "", "x"];
    const subcommands = [
      "play",
      "challenge",
      "forfeit",
      "stats",
      "leaderboard",
      "games",
      "help",
      "nope",
      "",
    ];
    // A real game, so some fuzzed clicks hit it.
    const owner = { id: "100000000000000001", name: "owner" };
    const realGame = games.startSolo({ player: owner, guildId: "1", channelId: "2" });

    const total = 10_000;
    for (let i = 0; i < total; i++) {
      const type = pick([2, 3, 3, 1, 4, 5, 99]);
      const userId = pick(users);
      const member = random() < 0.9
        ? { user: { id: userId, username: `u${userId}`, bot: random() < 0.1 } }
        : undefined;
      const customId = random() < 0.3
        ? `pick:${realGame.row.id}:${Math.floor(random() * 20) - 2}:${
          pick(["drive", "mid", "three", "man", "zone", "press", "x"])
        }`
        : pick(WEIRD);
      const options = random() < 0.5
        ? [{
          name: pick(subcommands),
          type: pick([1, 1, 2, 3]),
          options: random() < 0.5
            ? [{
              name: pick(["opponent", "possessions", "user", "scope", "zzz"]),
              type: pick([3, 4, 6]),
              value: pick([userId, "abc", -5, 99, 1e9, "global"]),
            }]
            : undefined,
        }]
        : undefined;
      const interaction = {
        id: `i${i}`,
        application_id: "1",
        type,
        token: `t${i}`,
        guild_id: random() < 0.8 ? "1" : undefined,
        channel_id: random() < 0.9 ? "2" : undefined,
        member,
        data: type === 2
          ? {
            name: pick(["blitz", "blitz", "ping", "admin", ""]),
            options,
            resolved: random() < 0.5 ? { users: { [userId]: member?.user } } : undefined,
          }
          : type === 3
          ? { custom_id: customId, component_type: 2 }
          : random() < 0.5
          ? undefined
          : { junk: true },
        message: random() < 0.8 ? { id: "900000000000000001", channel_id: "2" } : undefined,
      };
      // deno-lint-ignore no-explicit-any
      await router.handle(interaction as any);
      time.advance(Math.floor(random() * 2000));
    }
    const counted = await metrics.registry.getSingleMetric("blitz_commands_total")!.get();
    const byOutcome: Record<string, number> = {};
    for (const v of counted.values) {
      byOutcome[String(v.labels.outcome)] = (byOutcome[String(v.labels.outcome)] ?? 0) + v.value;
    }
    const byCommand = new Set(counted.values.map((v) => String(v.labels.command)));
    // The fuzz reached the real handlers, not only the "unknown" path.
    expect(byOutcome.ok).toBeGreaterThan(1000);
    expect(byOutcome.unknown).toBeGreaterThan(100);
    expect(byCommand.has("blitz play") && byCommand.has("button:pick")).toBe(true);
    expect(callbacks.size).toBe(total);
    expect([...callbacks.values()].every((n) => n === 1)).toBe(true);
    expect(errors).toEqual([]); // every failure was an explained refusal, not a handler crash
    expect(router.inFlight()).toBe(0);
    // Only an apology after a handler answered and then threw follows up, and none threw.
    expect(followups).toBe(0);
    // The real game only moved through its owner's picks.
    const after = games.get(realGame.row.id)!;
    expect(after.row.home_id).toBe(owner.id);
    store.close();
  }, 120_000);
});
