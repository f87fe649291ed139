/**
 * `startWeb` with several serving threads (the main one plus Web Workers on
 * one port with SO_REUSEPORT): concurrent requests spread over both threads
 * and all answered the same way, and shutdown stopping every thread's listener; and its start-up
 * checks (a busy port, a store it may not write).
 */
import assert from "node:assert/strict";
import { importStore } from "../tools/import.ts";
import { PortInUseError, startWeb } from "../tools/web.ts";
import { writeFoldInStateFile } from "../lib/models/fold_in_file.ts";
import { handFoldInState } from "./fixtures/fold_in_states.ts";

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
    await t.step("answers concurrent connections on both threads, identically", async () => {
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
      // Both threads answered some: with one listener taking all 32 connections (a chance
      // of 2^-31 when the kernel spreads them) this test would say nothing about threads.
      const served = await web.servedByThread();
      assert.equal(served.length, 2);
      assert.equal(served[0] + served[1], answers.length);
      assert.ok(served.every((n) => n > 0), `requests per thread: ${served}`);
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

Deno.test("web gives every serving thread the store's fold-in state", async () => {
  const dir = await Deno.makeTempDir({ prefix: "recsys-web-fold-in-" });
  const db = `sqlite:${dir}/recsys.db`;
  try {
    for await (const e of Deno.readDir(FIXTURE)) {
      await Deno.copyFile(FIXTURE + e.name, `${dir}/${e.name}`);
    }
    // Movies 1, 2, 4: B[j][i] with j the given movie; 1 → 2 scores 0.5, 1 → 4 scores 0.2.
    await writeFoldInStateFile(
      `${dir}/fold_in_state.bin`,
      handFoldInState({
        itemIds: Int32Array.of(1, 2, 4),
        itemCounts: Int32Array.of(3, 2, 1),
        scaleMin: 0.5,
        scaleMax: 5,
        ranking: "ease",
        lowRatingWeight: 0.5,
        easeCols: Int32Array.of(0, 1, 2),
        easeB: Float32Array.of(0, 0.5, 0.2, 0.1, 0, 0.3, 0.4, 0.1, 0),
        mu: 3.5,
        regUser: 15,
        itemBias: new Float64Array(3),
      }),
      { rankingModel: "ease", ratingModel: "bias" },
    );
    await importStore({ db, dir, progress: false });
    const web = await startWeb({
      db,
      port: 0,
      host: "127.0.0.1",
      quiet: true,
      tmdb: null,
      sessionSecret: "threads-secret-0123456789",
      threads: 2,
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 32 }, async () => {
          const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
          try {
            const res = await fetch(`${web.url}/api/recommendations`, {
              client,
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ ratings: [{ movieId: 1, rating: 5 }] }),
            });
            return [res.status, await res.text()] as const;
          } finally {
            client.close();
          }
        }),
      );
      for (const a of answers) assert.deepEqual(a, answers[0]);
      assert.equal(answers[0][0], 200);
      const body = JSON.parse(answers[0][1]);
      assert.deepEqual(body.items.map((p: { movieId: number }) => p.movieId), [2, 4]);
      assert.equal(body.items[0].title, "Heat (1995)");
      const served = await web.servedByThread();
      assert.ok(served.every((n) => n > 0), `requests per thread: ${served}`);
    } finally {
      await web.shutdown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("web rejects a thread count below one", async () => {
  await assert.rejects(
    startWeb({ db: "sqlite:/nonexistent/x.db", port: 0, host: "127.0.0.1", threads: 0 }),
    RangeError,
  );
});

Deno.test("web start-up checks", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "recsys-web-start-" });
  const db = `sqlite:${dir}/recsys.db`;
  await importStore({ db, dir: FIXTURE, progress: false });
  const options = {
    db,
    host: "127.0.0.1",
    quiet: true,
    tmdb: null,
    sessionSecret: "start-secret-0123456789",
  };
  try {
    await t.step("a port another server holds is refused, naming the port and --port", async () => {
      // Another multi-threaded server: its listener sets SO_REUSEPORT, as ours do.
      const other = Deno.serve(
        { port: 0, hostname: "127.0.0.1", reusePort: true, onListen() {} },
        () => new Response("the other store"),
      );
      try {
        const port = other.addr.port;
        for (const threads of [2, 1]) {
          await assert.rejects(startWeb({ ...options, port, threads }), (err: unknown) => {
            assert.ok(err instanceof PortInUseError, String(err));
            assert.equal(err.port, port);
            assert.match(err.message, new RegExp(`port ${port} .*in use.*--port`));
            return true;
          });
        }
      } finally {
        await other.shutdown();
      }
    });

    await t.step(
      "the web task fails at start, in one line, on a store it may not write",
      async () => {
        const root = new URL("../", import.meta.url).pathname;
        const path = `${dir}/elsewhere/recsys.db`;
        const child = new Deno.Command(Deno.execPath(), {
          args: ["task", "--quiet", "web", "--db", `sqlite:${path}`, "--port", "0"],
          cwd: root,
          stdout: "piped",
          stderr: "piped",
          env: { NO_COLOR: "1", TMDB_API_KEY: "", TMDB_READ_TOKEN: "" },
        }).spawn();
        // A server that started would run until killed.
        const timer = setTimeout(() => child.kill("SIGTERM"), 60_000);
        const out = await child.output();
        clearTimeout(timer);
        const stdout = new TextDecoder().decode(out.stdout);
        const stderr = new TextDecoder().decode(out.stderr).trim();
        assert.equal(out.success, false, `stdout: ${stdout}`);
        assert.doesNotMatch(stdout, /listening/);
        const lines = stderr.split("\n").filter((l) => !l.startsWith("web: RECSYS_SESSION_SECRET"));
        assert.equal(lines.length, 1, stderr);
        assert.match(lines[0], new RegExp(`${path}.*no write permission.*allow-write`));
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * One keep-alive client the way wrk drives one: a request, its whole answer, the next
 * request at once on the same connection; a new connection after `Connection: close`.
 * Stops when the server refuses to connect. Counts requests written whose connection
 * ended before their answer (wrk's "read errors").
 */
async function keepAliveClient(port: number, path: string) {
  const request = new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  let answered = 0, lost = 0;
  const buf = new Uint8Array(64 * 1024);
  const latin1 = new TextDecoder("latin1");
  for (;;) {
    let conn: Deno.Conn;
    try {
      conn = await Deno.connect({ hostname: "127.0.0.1", port });
    } catch (err) {
      if (err instanceof Deno.errors.ConnectionRefused) return { answered, lost };
      throw err;
    }
    let open = true;
    while (open) {
      try {
        await conn.write(request);
      } catch {
        break; // the server closed the connection before this request: it never got it
      }
      // Bytes as Latin-1 text: one character per byte, so lengths are byte counts.
      let text = "";
      let complete = false;
      try {
        for (;;) {
          const n = await conn.read(buf);
          if (n === null) break;
          text += latin1.decode(buf.subarray(0, n));
          const head = text.indexOf("\r\n\r\n");
          const length = /content-length: *(\d+)/i.exec(text)?.[1];
          if (head >= 0 && length && text.length >= head + 4 + Number(length)) {
            complete = true;
            break;
          }
        }
      } catch { /* reset */ }
      if (!complete) lost++;
      else answered++;
      open = complete && !/\r\nconnection: *close/i.test(text);
    }
    conn.close();
  }
}

Deno.test("shutdown under keep-alive load answers every request it read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "recsys-web-drain-" });
  const db = `sqlite:${dir}/recsys.db`;
  await importStore({ db, dir: FIXTURE, progress: false });
  const web = await startWeb({
    db,
    port: 0,
    host: "127.0.0.1",
    quiet: true,
    tmdb: null,
    sessionSecret: "drain-secret-0123456789",
    threads: 2,
  });
  const port = Number(new URL(web.url).port);
  try {
    const clients = Array.from(
      { length: 16 },
      () => keepAliveClient(port, "/api/users/1/recommendations"),
    );
    // Under way on every connection before the stop.
    while ((await web.servedByThread()).reduce((a, b) => a + b, 0) < 200) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await web.shutdown();
    const results = await Promise.all(clients);
    const lost = results.reduce((a, r) => a + r.lost, 0);
    assert.equal(lost, 0, `requests cut off: ${lost} (answered ${results.map((r) => r.answered)})`);
  } finally {
    await web.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
