import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { openStore, type Store } from "../../src/store/mod.ts";
import { createAuditRepo } from "../../src/store/audit_repo.ts";
import { createFeaturesRepo } from "../../src/store/features_repo.ts";
import { type Actor, createAuditLog } from "../../src/services/audit.ts";
import {
  createCircuitBreaker,
  createFeatureFlags,
  featureOfCommand,
} from "../../src/services/features.ts";
import {
  createMaintenanceMode,
  DEFAULT_MAINTENANCE_MESSAGE,
} from "../../src/services/maintenance_mode.ts";
import { fakeTime } from "../_helpers/fake_time.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { log } from "../../src/log.ts";

let store: Store | undefined;
afterEach(() => store?.close());

const alice: Actor = { id: "11", name: "Alice", source: "discord", guildId: "100" };

async function setup() {
  const path = join(await tempDir(), "blitz.db");
  store = openStore(path);
  const time = fakeTime(Date.UTC(2026, 5, 1, 12));
  const make = (s: Store) => {
    const audit = createAuditLog({ repo: createAuditRepo(s), clock: time, logger: log("test") });
    const features = createFeatureFlags({ repo: createFeaturesRepo(s), clock: time, audit });
    const maintenance = createMaintenanceMode({ store: s, clock: time, audit });
    return { audit, features, maintenance };
  };
  return { path, time, make, ...make(store) };
}

describe("feature flags", () => {
  it("starts with every feature on, switches one off and remembers it across a restart", async () => {
    const { features, make, path } = await setup();
    expect(features.list().every((f) => f.enabled)).toBe(true);
    const changed: string[] = [];
    features.onChange((state, actor) =>
      changed.push(`${state.name}=${state.enabled} by ${actor.name}`)
    );
    const off = features.set("solo", false, alice, "bug in solo games");
    expect(off).toMatchObject({
      enabled: false,
      reason: "bug in solo games",
      changedBy: "Alice (discord)",
    });
    expect(changed).toEqual(["solo=false by Alice"]);
    store!.close();
    store = openStore(path);
    const again = make(store).features;
    expect(again.isEnabled("solo")).toBe(false);
    expect(again.get("solo").reason).toBe("bug in solo games");
    expect(again.isEnabled("challenges")).toBe(true);
  });

  it("audits every switch with who, what and why", async () => {
    const { features, audit } = await setup();
    features.set("challenges", false, alice, "spam");
    features.set("challenges", true, { id: "api", name: "tui@host", source: "api" });
    expect(
      audit.list().map((e) => `${e.actor.name} ${e.action} ${e.target} ${e.outcome} ${e.detail}`),
    )
      .toEqual([
        "tui@host feature enable challenges ok ",
        "Alice feature disable challenges ok spam",
      ]);
  });

  it("safe mode switches everything off for this run only, and is audited", async () => {
    const { features, audit, make, path } = await setup();
    features.enterSafeMode();
    expect(features.list().map((f) => [f.name, f.enabled, f.safeMode])).toEqual([
      ["challenges", false, true],
      ["solo", false, true],
      ["tournaments", false, true],
      ["reports", false, true],
      ["alerts", false, true],
    ]);
    expect(audit.list()[0]).toMatchObject({ action: "safe mode", actor: { id: "system" } });
    features.set("solo", true, alice);
    expect(features.get("solo")).toMatchObject({ enabled: true, safeMode: false });
    store!.close();
    store = openStore(path);
    expect(make(store).features.list().every((f) => f.enabled)).toBe(true);
  });

  it("maps commands to the features they belong to", () => {
    expect(featureOfCommand("blitz play")).toBe("solo");
    expect(featureOfCommand("blitz challenge")).toBe("challenges");
    expect(featureOfCommand("button:accept")).toBe("challenges");
    expect(featureOfCommand("blitz tournament create")).toBe("tournaments");
    expect(featureOfCommand("button:pick")).toBeUndefined();
    expect(featureOfCommand("blitz stats")).toBeUndefined();
  });
});

describe("the circuit breaker", () => {
  it("trips at N failures within the window, and not for failures spread wider", () => {
    const breaker = createCircuitBreaker({ threshold: 3, windowMs: 60_000 });
    expect(breaker.recordFailure("solo", 0)).toBe(false);
    expect(breaker.recordFailure("solo", 30_000)).toBe(false);
    expect(breaker.recordFailure("solo", 61_000)).toBe(false); // the first one has aged out
    expect(breaker.failures("solo", 61_000)).toBe(2);
    expect(breaker.recordFailure("challenges", 61_000)).toBe(false);
    expect(breaker.recordFailure("solo", 62_000)).toBe(true);
    expect(breaker.failures("solo", 62_000)).toBe(0);
  });

  it("forgets a feature's failures when it is reset", () => {
    const breaker = createCircuitBreaker({ threshold: 2, windowMs: 60_000 });
    breaker.recordFailure("solo", 0);
    breaker.reset("solo");
    expect(breaker.recordFailure("solo", 1)).toBe(false);
  });
});

describe("maintenance mode", () => {
  it("switches on with a message, survives a restart, and is audited", async () => {
    const { maintenance, make, path } = await setup();
    expect(maintenance.state()).toMatchObject({
      enabled: false,
      message: DEFAULT_MAINTENANCE_MESSAGE,
    });
    maintenance.set(true, alice, "Back at 10:00");
    store!.close();
    store = openStore(path);
    const { maintenance: again, audit } = make(store);
    expect(again.state()).toMatchObject({
      enabled: true,
      message: "Back at 10:00",
      by: "Alice (discord)",
    });
    again.set(false, alice);
    expect(again.state().enabled).toBe(false);
    expect(audit.list().map((e) => `${e.action}: ${e.detail}`)).toEqual([
      "maintenance off: ",
      "maintenance on: Back at 10:00",
    ]);
  });
});
