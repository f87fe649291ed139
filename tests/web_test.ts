import assert from "node:assert/strict";
import { absent } from "./fixtures/services.ts";
import { HTTPException } from "hono/http-exception";
import { createApp, MAX_BODY_BYTES } from "../routes/app.ts";
import { CookieSigner } from "../routes/_middleware.ts";
import { TmdbMetadata } from "../lib/tmdb.ts";
import { type Store, StoreUnavailableError } from "../lib/store/store.ts";
import { openStore } from "../lib/store/open.ts";
import { importStore } from "../tools/import.ts";
import mysql from "mysql2/promise";

const IMAGE_BASE = "https://image.example.test/t/p/w185";
/** Hand-written MovieLens-format files; movie 3's title is an XSS attempt. */
const FIXTURE = new URL("./fixtures/web/", import.meta.url).pathname;

/** Posters and overviews from the store's TMDB cache only, as pages without a TMDB key see them. */
const cacheOnly = (store: Store) => new TmdbMetadata(store, null, IMAGE_BASE);

/** A store whose every call fails with `failure()` while one is set. */
function switchable(store: Store): { store: Store; setFailure(f: (() => Error) | null): void } {
  let failure: (() => Error) | null = null;
  const proxy = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        failure ? Promise.reject(failure()) : value.apply(target, args);
    },
  });
  return { store: proxy, setFailure: (f) => failure = f };
}

const MYSQL = Deno.env.get("RECSYS_TEST_MYSQL_URL");

/** A fresh database on the MySQL test server; `drop` removes it. */
async function mysqlDatabase(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `recsys_web_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = await mysql.createConnection({ uri: base, connectTimeout: 3000 });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  const u = new URL(base);
  u.pathname = "/" + name;
  return {
    url: u.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

/**
 * The fixture imported into a fresh store (a SQLite file, or a MySQL
 * database on `mysqlBase`), with two TMDB cache entries.
 */
async function setup(mysqlBase?: string) {
  const dir = await Deno.makeTempDir({ prefix: "recsys-web-test-" });
  const server = mysqlBase ? await mysqlDatabase(mysqlBase) : null;
  const db = server ? server.url : `sqlite:${dir}/recsys.db`;
  await importStore({ db, dir: FIXTURE, progress: false });
  const sqlite = await openStore(db);
  await sqlite.tmdbPut({
    movieId: 1,
    status: "ok",
    tmdbId: 862,
    posterPath: "/toy.jpg",
    overview: "Woody <b>and</b> Buzz",
    fetchedAt: 1,
  });
  await sqlite.tmdbPut({
    movieId: 4,
    status: "not_found",
    tmdbId: null,
    posterPath: null,
    overview: null,
    fetchedAt: 1,
  });
  const { store, setFailure } = switchable(sqlite);
  const tmdb = cacheOnly(store);
  const app = createApp({ store, sessionSecret: "test-secret-0123456789", metadata: tmdb });
  const close = async () => {
    await sqlite.close();
    await server?.drop();
    await Deno.remove(dir, { recursive: true });
  };
  const setDown = (down: boolean) =>
    setFailure(down ? () => new StoreUnavailableError("database switched off by the test") : null);
  return { app, setDown, setFailure, close };
}

type App = Awaited<ReturnType<typeof setup>>["app"];

/** Cookie header built from a response's Set-Cookie lines (name=value only). */
function cookiesOf(res: Response, previous = ""): string {
  const jar = new Map(
    previous.split("; ").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv]),
  );
  for (const line of res.headers.getSetCookie()) {
    const kv = line.split(";")[0];
    const name = kv.slice(0, kv.indexOf("="));
    if (kv.endsWith("=")) jar.delete(name);
    else jar.set(name, kv);
  }
  return [...jar.values()].join("; ");
}

async function loginForm(app: App): Promise<{ cookie: string; token: string }> {
  const res = await app.request("/login");
  assert.equal(res.status, 200);
  const html = await res.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, "the login form carries a CSRF token");
  return { cookie: cookiesOf(res), token };
}

function post(
  app: App,
  path: string,
  cookie: string,
  fields: Record<string, string>,
  headers = {},
) {
  return app.request(path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

async function loggedIn(app: App, userId: string): Promise<string> {
  const { cookie, token } = await loginForm(app);
  const res = await post(app, "/login", cookie, { _csrf: token, userId });
  assert.equal(res.status, 303);
  return cookiesOf(res, cookie);
}

Deno.test("login and session", async (t) => {
  const { app, close } = await setup();
  try {
    await t.step("the login page shows the form with example user ids", async () => {
      const res = await app.request("/login");
      const html = await res.text();
      assert.equal(res.status, 200);
      assert.match(html, /<form method="post" action="\/login"/);
      assert.match(html, /data-island="UserIdSuggest"/);
      // sampleUserIds are the users with predictions: 1 and 2.
      // `\s*`: the precompile JSX transform leaves a space where a `key` attribute was.
      assert.match(html, /<button\s+type="submit" name="pick" value="1" class="chip">1<\/button>/);
      assert.match(html, /value="2" class="chip">2</);
    });

    await t.step("a known user id logs in with a signed HttpOnly SameSite=Lax cookie", async () => {
      const { cookie, token } = await loginForm(app);
      const res = await post(app, "/login", cookie, { _csrf: token, userId: " 1 " });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/dashboard");
      const line = res.headers.getSetCookie().find((l) => l.startsWith("recsys_session="));
      assert.ok(line);
      assert.match(line, /HttpOnly/);
      assert.match(line, /SameSite=Lax/);
      assert.match(line, /Path=\//);
    });

    await t.step("an example button logs in as that user", async () => {
      const { cookie, token } = await loginForm(app);
      const res = await post(app, "/login", cookie, { _csrf: token, userId: "", pick: "2" });
      assert.equal(res.status, 303);
      const dash = await app.request("/dashboard", { headers: { cookie: cookiesOf(res, cookie) } });
      assert.match(await dash.text(), /Welcome back, user 2/);
    });

    await t.step("a non-numeric id gets the form again with a message and 400", async () => {
      const { cookie, token } = await loginForm(app);
      const res = await post(app, "/login", cookie, { _csrf: token, userId: "abc" });
      assert.equal(res.status, 400);
      const html = await res.text();
      assert.match(html, /is not a user id: use digits only/);
      assert.match(html, /value="abc"/);
      assert.equal(res.headers.getSetCookie().some((l) => l.startsWith("recsys_session=")), false);
    });

    await t.step("an empty id gets 400", async () => {
      const { cookie, token } = await loginForm(app);
      const res = await post(app, "/login", cookie, { _csrf: token, userId: "" });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /Enter your user id/);
    });

    await t.step("a negative, fractional or huge id gets 400", async () => {
      for (const userId of ["-1", "1.5", "99999999999"]) {
        const { cookie, token } = await loginForm(app);
        const res = await post(app, "/login", cookie, { _csrf: token, userId });
        assert.equal(res.status, 400, userId);
        await res.body?.cancel();
      }
      // 0 is an id like any other: this data set just has no user 0 (tests/dashboard_test.ts).
      const { cookie, token } = await loginForm(app);
      const res = await post(app, "/login", cookie, { _csrf: token, userId: "0" });
      assert.equal(res.status, 404);
      assert.match(await res.text(), /There is no user 0 in this data set/);
    });

    await t.step("an unknown user gets the form again with a message and 404", async () => {
      const { cookie, token } = await loginForm(app);
      const res = await post(app, "/login", cookie, { _csrf: token, userId: "77" });
      assert.equal(res.status, 404);
      assert.match(await res.text(), /There is no user 77 in this data set/);
    });

    await t.step("a POST without the CSRF token is rejected with 403", async () => {
      const { cookie } = await loginForm(app);
      const res = await post(app, "/login", cookie, { userId: "1" });
      assert.equal(res.status, 403);
      assert.equal(res.headers.getSetCookie().some((l) => l.startsWith("recsys_session=")), false);
      await res.body?.cancel();
    });

    await t.step("a POST with another token or without the cookie is rejected", async () => {
      const { cookie, token } = await loginForm(app);
      const other = await post(app, "/login", cookie, { _csrf: token + "x", userId: "1" });
      assert.equal(other.status, 403);
      await other.body?.cancel();
      const noCookie = await post(app, "/login", "", { _csrf: token, userId: "1" });
      assert.equal(noCookie.status, 403);
      await noCookie.body?.cancel();
    });

    await t.step("a POST from another origin is rejected even with a valid token", async () => {
      const { cookie, token } = await loginForm(app);
      const res = await post(app, "/login", cookie, { _csrf: token, userId: "1" }, {
        origin: "https://evil.example",
      });
      assert.equal(res.status, 403);
      await res.body?.cancel();
    });

    await t.step("the dashboard redirects to /login without a session", async () => {
      const res = await app.request("/dashboard");
      assert.equal(res.status, 302);
      assert.equal(res.headers.get("location"), "/login");
    });

    await t.step("a tampered session cookie is rejected", async () => {
      const cookie = await loggedIn(app, "1");
      const ok = await app.request("/dashboard", { headers: { cookie } });
      assert.equal(ok.status, 200);
      await ok.body?.cancel();
      // Same signature, another user id: the HMAC no longer matches.
      const forged = cookie.replace(/recsys_session=1\./, "recsys_session=2.");
      assert.notEqual(forged, cookie);
      const res = await app.request("/dashboard", { headers: { cookie: forged } });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get("location"), "/login");
    });

    await t.step("a valid session of a user the store no longer has ends", async () => {
      // Signed with the app's secret, as a login before a re-import without user 99 would be.
      const signed = new CookieSigner("test-secret-0123456789")
        .sign(`99.${Math.floor(Date.now() / 1000)}.${"a".repeat(22)}`);
      const res = await app.request("/dashboard", {
        headers: { cookie: `recsys_session=${signed}` },
      });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get("location"), "/login");
      assert.ok(res.headers.getSetCookie().some((c) => /^recsys_session=;/.test(c)));
    });

    await t.step("a session cookie dated in the future is refused", async () => {
      const signer = new CookieSigner("test-secret-0123456789");
      const now = Math.floor(Date.now() / 1000);
      for (const [ahead, status] of [[10 * 365 * 86400, 302], [3600, 302], [5, 200]]) {
        const signed = signer.sign(`1.${now + ahead}.${"b".repeat(22)}`);
        const res = await app.request("/dashboard", {
          headers: { cookie: `recsys_session=${signed}` },
        });
        await res.body?.cancel();
        assert.equal(res.status, status, `${ahead} s ahead`);
      }
    });

    await t.step("logging out revokes the session: a copy of its cookie is refused", async () => {
      const cookie = await loggedIn(app, "1");
      const copy = cookie;
      const page = await app.request("/dashboard", { headers: { cookie } });
      assert.equal(page.status, 200);
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
      const res = await post(app, "/logout", cookie, { _csrf: token });
      assert.equal(res.status, 303);
      const again = await app.request("/dashboard", { headers: { cookie: copy } });
      assert.equal(again.status, 302);
      assert.equal(again.headers.get("location"), "/login");
      // Another session of the same user is not affected.
      const other = await loggedIn(app, "1");
      const ok = await app.request("/dashboard", { headers: { cookie: other } });
      assert.equal(ok.status, 200);
      await ok.body?.cancel();
    });

    await t.step("a session signed with another secret is rejected", async () => {
      const cookie = await loggedIn(app, "1");
      const store = await openStore("sqlite::memory:");
      const other = createApp({
        store,
        sessionSecret: "another-secret-9876543210",
        metadata: cacheOnly(store),
      });
      const res = await other.request("/dashboard", { headers: { cookie } });
      await store.close();
      assert.equal(res.status, 302);
      assert.equal(res.headers.get("location"), "/login");
    });

    await t.step("logging out clears the session", async () => {
      const cookie = await loggedIn(app, "1");
      const page = await app.request("/dashboard", { headers: { cookie } });
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
      const res = await post(app, "/logout", cookie, { _csrf: token });
      assert.equal(res.status, 303);
      const after = cookiesOf(res, cookie);
      assert.doesNotMatch(after, /recsys_session=/);
      const dash = await app.request("/dashboard", { headers: { cookie: after } });
      assert.equal(dash.status, 302);
    });
  } finally {
    await close();
  }
});

/**
 * User 1's predicted stars for Amélie on the similar-users list: the classic user-based
 * formula over the two neighbours who rated it (binary cosine 2/sqrt(3·3) and
 * 1/sqrt(3·2), 6 decimals, training means): μ1 + Σ s (r − μv) / Σ s.
 */
const USER1_AMELIE = (() => {
  const [s2, s3] = [0.666667, 0.408248];
  const mu = [(4 + 3.5 + 5) / 3, (4.5 + 3 + 4) / 3, (2 + 4.5) / 2];
  return mu[0] + (s2 * (4 - mu[1]) + s3 * (4.5 - mu[2])) / (s2 + s3);
})();

/** A page's HTML, after checking that it answered 200. */
async function pageHtml(app: App, path: string, cookie: string): Promise<string> {
  const res = await app.request(path, { headers: { cookie } });
  assert.equal(res.status, 200);
  return await res.text();
}

/** User 1's dashboard of the fixture: the same three sections whatever the store's backend. */
function assertUser1Dashboard(html: string): void {
  assert.match(html, /Movies you have rated/);
  assert.match(html, /Recommended for you/);
  assert.match(html, /Users similar to you/);
  // The picks come first, above the rated movies and the similar users.
  assert.ok(html.indexOf("Recommended for you") < html.indexOf("Movies you have rated"));
  assert.ok(html.indexOf("Movies you have rated") < html.indexOf("Users similar to you"));
  // Rated: 3 movies in training and Zodiac in the test split, newest first.
  assert.match(html, /4 ratings in total/);
  assert.ok(html.indexOf("Zodiac", html.indexOf("rated-table")) > 0);
  const order = ["&lt;script>", "Heat", "Toy Story"].map((s) =>
    html.indexOf(s, html.indexOf("rated-table"))
  );
  assert.ok(order[0] < order[1] && order[1] < order[2], `rated order ${order}`);
  assert.match(html, /★ 3\.5/);
  assert.match(html, /2001-01-01/);
  // Recommendations: the model list, predicted stars beside the user's average
  // ((4 + 3.5 + 5 + 4) / 4 = 4.125) and the movie each comes from, if the user liked it:
  // Zodiac's ★4.0 is below the average, so the first card gives the plain reason.
  assert.match(html, /★4\.2<\/span> predicted <span class="score-mean">your average ★4\.1</);
  assert.doesNotMatch(html, /Because you rated Zodiac/);
  assert.match(html, /Picked from all your ratings/);
  assert.match(html, /Because you rated &lt;script>alert\(&quot;owned&quot;\)&lt;\/script>/);
  assert.doesNotMatch(html, /similar users<\/p>|Liked by/);
  // Similar users by binary cosine: user 2 shares Toy Story and Heat, 2 / sqrt(3 · 3).
  assert.match(html, /<td>User 2<\/td>/);
  assert.match(html, /0\.667/);
  assert.match(html, /<td class="num">2<\/td>/);
}

Deno.test("pages", async (t) => {
  const { app, close } = await setup();
  try {
    const cookie = await loggedIn(app, "1");

    await t.step("the dashboard shows the three sections from the store", async () => {
      assertUser1Dashboard(await pageHtml(app, "/dashboard", cookie));
    });

    await t.step("a switch changes to the list from similar users and back", async () => {
      const tabs = (html: string) =>
        [...html.matchAll(/<a\s+class="tab" href="([^"]+)"( aria-current="page")?/g)].map((m) => [
          m[1],
          m[2] !== undefined,
        ]);
      const model = await (await app.request("/dashboard", { headers: { cookie } })).text();
      assert.deepEqual(tabs(model), [
        ["/dashboard?list=model#recommended", true],
        ["/dashboard?list=similar-users#recommended", false],
      ]);
      assert.match(model, /top 2 ranked for you/);
      const seed = await pageHtml(app, "/dashboard?list=similar-users", cookie);
      assert.deepEqual(tabs(seed).map((t) => t[1]), [false, true]);
      // Amélie: users 2 (★4.0) and 3 (★4.5) liked it, the only movie two of them liked.
      assert.match(seed, /top 1 liked by the users most similar to you/);
      assert.match(seed, /Liked by 2 of your similar users/);
      assert.doesNotMatch(seed, /Because you rated/);
      const back = await (await app.request("/dashboard?list=model", { headers: { cookie } }))
        .text();
      assert.deepEqual(tabs(back).map((t) => t[1]), [true, false]);
      const bad = await app.request("/dashboard?list=best", { headers: { cookie } });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /list must be one of model, similar-users/);
    });

    await t.step("the switch and the rated table's links keep each other's state", async () => {
      const html = await (await app.request(
        "/dashboard?list=similar-users&sort=title&order=asc&pageSize=2&page=2",
        { headers: { cookie } },
      )).text();
      assert.match(
        html,
        /href="\/dashboard\?list=model&amp;sort=title&amp;order=asc&amp;page=2&amp;pageSize=2#recommended"/,
      );
      assert.match(
        html,
        /href="\/dashboard\?sort=title&amp;order=asc&amp;page=1&amp;list=similar-users#rated"/,
      );
      assert.match(html, /Liked by 2 of your similar users/);
    });

    await t.step("a model list without per-item reasons gives a plain reason", async () => {
      const html =
        await (await app.request("/dashboard", { headers: { cookie: await loggedIn(app, "3") } }))
          .text();
      assert.match(html, /★3\.1<\/span> predicted/);
      assert.match(html, /Picked from all your ratings/);
      assert.doesNotMatch(html, /Because you rated|Popular with everyone/);
    });

    await t.step(
      "a user the model has no list for gets the similar-users list, no switch",
      async () => {
        const html =
          await (await app.request("/dashboard", { headers: { cookie: await loggedIn(app, "2") } }))
            .text();
        // User 2's one similar user (1) is no support of 2 for any movie: no list at all,
        // so the most-rated movies, said plainly, none of them one user 2 rated.
        assert.match(html, /Rate a few movies to get picks of your own/);
        assert.doesNotMatch(html, /class="tab"|Liked by|predicted/);
        const picks = html.slice(html.indexOf('id="recommended"'), html.indexOf('id="rated"'));
        for (const rated of ['"/movies/1"', '"/movies/2"', '"/movies/4"']) {
          assert.ok(!picks.includes(rated), rated);
        }
        assert.match(picks, /One of the most-rated movies/);
      },
    );

    await t.step(
      "movie cards link to MovieLens and the movie page and carry the overview",
      async () => {
        const res = await app.request("/dashboard", { headers: { cookie } });
        const html = await res.text();
        assert.match(html, /href="https:\/\/movielens\.org\/movies\/4"/);
        assert.match(html, /href="\/movies\/4"/);
        // Amélie is cached as not_found: placeholder, no img.
        assert.match(html, /aria-label="No poster for Amélie"/);
        // Rated Toy Story has a cached poster: thumbnail from the image base.
        assert.match(html, new RegExp(`src="${IMAGE_BASE}/toy\\.jpg"`));
      },
    );

    await t.step("the rated table sorts and pages from the query string", async () => {
      const res = await app.request("/dashboard?sort=title&order=asc&pageSize=2&page=2", {
        headers: { cookie },
      });
      const html = await res.text();
      // Titles ascending: "<script>…", "Heat (1995)", "Toy Story (1995)": page 2 of size 2 holds Toy Story only.
      const table = html.slice(html.indexOf("rated-table"), html.indexOf("</table>"));
      assert.match(table, /Toy Story/);
      assert.doesNotMatch(table, /Heat/);
      assert.match(html, /Page 2 of 2/);
    });

    await t.step("a bad sort parameter is a 400 page", async () => {
      const res = await app.request("/dashboard?sort=evil", { headers: { cookie } });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /sort must be one of/);
    });

    await t.step("the movie page shows details, links and similar movies", async () => {
      const res = await app.request("/movies/1");
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /<h1>Toy Story<span class="movie-year">1995<\/span><\/h1>/);
      assert.match(html, /<li\s*>Adventure<\/li><li\s*>Animation<\/li>/);
      assert.match(html, /Woody &lt;b>and&lt;\/b> Buzz/);
      assert.match(html, /https:\/\/www\.imdb\.com\/title\/tt0114709\//);
      assert.match(html, /https:\/\/www\.themoviedb\.org\/movie\/862/);
      assert.match(html, /https:\/\/movielens\.org\/movies\/1"/);
      assert.match(html, /Similar movies/);
      assert.match(html, /0\.90<\/span> similarity/);
      assert.match(html, /href="\/movies\/2"/);
    });

    await t.step("an XSS attempt through a movie title renders as text", async () => {
      for (const path of ["/movies/3", "/dashboard"]) {
        const html = await (await app.request(path, { headers: { cookie } })).text();
        assert.doesNotMatch(html, /<script>alert/);
        assert.doesNotMatch(html, /<img src=x/);
        assert.match(html, /&lt;script>alert\(&quot;owned&quot;\)&lt;\/script>/);
      }
    });

    await t.step("pages contain no inline script", async () => {
      for (const path of ["/login", "/movies/1"]) {
        const html = await (await app.request(path)).text();
        assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
      }
    });

    await t.step("an unknown movie is a 404 page and a malformed id a 400 page", async () => {
      const missing = await app.request("/movies/999");
      assert.equal(missing.status, 404);
      assert.match(await missing.text(), /no movie 999/);
      const bad = await app.request("/movies/1x");
      assert.equal(bad.status, 400);
      await bad.body?.cancel();
    });

    await t.step("an unknown path is the 404 page", async () => {
      const res = await app.request("/no/such/page");
      assert.equal(res.status, 404);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      assert.match(await res.text(), /There is no page at this address/);
      const signedIn = await app.request("/no/such/page", { headers: { cookie } });
      assert.match(await signedIn.text(), /<span class="whoami">User 1<\/span>/);
    });

    await t.step("every response carries the security headers", async () => {
      const res = await app.request("/login");
      await res.body?.cancel();
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /img-src 'self' https:\/\/image\.example\.test/);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      // Redirects, error pages, JSON errors and signed-in pages carry them too.
      for (
        const [path, status, headers] of [
          ["/dashboard", 302, {}],
          ["/no/such/page", 404, {}],
          ["/api/users/x/recommendations", 400, {}],
          ["/dashboard", 200, { cookie }],
        ] as const
      ) {
        const r = await app.request(path, { headers });
        await r.body?.cancel();
        assert.equal(r.status, status, path);
        assert.equal(r.headers.get("content-security-policy"), csp, path);
        assert.equal(r.headers.get("x-frame-options"), "DENY", path);
        assert.equal(r.headers.get("referrer-policy"), "same-origin", path);
      }
    });

    await t.step("every response carries a Permissions-Policy, and no HSTS over HTTP", async () => {
      for (const path of ["/login", "/api/health", "/no/such/page"]) {
        const res = await app.request(path);
        await res.body?.cancel();
        assert.match(res.headers.get("permissions-policy") ?? "", /camera=\(\).*geolocation=\(\)/);
        assert.equal(res.headers.get("strict-transport-security"), null);
      }
    });

    await t.step("assets are served under content-hashed names with a long cache", async () => {
      const html = await (await app.request("/login")).text();
      const href = /<link rel="stylesheet" href="(\/assets\/style\.[0-9a-f]{16}\.css)"/.exec(html)
        ?.[1];
      assert.ok(href);
      const css = await app.request(href);
      assert.equal(css.status, 200);
      assert.match(css.headers.get("cache-control") ?? "", /max-age=31536000, immutable/);
      assert.match(await css.text(), /\.card-overlay/);
      const missing = await app.request("/assets/style.0000000000000000.css");
      assert.equal(missing.status, 404);
      await missing.body?.cancel();
    });
  } finally {
    await close();
  }
});

Deno.test("JSON API", async (t) => {
  const { app, close } = await setup();
  try {
    const json = async (path: string, status = 200) => {
      const res = await app.request(path);
      assert.equal(res.status, status, path);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      return await res.json();
    };

    await t.step("recommendations have the documented shape, best first", async () => {
      const body = await json("/api/users/1/recommendations");
      assert.equal(body.userId, 1);
      assert.equal(body.source, "model");
      assert.equal(body.recommendations.length, 2);
      const [, second] = body.recommendations;
      // Movie 3, which user 1 rated 5.0, is the fixture's XSS title.
      const xss = `<script>alert("owned")</script> & <img src=x onerror=alert(1)>`;
      assert.deepEqual(second, {
        movieId: 4,
        title: "Amélie (2001)",
        year: 2001,
        genres: ["Comedy", "Romance"],
        posterUrl: null,
        overview: null,
        // The fixture is in the csv layout, whose ids are movielens.org's.
        movielensUrl: "https://movielens.org/movies/4",
        prediction: 4,
        score: 0.55,
        because: { movieId: 3, title: `${xss} (2001)`, rating: 5 },
        likedByNeighbors: null,
        reason: `Because you rated ${xss} ★5.0`,
      });
      assert.deepEqual(await json("/api/users/1/recommendations?source=model"), body);
    });

    await t.step(
      "source=similar-users is the movies the similar users liked, with how many did",
      async () => {
        const body = await json("/api/users/1/recommendations?source=similar-users");
        assert.equal(body.source, "similar-users");
        assert.deepEqual(
          body.recommendations.map((r: Record<string, unknown>) => [
            r.movieId,
            r.likedByNeighbors,
            r.score,
            r.because,
            r.reason,
          ]),
          [[4, 2, null, null, "Liked by 2 of your similar users"]],
        );
        assert.ok(Math.abs(body.recommendations[0].prediction - USER1_AMELIE) < 1e-9);
        assert.match((await json("/api/users/1/recommendations?source=x", 400)).error, /source/);
      },
    );

    await t.step("without source, a user the model has no list for gets the other", async () => {
      assert.equal((await json("/api/users/2/recommendations")).source, "similar-users");
      assert.deepEqual(await json("/api/users/2/recommendations?source=model"), {
        userId: 2,
        source: "model",
        recommendations: [],
      });
    });

    await t.step("limit caps the recommendations", async () => {
      const body = await json("/api/users/1/recommendations?limit=1");
      assert.deepEqual(body.recommendations.map((r: { movieId: number }) => r.movieId), [5]);
      assert.match((await json("/api/users/1/recommendations?limit=0", 400)).error, /limit/);
    });

    await t.step("a malformed user id is 400 and an unknown one 404, as JSON", async () => {
      assert.match((await json("/api/users/abc/recommendations", 400)).error, /user id/);
      assert.match((await json("/api/users/-3/neighbors", 400)).error, /user id/);
      assert.equal((await json("/api/users/404/recommendations", 404)).error, "no user 404");
      // User 3 rated movies but has no list from similar users: known, so an empty list.
      assert.deepEqual(await json("/api/users/3/recommendations?source=similar-users"), {
        userId: 3,
        source: "similar-users",
        recommendations: [],
      });
    });

    await t.step("neighbors list similar users with movies in common", async () => {
      assert.deepEqual(await json("/api/users/1/neighbors"), {
        userId: 1,
        // The file's candidates re-ranked by binary cosine: 2 / sqrt(3 · 3), 1 / sqrt(3 · 2).
        neighbors: [{ userId: 2, similarity: 0.666667, common: 2 }, {
          userId: 3,
          similarity: 0.408248,
          common: 1,
        }],
      });
    });

    await t.step("ratings are paged and sorted", async () => {
      const body = await json("/api/users/1/ratings?sort=rating&order=desc&pageSize=2");
      assert.equal(body.total, 4);
      assert.equal(body.page, 1);
      assert.deepEqual(body.ratings.map((r: { rating: number }) => r.rating), [5, 4]);
    });

    await t.step("a movie has its links and cached TMDB data", async () => {
      const body = await json("/api/movies/1");
      assert.equal(body.movieId, 1);
      assert.equal(body.year, 1995);
      assert.equal(body.posterUrl, `${IMAGE_BASE}/toy.jpg`);
      assert.equal(body.overview, "Woody <b>and</b> Buzz");
      assert.deepEqual(body.links, {
        movielens: "https://movielens.org/movies/1",
        imdb: "https://www.imdb.com/title/tt0114709/",
        tmdb: "https://www.themoviedb.org/movie/862",
      });
      await json("/api/movies/999", 404);
      await json("/api/movies/0", 400);
    });

    await t.step("similar movies come from the item neighbors", async () => {
      const body = await json("/api/movies/1/similar");
      assert.equal(body.movieId, 1);
      assert.deepEqual(
        body.similar.map((s: { movieId: number; similarity: number }) => [s.movieId, s.similarity]),
        [[2, 0.9], [4, 0.7]],
      );
      await json("/api/movies/999/similar", 404);
    });

    await t.step("the sample endpoint lists users with similar users", async () => {
      assert.deepEqual(await json("/api/users/sample?limit=5"), { userIds: [1, 2, 3] });
    });

    await t.step("health reports the store's counts", async () => {
      const body = await json("/api/health");
      assert.equal(body.status, "ok");
      assert.equal(body.counts.movies, 6);
      assert.equal(body.counts.recommendations, 3);
      assert.equal(body.counts.users, 3);
    });

    await t.step("an unknown API path is a JSON 404", async () => {
      assert.ok((await json("/api/nothing", 404)).error);
    });
  } finally {
    await close();
  }
});

Deno.test("store failures", async (t) => {
  const { app, setDown, setFailure, close } = await setup();
  try {
    const cookie = await loggedIn(app, "1");
    const quiet = console.error;

    await t.step("gives 503 on pages and the API, and recovers when it is back", async () => {
      console.error = () => {};
      try {
        setDown(true);
        const page = await app.request("/dashboard", { headers: { cookie } });
        assert.equal(page.status, 503);
        assert.equal(page.headers.get("retry-after"), "5");
        assert.match(await page.text(), /cannot be reached right now/);
        const api = await app.request("/api/users/1/recommendations");
        assert.equal(api.status, 503);
        assert.ok((await api.json()).error);
        const health = await app.request("/api/health");
        assert.equal(health.status, 503);
        assert.equal((await health.json()).status, "unavailable");
      } finally {
        console.error = quiet;
      }
      setDown(false);
      const again = await app.request("/dashboard", { headers: { cookie } });
      assert.equal(again.status, 200);
      await again.body?.cancel();
    });

    await t.step("an unexpected error is a logged 500 page without details", async () => {
      const logged: unknown[] = [];
      console.error = (...args: unknown[]) => logged.push(args);
      try {
        setFailure(() => new Error("secret internal detail"));
        const page = await app.request("/movies/1");
        assert.equal(page.status, 500);
        const html = await page.text();
        assert.match(html, /Something went wrong/);
        assert.doesNotMatch(html, /secret internal detail/);
        const api = await app.request("/api/movies/1");
        assert.equal(api.status, 500);
        assert.doesNotMatch(JSON.stringify(await api.json()), /secret internal detail/);
        assert.equal(logged.length, 2);
      } finally {
        console.error = quiet;
        setFailure(null);
      }
    });
  } finally {
    await close();
  }
});

Deno.test("behind an HTTPS proxy (--public-origin)", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "recsys-web-origin-" });
  const db = `sqlite:${dir}/recsys.db`;
  await importStore({ db, dir: FIXTURE, progress: false });
  const store = await openStore(db);
  const app = createApp({
    store,
    sessionSecret: "test-secret-0123456789",
    metadata: cacheOnly(store),
    publicOrigin: "https://recsys.example",
  });
  try {
    await t.step("cookies are Secure, HSTS is sent and the public origin may post", async () => {
      const { cookie, token } = await loginForm(app);
      const form = await app.request("/login");
      await form.body?.cancel();
      assert.match(form.headers.get("strict-transport-security") ?? "", /max-age=\d{7,}/);
      const fromProxy = await post(app, "/login", cookie, { _csrf: token, userId: "1" }, {
        origin: "https://recsys.example",
      });
      assert.equal(fromProxy.status, 303);
      const session = fromProxy.headers.getSetCookie().find((c) => c.startsWith("recsys_session="));
      assert.match(session ?? "", /; Secure/);
      assert.ok(form.headers.getSetCookie().every((c) => /; Secure/.test(c)));
      const quiet = console.error;
      console.error = () => {};
      try {
        const direct = await post(app, "/login", cookie, { _csrf: token, userId: "1" }, {
          origin: "http://localhost",
        });
        assert.equal(direct.status, 403);
        await direct.body?.cancel();
      } finally {
        console.error = quiet;
      }
    });
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("one import per page", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "recsys-web-swap-" });
  const db = `sqlite:${dir}/recsys.db`;
  // The next import: user 1 rated movie 5 too, so it is no longer recommended.
  const next = `${dir}/next`;
  await Deno.mkdir(next);
  for await (const e of Deno.readDir(FIXTURE)) {
    let text = await Deno.readTextFile(FIXTURE + e.name);
    if (e.name === "ratings_train.csv") text += "1,5,3.0,1009843300\n";
    if (e.name === "user_based_recommendations.csv") text = text.replace("1,5,3.9\n", "");
    if (e.name === "serving_recommendations.csv") {
      text = text.replace("1,1,5,0.610000,4.200000,6,4.0\n", "").replace("1,2,4,", "1,1,4,");
    }
    await Deno.writeTextFile(`${next}/${e.name}`, text);
  }
  await importStore({ db, dir: FIXTURE, progress: false });
  const real = await openStore(db);
  let swaps = 0;
  // Swaps the next import in between the dashboard's first query and its second, once.
  const store = new Proxy(real, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        if (prop === "ratedMovies" && swaps++ === 0) {
          await importStore({ db, dir: next, progress: false });
        }
        return value.apply(target, args);
      };
    },
  });
  const app = createApp({
    store,
    sessionSecret: "test-secret-0123456789",
    metadata: cacheOnly(store),
  });
  try {
    await t.step(
      "an import swapped in between two queries of the dashboard never mixes",
      async () => {
        const cookie = await loggedIn(app, "1");
        const html = await pageHtml(app, "/dashboard", cookie);
        assert.equal(swaps > 0, true);
        // Both sections from the next import: 5 ratings (one in the test split), and only
        // movie 4 recommended.
        assert.match(html, /5 ratings in total/);
        assert.match(html, /top 1 ranked for you/);
      },
    );
  } finally {
    await real.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("request bodies and HTTP errors", async (t) => {
  const { app, close } = await setup();
  const quiet = console.error;
  try {
    await t.step(
      "a form body over 16 KB answers 413 with one log line, no stack trace",
      async () => {
        const { cookie, token } = await loginForm(app);
        const logged: string[] = [];
        console.error = (...args: unknown[]) => logged.push(args.map(String).join(" "));
        try {
          const big = "x".repeat(MAX_BODY_BYTES + 1);
          for (const path of ["/login", "/logout", "/api/health"]) {
            for (let i = 0; i < 10; i++) {
              const res = await post(app, path, cookie, { _csrf: token, userId: "1", pad: big });
              assert.equal(res.status, 413, path);
              await res.body?.cancel();
            }
          }
        } finally {
          console.error = quiet;
        }
        assert.equal(logged.length, 30);
        for (const line of logged) {
          assert.doesNotMatch(line, /\n|\bat /, "one line, no stack");
          assert.match(line, /413 POST \/(login|logout|api\/health)/);
        }
      },
    );

    await t.step("every Hono HTTPException answers its own status, unlogged", async () => {
      const store = {} as Store;
      const own = createApp({
        store,
        sessionSecret: "test-secret-0123456789",
        metadata: cacheOnly(store),
      });
      own.get("/teapot", () => {
        throw new HTTPException(418, { message: "short and stout" });
      });
      own.get("/api/slow-down", () => {
        throw new HTTPException(429);
      });
      const logged: unknown[] = [];
      console.error = (...args: unknown[]) => logged.push(args);
      try {
        const page = await own.request("/teapot");
        assert.equal(page.status, 418);
        assert.match(await page.text(), /short and stout/);
        const api = await own.request("/api/slow-down");
        assert.equal(api.status, 429);
        assert.ok((await api.json()).error);
      } finally {
        console.error = quiet;
      }
      assert.equal(logged.length, 0);
    });
  } finally {
    console.error = quiet;
    await close();
  }
});

const MYSQL_TEST = "pages from a MySQL store";
Deno.test({
  name: MYSQL_TEST,
  ignore: absent(MYSQL_TEST, MYSQL ? null : "RECSYS_TEST_MYSQL_URL is not set"),
}, async (t) => {
  assert.ok(MYSQL, "RECSYS_REQUIRE_SERVICES=1 but RECSYS_TEST_MYSQL_URL is not set");
  const { app, close } = await setup(MYSQL);
  try {
    const cookie = await loggedIn(app, "1");

    await t.step("the dashboard shows the same three sections", async () => {
      const html = await pageHtml(app, "/dashboard", cookie);
      assertUser1Dashboard(html);
      assert.match(html, new RegExp(`src="${IMAGE_BASE}/toy\\.jpg"`));
      const seed = await pageHtml(app, "/dashboard?list=similar-users", cookie);
      assert.match(seed, /Liked by 2 of your similar users/);
    });

    await t.step("the API answers as from SQLite", async () => {
      const body = await (await app.request("/api/users/1/recommendations?source=similar-users"))
        .json();
      assert.deepEqual(
        body.recommendations.map((r: { movieId: number; likedByNeighbors: number }) => [
          r.movieId,
          r.likedByNeighbors,
        ]),
        [[4, 2]],
      );
      assert.ok(Math.abs(body.recommendations[0].prediction - USER1_AMELIE) < 1e-9);
      assert.equal((await app.request("/api/movies/999")).status, 404);
    });
  } finally {
    await close();
  }
});
