import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { createAdminCommand, isAdmin } from "../../src/bot/admin_command.ts";
import { guardGameHandler, InjectedFaultError } from "../../src/bot/admin_guard.ts";
import type { InteractionContext } from "../../src/bot/context.ts";
import type { OutgoingMessage, RawInteraction, RawOption } from "../../src/bot/types.ts";
import { openStore, type Store } from "../../src/store/mod.ts";
import { createAuditRepo } from "../../src/store/audit_repo.ts";
import { createFeaturesRepo } from "../../src/store/features_repo.ts";
import { createGuildSettingsRepo } from "../../src/store/guild_settings_repo.ts";
import { createAuditLog } from "../../src/services/audit.ts";
import { createFeatureFlags } from "../../src/services/features.ts";
import { createMaintenanceMode } from "../../src/services/maintenance_mode.ts";
import { createAdminActions } from "../../src/services/admin_actions.ts";
import { createErrorTracker } from "../../src/ops/error_tracker.ts";
import type { OpsStatus } from "../../src/ops/status.ts";
import { fakeTime } from "../_helpers/fake_time.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { log } from "../../src/log.ts";

let store: Store | undefined;
afterEach(() => store?.close());

interface Answer {
  kind: "reply" | "defer" | "edit";
  message?: OutgoingMessage;
  ephemeral?: boolean;
}

function fakeContext(interaction: RawInteraction): InteractionContext & { answers: Answer[] } {
  const answers: Answer[] = [];
  let answered = false;
  return {
    answers,
    interaction,
    user: interaction.member!.user,
    guildId: interaction.guild_id,
    channelId: interaction.channel_id,
    get answered() {
      return answered;
    },
    get acknowledged() {
      return answered;
    },
    reply: (message, options) => {
      answered = true;
      answers.push({ kind: "reply", message, ephemeral: options?.ephemeral });
      return Promise.resolve();
    },
    replyWithMessage: (message) => {
      answered = true;
      answers.push({ kind: "reply", message });
      return Promise.resolve({ id: "1", channel_id: "2" });
    },
    defer: (options) => {
      answered = true;
      answers.push({ kind: "defer", ephemeral: options?.ephemeral });
      return Promise.resolve();
    },
    editOriginal: (message) => {
      answers.push({ kind: "edit", message });
      return Promise.resolve();
    },
    update: () => Promise.resolve(),
    deferUpdate: () => Promise.resolve(),
    followUp: () => Promise.resolve(),
    original: () => Promise.resolve({ id: "1", channel_id: "2" }),
  };
}

function interaction(
  user: { id: string; permissions: string },
  options: RawOption[],
  name = "admin",
): RawInteraction {
  return {
    id: "i1",
    application_id: "a1",
    type: 2,
    token: "tok",
    guild_id: "900000000000000001",
    channel_id: "900000000000000002",
    member: { user: { id: user.id, username: `user${user.id}` }, permissions: user.permissions },
    data: { name, options },
  };
}

const sub = (name: string, options: RawOption[] = []): RawOption[] => [{ name, type: 1, options }];
const group = (g: string, s: string, options: RawOption[] = []): RawOption[] => [
  { name: g, type: 2, options: [{ name: s, type: 1, options }] },
];

async function setup(adminUserIds: string[] = []) {
  store = openStore(join(await tempDir(), "blitz.db"));
  const time = fakeTime(Date.UTC(2026, 5, 1, 12));
  const audit = createAuditLog({ repo: createAuditRepo(store), clock: time, logger: log("test") });
  const features = createFeatureFlags({ repo: createFeaturesRepo(store), clock: time, audit });
  const maintenance = createMaintenanceMode({ store, clock: time, audit });
  const guildSettings = createGuildSettingsRepo(store);
  let backups = 0;
  const actions = createAdminActions({
    audit,
    features,
    maintenance,
    guildSettings,
    vacuum: () => ({ bytesBefore: 10, bytesAfter: 5, reclaimedBytes: 5, durationMs: 1 }),
    backup: (label) => {
      backups++;
      return Promise.resolve({
        file: `blitz-x-manual${label ? `-${label}` : ""}.db`,
        sizeBytes: 2048,
        durationMs: 12,
        verified: true,
      });
    },
    runJob: () => Promise.reject(new Error("not used")),
  });
  const handler = createAdminCommand({
    adminUserIds,
    actions,
    status: () => ({}) as OpsStatus,
    errors: createErrorTracker({ clock: time }),
    jobs: () => [],
    features,
    audit,
    guildSettings,
    defaults: { shotClockSeconds: 30 },
    logger: log("test"),
  });
  return { handler, audit, features, maintenance, guildSettings, backups: () => backups };
}

const MEMBER = { id: "11", permissions: "104320577" }; // no Manage Server, no Administrator
const MODERATOR = { id: "14", permissions: String(0x20) };
const OWNER = { id: "10", permissions: String(0x8) };

describe("who may use /admin", () => {
  it("allows Manage Server, Administrator and ADMIN_USER_IDS, and nobody else", () => {
    expect(isAdmin(interaction(MODERATOR, []), [])).toBe(true);
    expect(isAdmin(interaction(OWNER, []), [])).toBe(true);
    expect(isAdmin(interaction({ id: "11", permissions: String(0x20 | 0x400) }, []), [])).toBe(
      true,
    );
    expect(isAdmin(interaction(MEMBER, []), [])).toBe(false);
    expect(isAdmin(interaction(MEMBER, []), ["11"])).toBe(true);
    expect(isAdmin(interaction({ id: "11", permissions: "not a number" }, []), [])).toBe(false);
  });

  it("refuses a member's /admin backup ephemerally, makes no backup, and audits the attempt", async () => {
    const { handler, audit, backups } = await setup();
    const ctx = fakeContext(interaction(MEMBER, sub("backup")));
    await handler(ctx);
    expect(ctx.answers).toEqual([{
      kind: "reply",
      ephemeral: true,
      message: { content: expect.stringMatching(/Manage Server or Administrator/) },
    }]);
    expect(backups()).toBe(0);
    expect(audit.list()[0]).toMatchObject({
      action: "admin backup",
      outcome: "refused",
      actor: { id: "11", source: "discord" },
      guildId: "900000000000000001",
    });
  });
});

describe("/admin subcommands", () => {
  it("backs up with a deferred answer, then the result", async () => {
    const { handler, audit } = await setup();
    const ctx = fakeContext(
      interaction(MODERATOR, sub("backup", [{ name: "label", type: 3, value: "pre" }])),
    );
    await handler(ctx);
    expect(ctx.answers[0]).toEqual({ kind: "defer", ephemeral: true });
    expect(ctx.answers[1]!.message!.content).toMatch(
      /Backup `blitz-x-manual-pre.db` written and verified: 2.0 KB/,
    );
    expect(audit.list()[0]).toMatchObject({
      action: "backup",
      outcome: "ok",
      target: "blitz-x-manual-pre.db",
    });
  });

  it("switches features with a reason and lists them", async () => {
    const { handler, features } = await setup();
    const off = fakeContext(interaction(
      OWNER,
      group("feature", "disable", [
        { name: "name", type: 3, value: "challenges" },
        { name: "reason", type: 3, value: "spam wave" },
      ]),
    ));
    await handler(off);
    expect(off.answers[0]!.message!.content).toBe("🔴 **challenges** is now off (spam wave).");
    expect(features.get("challenges")).toMatchObject({ enabled: false, reason: "spam wave" });
    const list = fakeContext(interaction(OWNER, group("feature", "list")));
    await handler(list);
    const description =
      (list.answers[0]!.message!.embeds![0] as { description: string }).description;
    expect(description).toMatch(/🔴 \*\*challenges\*\*.*\(spam wave\)/);
    expect(description).toMatch(/🟢 \*\*solo\*\*/);
  });

  it("turns maintenance mode on and off", async () => {
    const { handler, maintenance } = await setup();
    const on = fakeContext(interaction(
      OWNER,
      group("maintenance", "on", [
        { name: "message", type: 3, value: "Upgrading, back at 10:00" },
      ]),
    ));
    await handler(on);
    expect(maintenance.state()).toMatchObject({
      enabled: true,
      message: "Upgrading, back at 10:00",
    });
    await handler(fakeContext(interaction(OWNER, group("maintenance", "off"))));
    expect(maintenance.state().enabled).toBe(false);
  });

  it("saves per-server settings and resets them", async () => {
    const { handler, guildSettings, audit } = await setup();
    const ctx = fakeContext(interaction(
      MODERATOR,
      sub("settings", [
        { name: "admin_channel", type: 7, value: "900000000000000003" },
        { name: "shot_clock", type: 4, value: 20 },
      ]),
    ));
    await handler(ctx);
    expect(guildSettings.all("900000000000000001")).toEqual({
      admin_channel_id: "900000000000000003",
      shot_clock_seconds: "20",
    });
    const embed = ctx.answers[0]!.message!.embeds![0] as {
      title: string;
      fields: { name: string; value: string }[];
    };
    expect(embed.title).toBe("Settings saved");
    expect(embed.fields.find((f) => f.name === "Shot clock")!.value).toBe("20 s");
    await handler(
      fakeContext(
        interaction(MODERATOR, sub("settings", [{ name: "reset", type: 3, value: "shot_clock" }])),
      ),
    );
    expect(guildSettings.all("900000000000000001")).toEqual({
      admin_channel_id: "900000000000000003",
    });
    expect(audit.list()[0]).toMatchObject({
      action: "settings",
      detail: "shot_clock_seconds=(default)",
    });
  });

  it("shows the audit log to admins", async () => {
    const { handler } = await setup();
    await handler(fakeContext(interaction(MEMBER, sub("vacuum"))));
    const ctx = fakeContext(interaction(OWNER, sub("audit")));
    await handler(ctx);
    const text = (ctx.answers[0]!.message!.embeds![0] as { description: string }).description;
    expect(text).toMatch(/⛔ .*user11.* admin vacuum/);
  });
});

describe("the gate before game handlers", () => {
  const deps = (overrides: Record<string, unknown> = {}) =>
    ({
      maintenance: () => ({ enabled: false, message: "Down for maintenance", since: null, by: "" }),
      feature: (name: string) => ({
        name,
        enabled: name !== "challenges",
        description: "",
        reason: name === "challenges" ? "spam" : "",
        changedBy: "",
        changedAt: null,
        safeMode: false,
      }),
      draining: () => false,
      faults: [] as string[],
      ...overrides,
    }) as Parameters<typeof guardGameHandler>[0];
  const play = (name = "play") => interaction(MEMBER, sub(name), "blitz");
  const handled: string[] = [];
  const handler = (ctx: InteractionContext) => {
    handled.push(ctx.interaction.data!.options![0]!.name);
    return ctx.reply({ content: "ok" });
  };

  it("answers every game command with the maintenance message in maintenance mode", async () => {
    const ctx = fakeContext(play("stats"));
    await guardGameHandler(
      deps({
        maintenance: () => ({ enabled: true, message: "Back at 10:00", since: 1, by: "x" }),
      }),
      handler,
    )(ctx);
    expect(ctx.answers[0]).toMatchObject({
      ephemeral: true,
      message: { content: "Back at 10:00" },
    });
  });

  it("says a switched-off feature is off, and lets other commands through", async () => {
    const refused = fakeContext(play("challenge"));
    await guardGameHandler(deps(), handler)(refused);
    expect(refused.answers[0]!.message!.content).toBe(
      "🚧 Challenges are switched off right now (spam). Other /blitz commands still work.",
    );
    const allowed = fakeContext(play("play"));
    await guardGameHandler(deps(), handler)(allowed);
    expect(allowed.answers[0]!.message!.content).toBe("ok");
  });

  it("refuses new games while shutting down, but not the rest", async () => {
    const starting = fakeContext(play("play"));
    await guardGameHandler(deps({ draining: () => true }), handler)(starting);
    expect(starting.answers[0]!.message!.content).toMatch(/restarting/);
    const stats = fakeContext(play("stats"));
    await guardGameHandler(deps({ draining: () => true }), handler)(stats);
    expect(stats.answers[0]!.message!.content).toBe("ok");
  });

  it("fails an injected command on purpose", async () => {
    const ctx = fakeContext(play("play"));
    await expect(guardGameHandler(deps({ faults: ["blitz play"] }), handler)(ctx)).rejects
      .toBeInstanceOf(InjectedFaultError);
  });
});
