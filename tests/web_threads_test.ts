/**
 * `startWeb` with several serving threads (the main one plus Web Workers on
 * one port with SO_REUSEPORT): concurrent requests all answered the same
 * way, and shutdown stopping every thread's listener.
 */
import assert from "node:assert/strict";
import { importStore } from "../tools/import.ts";
import { startWeb } from "../tools/web.ts";

const FIXTURE = new URL("./fixtures/web/", import.meta.url).pathname;

Deno.test("web with two serving threads", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "recsys-web-threads-" });
  const db = `sqlite:${dir}/recsys.db`;
  await importStore({ db, dir: FIXTURE, progress: false });
  const web = await startWeb({
    db,
    port: 0,
    host: "127.0.0.1",
    quiet: true,
    tmdb: null,
    sessionSecret: "threads-secret-0123456789",
    threads: 2,
  });
  const port = Number(new URL(web.url).port);
  try {
    await t.step("answers concurrent connections identically", async () => {
      // One client per request: separate connections, spread by the kernel over both listeners.
      const answers = await Promise.all(
        Array.from({ length: 32 }, async () => {
          const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
          try {
            const res = await fetch(`${web.url}/api/users/1/recommendations`, { client });
            return [res.status, await res.text()] as const;
          } finally {
            client.close();
          }
        }),
      );
      const first = answers[0];
      assert.equal(first[0], 200);
      assert.equal(JSON.parse(first[1]).userId, 1);
      for (const a of answers) assert.deepEqual(a, first);
    });

    await t.step("shutdown stops every thread's listener", async () => {
      await web.shutdown();
      // A Worker still listening on the port would accept this connection.
      await assert.rejects(
        Deno.connect({ hostname: "127.0.0.1", port }),
        Deno.errors.ConnectionRefused,
      );
    });
  } finally {
    await web.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("web rejects a thread count below one", async () => {
  await assert.rejects(
    startWeb({ db: "sqlite:/nonexistent/x.db", port: 0, host: "127.0.0.1", threads: 0 }),
    RangeError,
  );
});
