import assert from "node:assert/strict";
import { startDemo } from "../tools/demo.ts";
import { openStore } from "../lib/store/open.ts";
import { PortInUseError } from "../tools/web.ts";

/** Cookie jar of one client: name → value, from Set-Cookie headers. */
function remember(jar: Map<string, string>, res: Response): void {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const eq = pair.indexOf("=");
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

Deno.test("demo", async (t) => {
  const cache = await Deno.makeTempDir();
  const options = {
    cache,
    scale: 0.002,
    seed: 3,
    port: 0,
    host: "127.0.0.1",
    workers: 2,
    progress: false,
    log: () => {},
    quiet: true,
  };

  await t.step("sets up synthetic data, the pipeline and a server that serves logins", async () => {
    const demo = await startDemo(options);
    try {
      assert.match(demo.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(demo.pipeline.steps.every((s) => s.status === "ran"));
      assert.equal(demo.userIds.length, 5);

      const jar = new Map<string, string>();
      const login = await fetch(`${demo.url}/login`);
      assert.equal(login.status, 200);
      remember(jar, login);
      const form = await login.text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form)?.[1];
      assert.ok(csrf, "login form carries a CSRF token");

      const userId = demo.userIds[0];
      const post = await fetch(`${demo.url}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie: cookieHeader(jar), origin: demo.url },
        body: new URLSearchParams({ userId: String(userId), _csrf: csrf }),
      });
      assert.equal(post.status, 303);
      await post.body?.cancel();
      remember(jar, post);

      const dash = await fetch(`${demo.url}/dashboard`, {
        headers: { cookie: cookieHeader(jar) },
      });
      assert.equal(dash.status, 200);
      const html = await dash.text();
      const start = html.indexOf('id="recommended"');
      const end = html.indexOf('id="similar-users"');
      assert.ok(start > 0 && end > start, "dashboard has the recommendations section");
      const section = html.slice(start, end);
      const cards = section.match(/class="score-badge"/g) ?? [];
      const shown = [...section.matchAll(/<h3 class="card-title"><a href="\/movies\/(\d+)"/g)]
        .map((m) => Number(m[1]));
      assert.equal(shown.length, cards.length);
      // The store's top 30 (fewer for a user who rated most of the small catalogue), none of
      // them a movie the user rated in either split.
      const store = await openStore(demo.pipeline.dbUrl);
      try {
        const recs = await store.recommendations(userId, 30);
        assert.ok(recs.items.length > 0, `user ${userId} has recommendations`);
        assert.deepEqual(shown, recs.items.map((r) => r.movie.movieId));
        const rated = await store.ratedMovies(userId, {
          sort: "date",
          order: "desc",
          offset: 0,
          limit: 1000,
        });
        const ratedIds = new Set(rated.items.map((r) => r.movie.movieId));
        for (const id of shown) assert.ok(!ratedIds.has(id), `user ${userId} rated movie ${id}`);
      } finally {
        await store.close();
      }
    } finally {
      await demo.shutdown();
    }
  });

  await t.step("starts again reusing every up-to-date step", async () => {
    const demo = await startDemo(options);
    try {
      assert.ok(demo.pipeline.steps.every((s) => s.status === "skipped"));
      const res = await fetch(`${demo.url}/login`);
      assert.equal(res.status, 200);
      await res.body?.cancel();
    } finally {
      await demo.shutdown();
    }
  });

  await t.step("a busy port is refused before the pipeline runs", async () => {
    const other = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      () => new Response("busy"),
    );
    const fresh = await Deno.makeTempDir();
    try {
      await assert.rejects(
        startDemo({ ...options, cache: fresh, port: other.addr.port }),
        PortInUseError,
      );
      assert.deepEqual([...Deno.readDirSync(fresh)], [], "nothing computed");
    } finally {
      await other.shutdown();
      await Deno.remove(fresh, { recursive: true });
    }
  });

  await Deno.remove(cache, { recursive: true });
});
