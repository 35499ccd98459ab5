/**
 * The sandbox's web view with a real Blitz game on it, as a person would see it: headless
 * Chromium takes a screenshot of the board with its buttons. Set
 * `UPDATE_SANDBOX_SCREENSHOT=1` to also copy the picture to docs/sandbox-view.png.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { type Sandbox, startSandbox } from "../../src/sandbox/mod.ts";
import {
  type BlitzProcess,
  REPO_ROOT,
  sandboxRunEnv,
  spawnBlitz,
  waitForHttp200,
} from "../_helpers/blitz_process.ts";
import { pickOnBoard, readMessage } from "../_helpers/game_driver.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe("the sandbox's web view of a game", () => {
  let sandbox: Sandbox;
  let blitz: BlitzProcess;
  let viewUrl: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    const env = sandboxRunEnv(await tempDir());
    blitz = spawnBlitz({
      args: ["run"],
      env: { ...env, DISCORD_TOKEN: sandbox.token, DISCORD_API_URL: sandbox.restUrl },
    });
    await waitForHttp200(`http://127.0.0.1:${env.httpPort}/health`, blitz);
    await blitz.waitForStderr(/Bot is ready!/);
    const alice = sandbox.users.find((u) => u.username === "alice")!;
    const started = await sandbox.client.waitForResponse(
      (await sandbox.client.command({ userId: alice.id, name: "blitz", subcommand: "play" })).id,
      10_000,
    );
    const board = await readMessage(sandbox.client, sandbox.channelId, started.original!.id);
    await pickOnBoard(sandbox.client, board, alice); // one play on the board
    viewUrl = `${sandbox.url}/_sandbox/view?channel=${sandbox.channelId}&refresh=0`;
  });
  afterAll(async () => {
    blitz.kill("SIGTERM");
    await blitz.exited;
    await sandbox.close();
  });

  it("serves the board with its pick buttons in HTML", async () => {
    const html = await (await fetch(viewUrl)).text();
    for (const label of ["Drive (2)", "Mid-range (2)", "Three (3)", "Man", "Zone", "Press"]) {
      expect(html).toContain(`>${label}</span>`);
    }
    expect(html).toMatch(/data-custom-id="pick:\d+:\d+:three"/);
    expect(html).toMatch(/Alice vs The House/);
    expect(html).toMatch(/Alice used <strong>\/blitz play<\/strong>/);
  });

  it.skipIf(!hasChromium)(
    `renders in headless Chromium to a PNG${
      hasChromium ? "" : ` (skipped: ${CHROMIUM} is not installed; apt-get install -y chromium)`
    }`,
    async () => {
      const dir = await Deno.makeTempDir({ prefix: "blitz-chromium-" });
      const png = join(dir, "view.png");
      try {
        const result = await new Deno.Command(CHROMIUM, {
          args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            `--user-data-dir=${join(dir, "profile")}`,
            `--screenshot=${png}`,
            "--window-size=1200,900",
            viewUrl,
          ],
          stdout: "null",
          stderr: "piped",
          signal: AbortSignal.timeout(60_000),
        }).output();
        expect(result.code, new TextDecoder().decode(result.stderr).slice(-2000)).toBe(0);
        const bytes = await Deno.readFile(png);
        expect([...bytes.slice(0, 8)]).toEqual(PNG_SIGNATURE);
        // Width and height from the IHDR chunk.
        const view = new DataView(bytes.buffer, bytes.byteOffset);
        expect([view.getUint32(16), view.getUint32(20)]).toEqual([1200, 900]);
        expect(bytes.length).toBeGreaterThan(20_000); // a drawn page, not a blank one
        if (Deno.env.get("UPDATE_SANDBOX_SCREENSHOT") === "1") {
          await Deno.copyFile(png, join(REPO_ROOT, "docs", "sandbox-view.png"));
        }
      } finally {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  );
});
