import { describe, expect, it } from "vitest";
import { createSandboxClient } from "../../src/sandbox/mod.ts";
import { sandboxRunEnv, spawnBlitz, waitForHttp200 } from "../_helpers/blitz_process.ts";
import { tempDir } from "../_helpers/temp_dir.ts";

describe("per-user rate limit through the sandbox", () => {
  it("answers a user who clicks too fast with an ephemeral slow down, counted in /metrics", async () => {
    const dataDir = await tempDir();
    const env = sandboxRunEnv(dataDir);
    const blitz = spawnBlitz({
      args: ["run"],
      env: { ...env, USER_RATE_BURST: "3", USER_RATE_PER_SECOND: "1" },
    });
    try {
      await waitForHttp200(`http://127.0.0.1:${env.httpPort}/health`, blitz);
      const client = createSandboxClient(`http://127.0.0.1:${env.sandboxPort}`);
      const alice = (await client.state()).users.find((u) => u.username === "alice")!;
      const answers = [];
      for (let i = 0; i < 6; i++) {
        answers.push(
          await client.waitForResponse(
            (await client.command({ userId: alice.id, name: "ping" })).id,
          ),
        );
      }
      const texts = answers.map((a) => String(a.callback?.data?.content));
      expect(texts.slice(0, 3).every((t) => t.includes("Pong"))).toBe(true);
      expect(texts.slice(3).some((t) => t.includes("Slow down"))).toBe(true);
      expect(answers.every((a) => a.callback?.data?.flags === 64)).toBe(true);
      let metrics = "";
      for (let i = 0; i < 50 && !/blitz_rate_limited_total [1-9]/.test(metrics); i++) {
        metrics = await (await fetch(`http://127.0.0.1:${env.httpPort}/metrics`)).text();
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(metrics).toMatch(/blitz_rate_limited_total [1-9]/);
    } finally {
      blitz.kill("SIGTERM");
      await blitz.exited;
    }
  });
});
