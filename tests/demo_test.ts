import assert from "node:assert/strict";
import { startDemo } from "../tools/demo.ts";
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
      const cards = html.slice(start, end).match(/class="score-badge"/g) ?? [];
      assert.equal(cards.length, 30, `user ${userId} sees 30 recommendations`);
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
