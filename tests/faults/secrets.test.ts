/**
 * The bot token never shows: a real-shaped token (Discord's three parts) is used for a run at
 * debug log level through gateway and REST faults, alerts, reports and a backup, and is then
 * looked for in everything Blitz lets out — stderr and stdout, the log files, `/health`,
 * `/metrics`, every admin API read (and the event stream), `blitz doctor`, the dashboard
 * (`blitz tui` in tmux), and the output of every way Blitz ends badly: token revoked while
 * running, token rejected at start, invalid configuration, Discord unreachable, port in use,
 * corrupt database.
 */
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import { REPO_ROOT, runBlitz, sandboxRunEnv } from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";
import { freePort } from "../_helpers/ports.ts";
import { hasTmux, startTmux, type TmuxSession } from "../_helpers/tmux.ts";
import {
  type BlitzUnderTest,
  eventually,
  prng,
  reportFigures,
  sleep,
  sqliteShell,
  startBlitzAgainst,
  stopBlitz,
} from "../_helpers/fault_rig.ts";
import { createPlayers } from "../_helpers/fault_players.ts";

const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A token in Discord's shape: base64(application id) . timestamp . HMAC. */
function realShapedToken(applicationId: string, seed: number): string {
  const random = prng(seed);
  const chars = (n: number) =>
    Array.from({ length: n }, () => URL_SAFE[Math.floor(random() * 64)]).join("");
  return `${btoa(applicationId).replace(/=+$/, "")}.${chars(6)}.${chars(38)}`;
}

/** Reads an event stream for `ms`, then lets go. */
async function readStream(url: string, token: string, ms: number): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  let text = "";
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) text += decoder.decode(chunk, { stream: true });
  } catch {
    /* aborted: done */
  } finally {
    clearTimeout(timer);
  }
  return text;
}

/** Every file under `dir` whose name matches, as text. */
function textFiles(dir: string, match: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of Deno.readDirSync(d)) {
      const path = join(d, entry.name);
      if (entry.isDirectory) walk(path);
      else if (match.test(entry.name)) {
        out[path] = new TextDecoder().decode(Deno.readFileSync(path));
      }
    }
  };
  walk(dir);
  return out;
}

describe("secrets", () => {
  let sandbox: Sandbox;
  let blitz: BlitzUnderTest | undefined;
  const sessions: TmuxSession[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.kill();
    if (blitz) await stopBlitz(blitz.proc);
    await sandbox?.close();
  });

  it("never lets the bot token out, whatever happens", async () => {
    const applicationId = "1191168914227339999";
    const token = realShapedToken(applicationId, 77);
    const secretPart = token.split(".")[2]!;
    sandbox = await startSandbox({ token, heartbeatIntervalMs: 1500 });
    expect(sandbox.applicationId).toBe(applicationId);
    const dataDir = await tempDir("blitz-secrets-");
    const seen: Record<string, string> = {};

    blitz = await startBlitzAgainst(sandbox, dataDir, {
      env: {
        LOG_LEVEL: "debug",
        ADMIN_CHANNEL_ID: sandbox.arenaChannelId,
        STATS_CHANNEL_ID: sandbox.arenaChannelId,
        HEALTH_INTERVAL_SECONDS: "1",
        ALERT_MEMORY_MB: "warning=1",
      },
    });
    const adminToken = (await Deno.readTextFile(join(dataDir, "admin.token"))).trim();
    const players = createPlayers({
      sandbox,
      dbPath: join(dataDir, "blitz.db"),
      soloSeats: 3,
      challengePairs: 1,
      thinkMs: [100, 300],
      seed: 9,
    });
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${blitz!.httpUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return `${response.status} ${await response.text()}`;
    };

    // A run with something to say: play, REST failures, gateway trouble, jobs, a backup.
    await players.run(1500);
    await sandbox.client.serverErrors({ route: "PATCH /channels", durationMs: 1500, status: 502 });
    await sandbox.client.rateLimit({ scope: "global", durationMs: 1000 });
    await players.run(1500);
    await sandbox.client.dropGateway();
    await players.run(1000);
    const zombie = await sandbox.client.zombieGateway({ severAfterMs: 4500 });
    await eventually(
      async () => (await sandbox.client.faultRecord(zombie.id))?.outcome ?? undefined,
      "the zombie to be replaced",
    );
    await sandbox.client.sendInvalidSession(false);
    await eventually(
      async () => {
        const state = await sandbox.client.state();
        return state.sessions.some((s) => s.connected) ? true : undefined;
      },
      "a new session",
      15_000,
    );
    await players.run(1000);
    seen["POST /api/backups"] = await api("POST", "/api/backups", { label: "secrets" });
    seen["POST /api/jobs/daily_report/run"] = await api("POST", "/api/jobs/daily_report/run", {});
    seen["POST /api/jobs/maintenance/run"] = await api("POST", "/api/jobs/maintenance/run", {});
    await sleep(1500);
    players.stop();
    players.close();

    // Everything it shows while running.
    seen["/health"] = await (await fetch(`${blitz.httpUrl}/health`)).text();
    seen["/health/live"] = await (await fetch(`${blitz.httpUrl}/health/live`)).text();
    seen["/metrics"] = await (await fetch(`${blitz.httpUrl}/metrics`)).text();
    for (
      const path of [
        "/api/status",
        "/api/errors?limit=500",
        "/api/jobs?runs=500",
        "/api/logs?tail=1000",
        "/api/audit?limit=500",
        "/api/features",
        "/api/maintenance",
        "/api/backups",
        "/api/games",
      ]
    ) seen[`GET ${path}`] = await api("GET", path);
    seen["GET /api/stream"] = await readStream(`${blitz.httpUrl}/api/stream`, adminToken, 2500);
    const doctorEnv = {
      ...blitz.env,
      DISCORD_TOKEN: token,
      DISCORD_API_URL: sandbox.restUrl,
    };
    const doctor = await runBlitz({ args: ["doctor", "-d", dataDir], env: doctorEnv });
    seen["blitz doctor"] = doctor.stdout + doctor.stderr;
    const doctorJson = await runBlitz({
      args: ["doctor", "-d", dataDir, "--json"],
      env: doctorEnv,
    });
    seen["blitz doctor --json"] = doctorJson.stdout + doctorJson.stderr;

    // The dashboard, run from a shell that has the token in its environment.
    let tuiFrames = 0;
    if (hasTmux()) {
      const tui = await startTmux(
        "secrets",
        `cd ${REPO_ROOT} && DISCORD_TOKEN='${token}' NO_COLOR=1 ${Deno.execPath()} run -A --quiet ` +
          `src/main.ts tui --url ${blitz.httpUrl} --token-file ${join(dataDir, "admin.token")}`,
        160,
        50,
      );
      sessions.push(tui);
      await tui.waitFor((s) => s.includes("ONLINE"), "the dashboard online", 30_000);
      for (let i = 0; i < 8; i++) {
        seen[`blitz tui frame ${i}`] = await tui.screen();
        tuiFrames++;
        await sleep(300);
      }
      await tui.kill();
    }

    // Token revoked while running: exit 4.
    await sandbox.client.revokeToken(20_000);
    const revokedCode = await Promise.race([blitz.proc.exited, sleep(20_000).then(() => -1)]);
    if (revokedCode === -1) blitz.proc.kill("SIGKILL");
    seen["run: token revoked (stderr)"] = blitz.proc.stderr();
    seen["run: token revoked (stdout)"] = blitz.proc.stdout();
    blitz = undefined;
    await eventually(
      async () => (await sandbox.client.state()).settings.tokenValid ? true : undefined,
      "the token to be valid again",
      25_000,
      250,
    );
    Object.assign(seen, textFiles(dataDir, /\.(log|json|txt)$|log/));
    seen["blitz.db (sqlite3 .dump)"] = await sqliteShell(join(dataDir, "blitz.db"), ".dump");

    // The ways a start can end badly, each with the token in the environment.
    const failures: Record<string, number> = {};
    const failDir = await tempDir("blitz-secrets-fail-");
    const failEnv = () => ({ ...sandboxRunEnv(failDir), DISCORD_API_URL: sandbox.restUrl });
    const otherToken = realShapedToken(applicationId, 78);
    const cases: [string, Record<string, string>][] = [
      ["token rejected at start", { ...failEnv(), DISCORD_TOKEN: otherToken }],
      ["invalid configuration", { ...failEnv(), DISCORD_TOKEN: token, BLITZ_HTTP_PORT: "eighty" }],
      [
        "Discord unreachable",
        {
          ...failEnv(),
          DISCORD_TOKEN: token,
          DISCORD_API_URL: `http://127.0.0.1:${freePort()}/api`,
          DISCORD_REST_TIMEOUT_SECONDS: "2",
        },
      ],
      [
        "port in use",
        {
          ...failEnv(),
          DISCORD_TOKEN: token,
          BLITZ_HTTP_PORT: new URL(sandbox.url).port,
        },
      ],
    ];
    for (const [name, env] of cases) {
      const run = await runBlitz({ args: ["run"], env });
      failures[name] = run.code;
      seen[`run: ${name}`] = run.stdout + run.stderr;
    }
    const corruptDir = await tempDir("blitz-secrets-corrupt-");
    await Deno.writeFile(
      join(corruptDir, "blitz.db"),
      new TextEncoder().encode("not sqlite".repeat(500)),
    );
    const corrupt = await runBlitz({
      args: ["run"],
      env: { ...sandboxRunEnv(corruptDir), DISCORD_TOKEN: token, DISCORD_API_URL: sandbox.restUrl },
    });
    failures["corrupt database"] = corrupt.code;
    seen["run: corrupt database"] = corrupt.stdout + corrupt.stderr;

    const leaks = Object.entries(seen)
      .filter(([, text]) => text.includes(token) || text.includes(secretPart))
      .map(([where]) => where);
    const otherLeaks = Object.entries(seen)
      .filter(([, text]) => text.includes(otherToken) || text.includes(otherToken.split(".")[2]!))
      .map(([where]) => where);
    const bytes = Object.values(seen).reduce((n, t) => n + t.length, 0);
    reportFigures("secrets", {
      placesSearched: Object.keys(seen).length,
      bytesSearched: bytes,
      tuiFrames,
      redactionsInLog: (seen["run: token revoked (stderr)"]!.match(/\[REDACTED\]/g) ?? []).length,
      exitCodes: { "token revoked while running": revokedCode, ...failures },
      leaks: [...leaks, ...otherLeaks],
    });

    expect(leaks).toEqual([]);
    expect(otherLeaks).toEqual([]);
    // The runs did what they were meant to (so the search covered real output).
    expect(revokedCode).toBe(4);
    expect(failures).toEqual({
      "token rejected at start": 4,
      "invalid configuration": 78,
      "Discord unreachable": 1,
      "port in use": 78,
      "corrupt database": 3,
    });
    expect(seen["run: token revoked (stderr)"]).toMatch(/Shard|RESUME|Resum/i);
    expect(seen["/metrics"]).toMatch(/blitz_commands_total/);
    expect(tuiFrames === 0 || seen["blitz tui frame 0"]!.includes("ONLINE")).toBe(true);
  }, 240_000);
});
