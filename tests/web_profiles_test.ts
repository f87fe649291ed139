/**
 * Visitors on the site: title search (page and API), profiles started
 * without an account or from a persona, ratings by form and by JSON, the
 * picks, Forget me, and the security of all of it (sessions, CSRF, caps).
 * The web fixture plus a few titles in MovieLens' forms (articles behind,
 * accents, a sequel), imported into a SQLite store, and into MySQL when
 * RECSYS_TEST_MYSQL_URL is set.
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { absent, mysqlTestServer } from "./fixtures/services.ts";
import { createApp, STARTS_PER_MINUTE } from "../routes/app.ts";
import { CookieSigner } from "../routes/_middleware.ts";
import { TmdbMetadata } from "../lib/tmdb.ts";
import { openStore } from "../lib/store/open.ts";
import { importStore } from "../tools/import.ts";
import { PopularityRecommender } from "../lib/popularity_live.ts";
import { PROFILE_LIMITS } from "../routes/_profiles.ts";

const FIXTURE = new URL("./fixtures/web/", import.meta.url).pathname;
const ORIGIN = "http://localhost";
const SECRET = "profiles-secret-0123456789";

/** Titles added to the web fixture's movies.csv, and ratings making movie 10 the most rated. */
const EXTRA_MOVIES = [
  '7,"Godfather, The (1972)",Crime|Drama',
  '8,"Godfather: Part II, The (1974)",Crime|Drama',
  `9,"Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)",Comedy|Romance`,
  "10,Toy Story 2 (1999),Adventure|Animation",
];
const EXTRA_RATINGS = [5, 6, 7, 8].map((u) => `${u},10,4.0,946684800`);

async function fixtureDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "recsys-profiles-" });
  for await (const e of Deno.readDir(FIXTURE)) {
    let text = await Deno.readTextFile(FIXTURE + e.name);
    if (e.name === "movies.csv") text = text.trimEnd() + "\n" + EXTRA_MOVIES.join("\n") + "\n";
    if (e.name === "ratings_train.csv") {
      text = text.trimEnd() + "\n" + EXTRA_RATINGS.join("\n") + "\n";
    }
    await Deno.writeTextFile(`${dir}/${e.name}`, text);
  }
  return dir;
}

async function mysqlDatabase(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `recsys_prof_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
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

async function setup(mysqlBase?: string, live?: PopularityRecommender) {
  const dir = await fixtureDir();
  const server = mysqlBase ? await mysqlDatabase(mysqlBase) : null;
  const db = server ? server.url : `sqlite:${dir}/recsys.db`;
  await importStore({ db, dir, progress: false });
  const store = await openStore(db);
  const app = createApp({
    store,
    sessionSecret: SECRET,
    metadata: new TmdbMetadata(store, null, "https://image.example.test/t/p/w185"),
    live,
  });
  const close = async () => {
    await store.close();
    await server?.drop();
    await Deno.remove(dir, { recursive: true });
  };
  return { app, store, close };
}

type App = Awaited<ReturnType<typeof setup>>["app"];

let visitors = 0;

/** A browser: its cookie jar, address (its own unless given) and the last form token it saw. */
class Visitor {
  cookie = "";
  token = "";
  constructor(readonly app: App, readonly address = `192.0.2.${++visitors}`) {}

  #keep(res: Response): Response {
    const jar = new Map(
      this.cookie.split("; ").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv]),
    );
    for (const line of res.headers.getSetCookie()) {
      const kv = line.split(";")[0];
      const name = kv.slice(0, kv.indexOf("="));
      if (kv.endsWith("=") || /max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, kv);
    }
    this.cookie = [...jar.values()].join("; ");
    return res;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = this.#keep(
      await this.app.request(path, { headers: { cookie: this.cookie, ...headers } }, {
        remoteAddr: { hostname: this.address },
      }),
    );
    return res;
  }

  /** GET a page and remember its form token. */
  async page(path: string): Promise<string> {
    const res = await this.get(path);
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.token = token;
    return html;
  }

  async post(path: string, fields: Record<string, string>, csrf = true): Promise<Response> {
    return this.#keep(
      await this.app.request(path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: this.cookie },
        body: new URLSearchParams(csrf ? { _csrf: this.token, ...fields } : fields).toString(),
      }, { remoteAddr: { hostname: this.address } }),
    );
  }

  async json(
    method: "PUT" | "DELETE",
    path: string,
    body?: unknown,
    headers: Record<string, string> = { origin: ORIGIN, "content-type": "application/json" },
  ): Promise<Response> {
    return this.#keep(
      await this.app.request(path, {
        method,
        headers: { cookie: this.cookie, ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      }, { remoteAddr: { hostname: this.address } }),
    );
  }

  /** Starts a profile from the login page; returns its id (from the cookie). */
  async start(): Promise<string> {
    await this.page("/login");
    const res = await this.post("/start", {});
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/welcome");
    return this.profileId();
  }

  profileId(): string {
    const id = /recsys_session=p([0-9a-f]{32})\./.exec(decodeURIComponent(this.cookie))?.[1];
    assert.ok(id, `a profile session cookie in ${this.cookie}`);
    return id;
  }
}

async function searchApi(app: App, q: string, limit?: string) {
  const qs = new URLSearchParams({ q, ...(limit === undefined ? {} : { limit }) });
  return await app.request(`/api/movies/search?${qs}`);
}

async function searchIds(app: App, q: string): Promise<number[]> {
  const res = await searchApi(app, q);
  assert.equal(res.status, 200);
  return (await res.json()).items.map((i: { movieId: number }) => i.movieId);
}

/** The movie ids of a page's cards in one section, in order. */
function cardIds(html: string, section: string): number[] {
  const start = html.indexOf(`id="${section}"`);
  assert.ok(start >= 0, `section ${section}`);
  const end = html.indexOf("</section>", start);
  const part = html.slice(start, end);
  return [...part.matchAll(/<h3 class="card-title"><a href="\/movies\/(\d+)"/g)].map((m) =>
    Number(m[1])
  );
}

async function contract(t: Deno.TestContext, mysqlBase?: string) {
  const { app, store, close } = await setup(mysqlBase);
  try {
    await t.step(
      "search finds a title in either article order, the whole title first",
      async () => {
        assert.deepEqual(await searchIds(app, "godfather"), [7, 8]);
        assert.deepEqual(await searchIds(app, "the godfather"), [7, 8]);
        assert.deepEqual(await searchIds(app, "GODFATHER PART"), [8]);
      },
    );

    await t.step("search ignores accents and case, finding both spellings", async () => {
      // "Amélie (2001)" is the whole title; the other only starts with it.
      assert.deepEqual(await searchIds(app, "amelie"), [4, 9]);
      assert.deepEqual(await searchIds(app, "Amélie"), [4, 9]);
    });

    await t.step("search ranks equal matches by number of ratings", async () => {
      // Both start with "toy"; Toy Story 2 has 4 ratings, Toy Story 3.
      const res = await searchApi(app, "toy");
      const { items } = await res.json();
      assert.deepEqual(items.map((i: { movieId: number }) => i.movieId), [10, 1]);
      assert.deepEqual(items.map((i: { ratingCount: number }) => i.ratingCount), [4, 3]);
    });

    await t.step("a hit has the display title in natural order, year, genres, count", async () => {
      const { query, items } = await (await searchApi(app, "godfather", "1")).json();
      assert.equal(query, "godfather");
      assert.deepEqual(items, [{
        movieId: 7,
        title: "The Godfather (1972)",
        year: 1972,
        genres: ["Crime", "Drama"],
        ratingCount: 0,
      }]);
    });

    await t.step("an empty or one-letter query is an empty list, never an error", async () => {
      for (const q of ["", "a", " ", "é"]) {
        const res = await searchApi(app, q);
        assert.equal(res.status, 200, q);
        assert.deepEqual((await res.json()).items, [], q);
      }
    });

    await t.step("limit is 1 to 50, default 20; anything else is a 400", async () => {
      assert.equal((await (await searchApi(app, "o", "1")).json()).items.length, 0);
      assert.equal((await (await searchApi(app, "toy", "1")).json()).items.length, 1);
      assert.equal((await searchApi(app, "toy", "50")).status, 200);
      for (const bad of ["0", "51", "x", "-1", "2.5"]) {
        const res = await searchApi(app, "toy", bad);
        assert.equal(res.status, 400, bad);
        assert.match((await res.json()).error, /limit/);
      }
    });

    await t.step(
      "the search page lists the hits as cards, and every page has the box",
      async () => {
        const v = new Visitor(app);
        const html = await v.page("/search?q=the+godfather");
        assert.match(html, /<form class="site-search" action="\/search"/);
        assert.deepEqual(
          [...html.matchAll(/<h3 class="card-title"><a href="\/movies\/(\d+)">([^<]*)</g)]
            .map((m) => [Number(m[1]), m[2]]),
          [[7, "The Godfather"], [8, "The Godfather: Part II"]],
        );
        assert.match(html, /start without an account/);
        assert.match(await v.page("/login"), /class="site-search"/);
        assert.equal((await v.get("/search?q=a")).status, 200);
      },
    );

    await t.step("Start without an account makes a profile with cold-start picks", async () => {
      const v = new Visitor(app);
      const html = await v.page("/login");
      assert.match(html, /Start without an account/);
      const id = await v.start();
      assert.ok(await store.profile(id));
      const welcome = await v.page("/welcome");
      assert.match(welcome, /Rate a few movies below to get picks of your own/);
      assert.deepEqual(cardIds(welcome, "picks"), [], "picks come with the first rating");
      // The dashboard's cold-start picks: most ratings first (10: 4, 1: 3, 2 and 4: 2, by id).
      const cold = await v.page("/dashboard");
      assert.match(cold, /Rate a few movies to get picks of your own: until then, the most-rated/);
      assert.deepEqual(cardIds(cold, "picks").slice(0, 4), [10, 1, 2, 4]);
      // Popularity predicts nothing for the visitor: the stars are each movie's average.
      assert.match(cold, /★4\.0<\/span> average rating/);
      assert.doesNotMatch(cold, /predicted/);
      assert.ok(cardIds(welcome, "to-rate").length > 0);
      // Stars in the data's steps: the fixture's ratings run 2.0..5.0 with halves.
      assert.match(welcome, /name="rating" value="2"/);
      assert.match(welcome, /name="rating" value="4.5"/);
      assert.doesNotMatch(welcome, /name="rating" value="1.5"/);
      // The same browser comes back to the same profile.
      assert.match(await v.page("/dashboard"), /Your picks/);
      assert.equal(v.profileId(), id);
    });

    await t.step("a rating by form is saved, changed and removed, redirecting back", async () => {
      const v = new Visitor(app);
      const id = await v.start();
      await v.page("/welcome");
      let res = await v.post("/ratings", { movieId: "10", rating: "4.5", back: "/welcome" });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/welcome");
      assert.deepEqual((await store.profileRatings(id)).map((r) => [r.movieId, r.rating]), [
        [10, 4.5],
      ]);
      const dash = await v.page("/dashboard");
      assert.ok(!cardIds(dash, "picks").includes(10), "a rated movie is not a pick");
      assert.deepEqual(cardIds(dash, "rated"), [10]);
      assert.match(dash, /id="rated-10-9" name="rating" value="4.5" checked/);
      res = await v.post("/ratings", { movieId: "10", rating: "2", back: "/movies/10" });
      assert.equal(res.headers.get("location"), "/movies/10");
      assert.equal((await store.profileRatings(id))[0].rating, 2);
      res = await v.post("/ratings", { movieId: "10", remove: "1", back: "//evil.example/x" });
      assert.equal(res.headers.get("location"), "/dashboard", "no redirect off the site");
      assert.deepEqual(await store.profileRatings(id), []);
    });

    await t.step("a rating off the data's scale or of an unknown movie is refused", async () => {
      const v = new Visitor(app);
      await v.start();
      await v.page("/welcome");
      for (const rating of ["4.2", "1.5", "5.5", "0", "x", ""]) {
        const res = await v.post("/ratings", { movieId: "2", rating });
        assert.equal(res.status, 400, rating);
      }
      assert.equal((await v.post("/ratings", { movieId: "999", rating: "4" })).status, 404);
      assert.equal((await v.post("/ratings", { movieId: "abc", rating: "4" })).status, 400);
    });

    await t.step("JSON ratings answer the new picks, which change with every rating", async () => {
      const v = new Visitor(app);
      const id = await v.start();
      let res = await v.json("PUT", "/api/profile/ratings/10", { rating: 5 });
      assert.equal(res.status, 200);
      const first = await res.json();
      assert.equal(first.movieId, 10);
      assert.equal(first.rating, 5);
      assert.equal(first.picks.rated, 1);
      assert.equal(first.picks.cold, false);
      assert.equal(first.picks.model, false, "no live recommender: popularity, said so");
      const ids1 = first.picks.items.map((p: { movieId: number }) => p.movieId);
      assert.ok(!ids1.includes(10));
      res = await v.json("PUT", "/api/profile/ratings/1", { rating: 3.5 });
      const ids2 = (await res.json()).picks.items.map((p: { movieId: number }) => p.movieId);
      assert.notDeepEqual(ids2, ids1);
      assert.ok(!ids2.includes(1));
      res = await v.json("DELETE", "/api/profile/ratings/10");
      assert.equal(res.status, 200);
      assert.equal((await res.json()).rating, null);
      assert.deepEqual((await store.profileRatings(id)).map((r) => r.movieId), [1]);
      const recs = await (await v.get("/api/profile/recommendations?limit=2")).json();
      assert.equal(recs.items.length, 2);
    });

    await t.step("JSON ratings: 415 for another type, 400 for a bad rating or body", async () => {
      const v = new Visitor(app);
      await v.start();
      let res = await v.json("PUT", "/api/profile/ratings/2", { rating: 4 }, {
        origin: ORIGIN,
        "content-type": "text/plain",
      });
      assert.equal(res.status, 415);
      for (const body of [{ rating: 4.25 }, { rating: "4" }, {}, [4], null]) {
        res = await v.json("PUT", "/api/profile/ratings/2", body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match((await res.json()).error, /rating/);
      }
      res = await v.json("PUT", "/api/profile/ratings/999", { rating: 4 });
      assert.equal(res.status, 404);
    });

    await t.step("every state change needs the form token or this site's Origin", async () => {
      const v = new Visitor(app);
      await v.page("/login");
      assert.equal((await v.post("/start", {}, false)).status, 403);
      const id = await v.start();
      await v.page("/welcome");
      assert.equal((await v.post("/ratings", { movieId: "2", rating: "4" }, false)).status, 403);
      assert.equal(
        (await v.post("/ratings", { _csrf: "forged".repeat(8), movieId: "2", rating: "4" }, false))
          .status,
        403,
      );
      assert.equal((await v.post("/forget", {}, false)).status, 403);
      const json = { "content-type": "application/json" };
      for (const headers of [json, { ...json, origin: "https://evil.example" }]) {
        assert.equal(
          (await v.json("PUT", "/api/profile/ratings/2", { rating: 4 }, headers)).status,
          403,
        );
        assert.equal(
          (await v.json("DELETE", "/api/profile/ratings/2", undefined, headers)).status,
          403,
        );
      }
      assert.deepEqual(await store.profileRatings(id), [], "nothing was changed");
      assert.ok(await store.profile(id), "nor forgotten");
    });

    await t.step("a profile is invisible to another session and to none", async () => {
      const a = new Visitor(app), b = new Visitor(app, "192.0.2.2");
      await a.start();
      await a.json("PUT", "/api/profile/ratings/2", { rating: 5 });
      await b.start();
      const bDash = await b.page("/dashboard");
      assert.deepEqual(cardIds(bDash, "rated"), []);
      assert.notEqual(a.profileId(), b.profileId());
      const nobody = new Visitor(app);
      assert.equal((await nobody.get("/api/profile/recommendations")).status, 401);
      assert.equal(
        (await nobody.json("PUT", "/api/profile/ratings/2", { rating: 1 })).status,
        401,
      );
      const dash = await nobody.get("/dashboard");
      assert.equal(dash.headers.get("location"), "/login");
      assert.equal((await nobody.get("/welcome")).headers.get("location"), "/login");
    });

    await t.step("a signed-out profile session reaches nothing, even with its cookie", async () => {
      const v = new Visitor(app);
      await v.start();
      await v.page("/logout");
      const copy = v.cookie;
      assert.equal((await v.post("/logout", {})).status, 303);
      const thief = new Visitor(app);
      thief.cookie = copy;
      assert.equal((await thief.get("/dashboard")).headers.get("location"), "/login");
      assert.equal((await thief.get("/api/profile/recommendations")).status, 401);
    });

    await t.step("a profile's cookie lasts 90 days from its last use", async () => {
      const v = new Visitor(app);
      const id = await v.start();
      const raw = /recsys_session=([^;]+)/.exec(v.cookie)![1];
      const sid = /^p[0-9a-f]{32}\.[0-9]+\.([A-Za-z0-9_-]{22})\./.exec(decodeURIComponent(raw))![1];
      const signer = new CookieSigner(SECRET);
      const cookieAt = (age: number) =>
        `recsys_session=${
          encodeURIComponent(signer.sign(`p${id}.${Math.floor(Date.now() / 1000) - age}.${sid}`))
        }`;
      const day = 24 * 3600;
      // Two days old: valid, and issued again (same session) for another 90 days.
      let res = await app.request("/dashboard", { headers: { cookie: cookieAt(2 * day) } });
      assert.equal(res.status, 200);
      const again = res.headers.getSetCookie().find((c) => c.startsWith("recsys_session="));
      assert.ok(again, "the cookie is issued again");
      assert.match(again, /Max-Age=7776000/);
      assert.ok(decodeURIComponent(again).includes(sid), "the same session");
      // Fresh: not issued again. 91 days old: refused.
      res = await app.request("/dashboard", { headers: { cookie: cookieAt(60) } });
      assert.equal(res.headers.getSetCookie().some((c) => c.startsWith("recsys_session=")), false);
      res = await app.request("/dashboard", { headers: { cookie: cookieAt(91 * day) } });
      assert.equal(res.headers.get("location"), "/login");
    });

    await t.step("a tampered profile cookie reaches nothing", async () => {
      const v = new Visitor(app);
      const id = await v.start();
      const other = id.replace(/^./, id[0] === "0" ? "1" : "0");
      const thief = new Visitor(app);
      thief.cookie = v.cookie.replace(id, other);
      assert.equal((await thief.get("/api/profile/recommendations")).status, 401);
    });

    await t.step("Forget me deletes the profile and its ratings, and signs out", async () => {
      const v = new Visitor(app);
      const id = await v.start();
      await v.json("PUT", "/api/profile/ratings/2", { rating: 4 });
      const html = await v.page("/dashboard");
      assert.match(html, /Forget me/);
      const copy = v.cookie;
      const res = await v.post("/forget", {});
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Your profile is deleted/);
      assert.equal(await store.profile(id), null);
      assert.deepEqual(await store.profileRatings(id), []);
      const thief = new Visitor(app);
      thief.cookie = copy;
      assert.equal((await thief.get("/dashboard")).headers.get("location"), "/login");
    });

    await t.step("a persona is read-only and can start a profile from its ratings", async () => {
      const v = new Visitor(app);
      await v.page("/login");
      await v.post("/login", { userId: "1" });
      const dash = await v.page("/dashboard");
      assert.match(dash, /MovieLens persona: their ratings are read-only/);
      assert.doesNotMatch(dash, /name="rating"/);
      // Its own stars on search results, read-only: user 1 rated Toy Story ★4.0, not Toy Story 2.
      const found = await v.page("/search?q=toy");
      assert.equal([...found.matchAll(/Rated ★ 4\.0/g)].length, 1);
      assert.doesNotMatch(found, /name="rating"/);
      assert.equal((await v.post("/ratings", { movieId: "2", rating: "4" })).status, 303);
      assert.equal(
        (await v.json("PUT", "/api/profile/ratings/2", { rating: 4 })).status,
        401,
        "a persona's session has no profile",
      );
      const res = await v.post("/start", { persona: "1" });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/dashboard");
      const id = v.profileId();
      // User 1's four ratings, both splits, newest first.
      assert.deepEqual((await store.profileRatings(id)).map((r) => [r.movieId, r.rating]), [
        [6, 4],
        [3, 5],
        [2, 3.5],
        [1, 4],
      ]);
      const mine = await v.page("/dashboard");
      assert.deepEqual(cardIds(mine, "rated"), [6, 3, 2, 1]);
      assert.match(mine, /value="3.5" checked/);
    });

    await t.step("new profiles per client address and hour are capped (429)", async () => {
      const address = "198.51.100.7";
      // The address is kept as an HMAC under the session key (routes/_profiles.ts).
      const client = new CookieSigner(SECRET).sign(`client:${address}`).split(".").pop()!
        .slice(0, 32);
      const now = Math.floor(Date.now() / 1000);
      for (let i = 0; i < PROFILE_LIMITS.perClientPerHour; i++) {
        const profileId = (i + 1).toString(16).padStart(32, "0");
        await store.createProfile({ profileId, client, createdAt: now - 60, lastSeen: now });
      }
      const v = new Visitor(app, address);
      await v.page("/login");
      const res = await v.post("/start", {});
      assert.equal(res.status, 429);
      assert.equal(res.headers.get("retry-after"), "3600");
      assert.match(await res.text(), /new profiles an hour from one address/);
      // Another address still may.
      await new Visitor(app, "198.51.100.8").start();
    });

    await t.step("a burst of new profiles from one address is cut off per minute", async () => {
      const address = "198.51.100.9";
      for (let i = 0; i < STARTS_PER_MINUTE; i++) await new Visitor(app, address).start();
      const v = new Visitor(app, address);
      await v.page("/login");
      const res = await v.post("/start", {});
      assert.equal(res.status, 429);
      const retry = Number(res.headers.get("retry-after"));
      assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    });

    await t.step(
      "a profile holds at most the cap of ratings; changing one still works",
      async () => {
        const v = new Visitor(app, "203.0.113.1");
        const id = await v.start();
        const n = PROFILE_LIMITS.ratingsPerProfile;
        await store.addProfileRatings(
          id,
          Array.from({ length: n }, (_, i) => ({ movieId: 1000 + i, rating: 3, timestamp: 1 })),
        );
        let res = await v.json("PUT", "/api/profile/ratings/2", { rating: 4 });
        assert.equal(res.status, 409);
        assert.match((await res.json()).error, /at most 5000 ratings/);
        res = await v.json("PUT", "/api/profile/ratings/1000", { rating: 4 });
        assert.equal(res.status, 404, "not in the catalogue");
        await store.setProfileRating(id, 1000, null, 2);
        res = await v.json("PUT", "/api/profile/ratings/2", { rating: 4 });
        assert.equal(res.status, 200, "room for one after a removal");
        res = await v.json("PUT", "/api/profile/ratings/2", { rating: 3 });
        assert.equal(res.status, 200, "changing a rating at the cap");
      },
    );

    await t.step(
      "a profile idle past the expiry is deleted when its cookie comes back",
      async () => {
        const v = new Visitor(app, "203.0.113.2");
        const id = await v.start();
        await store.touchProfile(id, Math.floor(Date.now() / 1000) - 91 * 24 * 3600);
        assert.equal((await v.get("/dashboard")).headers.get("location"), "/login");
        assert.equal(await store.profile(id), null);
      },
    );

    await t.step("the movie page has the profile's stars", async () => {
      const v = new Visitor(app, "203.0.113.3");
      await v.start();
      await v.json("PUT", "/api/profile/ratings/4", { rating: 2.5 });
      const html = await v.page("/movies/4");
      assert.match(html, /id="movie-4-5" name="rating" value="2.5" checked/);
      assert.match(html, /<legend class="visually-hidden">Your rating of Amélie<\/legend>/);
    });
  } finally {
    await close();
  }
}

Deno.test("visitors on the site (sqlite)", (t) => contract(t));

const MYSQL = await mysqlTestServer();
Deno.test({
  name: "visitors on the site (mysql)",
  ignore: absent("visitors on the site (mysql)", "reason" in MYSQL ? MYSQL.reason : null),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    if ("reason" in MYSQL) throw new Error(`RECSYS_REQUIRE_SERVICES=1 but ${MYSQL.reason}`);
    await contract(t, MYSQL.url);
  },
});

Deno.test("a live recommender given to the app makes the picks", async () => {
  // A real recommender of another catalogue: movie 6 first, so its picks cannot be the store's.
  const live = new PopularityRecommender([
    { movieId: 6, count: 100, mean: 4.5 },
    { movieId: 5, count: 50, mean: 3 },
  ]);
  const { app, close } = await setup(undefined, live);
  try {
    const v = new Visitor(app);
    await v.start();
    const res = await v.json("PUT", "/api/profile/ratings/1", { rating: 4 });
    const { picks } = await res.json();
    assert.deepEqual(picks.items.map((p: { movieId: number }) => p.movieId), [6, 5]);
    assert.equal(picks.model, true);
    assert.equal(picks.items[0].prediction, 4.5);
    const html = await v.page("/dashboard");
    assert.match(html, /Picked for you from your 1 rating\./);
    // Predicted stars beside the visitor's own average (one rating of ★4).
    assert.match(html, /★4\.5<\/span> predicted<span class="score-mean">your average ★4\.0/);
  } finally {
    await close();
  }
});
