/**
 * What every dashboard shows (issue 21, item 6), through `app.request()` on a
 * store imported from the hand-written run in tests/fixtures/dashboard/:
 * user 0 signs in; a user with no usable rating gets the most-rated movies,
 * said plainly; a reason cites only a movie the user liked; predicted stars
 * sit beside the user's average; out-of-range pages clamp; movielens.org
 * links only for a release whose ids are movielens.org's; the movie page
 * shows the signed-in user's rating or predicted stars.
 */
import assert from "node:assert/strict";
import { createApp } from "../routes/app.ts";
import { TmdbMetadata } from "../lib/tmdb.ts";
import { openStore } from "../lib/store/open.ts";
import { importStore } from "../tools/import.ts";
import type { LiveRecommender } from "../lib/live_recommender.ts";

const FIXTURE = new URL("./fixtures/dashboard/", import.meta.url).pathname;

/** The fixture's movies as ML-100k's u.item (same ids and titles, `|`-separated, 19 genre flags). */
async function writeUItem(path: string): Promise<void> {
  const lines = (await Deno.readTextFile(`${FIXTURE}movies.csv`)).trim().split("\n").slice(1);
  const flags = Array(19).fill("0").join("|");
  const out = lines.map((l) => {
    const id = l.slice(0, l.indexOf(","));
    let title = l.slice(id.length + 1, l.lastIndexOf(","));
    if (title.startsWith('"')) title = title.slice(1, -1);
    return `${id}|${title}|01-Jan-1995||http://example.test/|${flags}`;
  });
  await Deno.writeTextFile(path, out.join("\n") + "\n");
}

async function setup(layout: "csv" | "u-data" = "csv", live?: LiveRecommender) {
  const dir = await Deno.makeTempDir({ prefix: "recsys-dashboard-test-" });
  const db = `sqlite:${dir}/recsys.db`;
  let movies: string | undefined;
  if (layout === "u-data") {
    movies = `${dir}/u.item`;
    await writeUItem(movies);
  }
  await importStore({ db, dir: FIXTURE, movies, links: null, progress: false });
  const store = await openStore(db);
  const metadata = new TmdbMetadata(store, null, "https://image.example.test/t/p/w185");
  const app = createApp({ store, sessionSecret: "test-secret-0123456789", metadata, live });
  const close = async () => {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  };
  return { app, close };
}

type App = Awaited<ReturnType<typeof setup>>["app"];

function cookiesOf(res: Response, previous = ""): string {
  const jar = new Map(
    previous.split("; ").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv]),
  );
  for (const line of res.headers.getSetCookie()) {
    const kv = line.split(";")[0];
    jar.set(kv.slice(0, kv.indexOf("=")), kv);
  }
  return [...jar.values()].join("; ");
}

async function signIn(app: App, userId: string): Promise<Response & { cookie: string }> {
  const form = await app.request("/login");
  const html = await form.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)![1];
  const cookie = cookiesOf(form);
  const res = await app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ _csrf: token, userId }).toString(),
  });
  return Object.assign(res, { cookie: cookiesOf(res, cookie) });
}

async function page(app: App, path: string, cookie: string): Promise<string> {
  const res = await app.request(path, { headers: { cookie } });
  assert.equal(res.status, 200, path);
  return await res.text();
}

/** The recommendations section of a dashboard. */
function picksOf(html: string): string {
  return html.slice(html.indexOf('id="recommended"'), html.indexOf('id="rated"'));
}

Deno.test("dashboard", async (t) => {
  const { app, close } = await setup();
  try {
    await t.step("user 0 signs in and sees their dashboard", async () => {
      const res = await signIn(app, "0");
      assert.equal(res.status, 303);
      const html = await page(app, "/dashboard", res.cookie);
      assert.match(html, /Welcome back, user 0/);
      assert.match(html, /<strong>2<\/strong> movies rated/);
      // And the API answers for user 0.
      const api = await app.request("/api/users/0/ratings");
      assert.equal(api.status, 200);
      assert.equal((await api.json()).total, 2);
    });

    await t.step("the picks come before the rated movies and the similar users", async () => {
      const html = await page(app, "/dashboard", (await signIn(app, "1")).cookie);
      const at = ["Recommended for you", "Movies you have rated", "Users similar to you"]
        .map((s) => html.indexOf(s));
      assert.ok(at[0] > 0 && at[0] < at[1] && at[1] < at[2], `${at}`);
    });

    await t.step("a reason cites only a movie the user liked", async () => {
      // User 0 (mean 4.5) rated The Godfather ★5.0: cited, in natural title order.
      const u0 = picksOf(await page(app, "/dashboard", (await signIn(app, "0")).cookie));
      assert.match(u0, /Because you rated The Godfather ★5\.0/);
      // User 1 (mean (5 + 4 + 4.5) / 3 = 4.5): Heat's ★4.0 is below it, a plain reason;
      // the City of Lost Children's ★4.5 is at it, cited.
      const u1 = picksOf(await page(app, "/dashboard", (await signIn(app, "1")).cookie));
      assert.doesNotMatch(u1, /Because you rated Heat/);
      assert.match(u1, /Picked from all your ratings/);
      assert.match(
        u1,
        /Because you rated The City of Lost Children \(La Cité des enfants perdus\) ★4\.5/,
      );
      // User 2 (mean 1.8): ★2.5 is above the mean but below ★3.5, so not cited.
      const u2 = picksOf(await page(app, "/dashboard", (await signIn(app, "2")).cookie));
      assert.doesNotMatch(u2, /Because you rated/);
      assert.match(u2, /Picked from all your ratings/);
      // The API applies the same rule.
      const body = await (await app.request("/api/users/1/recommendations")).json();
      assert.deepEqual(
        body.recommendations.map((r: { movieId: number; because: { movieId: number } | null }) => [
          r.movieId,
          r.because?.movieId ?? null,
        ]),
        [[4, null], [5, 3]],
      );
    });

    await t.step(
      "titles read naturally; the store keeps them as GroupLens wrote them",
      async () => {
        const html = await page(app, "/dashboard", (await signIn(app, "3")).cookie);
        const titles = [...html.matchAll(/<h3 class="card-title"><a [^>]*>([^<]*)</g)].map((m) =>
          m[1]
        );
        assert.deepEqual(titles, [
          "The Godfather",
          "Heat",
          "The City of Lost Children (La Cité des enfants perdus)",
          "Toy Story",
          "L'Atalante",
          "The Crying Game",
          "Zodiac",
          "Amelie",
        ]);
        const movie = await page(app, "/movies/6", (await signIn(app, "2")).cookie);
        assert.match(movie, /<title>The Crying Game · recsys32m<\/title>/);
        assert.equal(
          (await (await app.request("/api/movies/1")).json()).title,
          "Godfather, The (1972)",
        );
      },
    );

    await t.step("predicted stars sit beside the user's own average", async () => {
      // User 2's ratings: 1, 2, 2.5, 1.5 and 2 (test split): mean 9 / 5 = 1.8.
      const html = await page(app, "/dashboard", (await signIn(app, "2")).cookie);
      assert.match(
        picksOf(html),
        /★1\.5<\/span> predicted <span class="score-mean">your average ★1\.8<\/span>/,
      );
      assert.match(html, /<strong>★1\.8<\/strong> your average/);
    });

    await t.step(
      "a user with no usable rating gets the most-rated movies, said plainly",
      async () => {
        // User 3 rated only movie 99, which the movie list lacks; the model list scores 0.
        const html = await page(app, "/dashboard", (await signIn(app, "3")).cookie);
        const picks = picksOf(html);
        assert.match(picks, /Rate a few movies to get picks of your own/);
        assert.doesNotMatch(picks, /Popular with everyone|predicted|Because you rated/);
        // Most training ratings first, ties by id: m1 and m2 (3 each), m3 (2), m4 (1).
        const order = [...picks.matchAll(/<h3 class="card-title"><a href="\/movies\/(\d+)"/g)]
          .map((m) => Number(m[1]));
        assert.deepEqual(order.slice(0, 4), [1, 2, 3, 4]);
        assert.equal(order.length, 8);
        // The rating itself is listed, under a stand-in title, and counted once.
        assert.match(html, /<strong>1<\/strong> movie rated/);
        assert.match(html, /Movie 99/);
      },
    );

    await t.step("a page past the last one shows the last one", async () => {
      const cookie = (await signIn(app, "1")).cookie;
      const html = await page(app, "/dashboard?page=99999&pageSize=2", cookie);
      assert.match(html, /Page 2 of 2/);
      assert.doesNotMatch(html, /Page 99999/);
      // User 1's oldest rating (The Godfather, ts 102) is alone on page 2.
      const rated = html.slice(html.indexOf('id="rated"'));
      assert.match(rated, /href="\/movies\/1"/);
      const api = await (await app.request("/api/users/1/ratings?page=99999&pageSize=2")).json();
      assert.equal(api.page, 2);
      assert.deepEqual(api.ratings.map((r: { movieId: number }) => r.movieId), [1]);
    });

    await t.step("a csv release links to movielens.org", async () => {
      const html = await page(app, "/dashboard", (await signIn(app, "1")).cookie);
      assert.match(html, /href="https:\/\/movielens\.org\/movies\/4"/);
      const movie = await (await app.request("/api/movies/4")).json();
      assert.equal(movie.links.movielens, "https://movielens.org/movies/4");
    });

    await t.step("the movie page shows the user's rating, or predicted stars", async () => {
      const cookie = (await signIn(app, "1")).cookie;
      const rated = await page(app, "/movies/2", cookie);
      assert.match(rated, /★4\.0<\/span> your rating<span class="score-mean">· your average ★4\.5/);
      // Toy Story is on user 1's model list at ★4.3.
      const listed = await page(app, "/movies/4", cookie);
      assert.match(listed, /★4\.3<\/span> predicted for you/);
      // Zodiac: on no list, and this app has no live recommender.
      assert.match(await page(app, "/movies/7", cookie), /no prediction for you/);
      // Signed out: nothing about a user.
      const out = await (await app.request("/movies/4")).text();
      assert.doesNotMatch(out, /your rating|predicted for you/);
    });

    await t.step("the movie page shows everyone's average and count, both splits", async () => {
      const text = async (id: number) => await (await app.request(`/movies/${id}`)).text();
      // The Godfather: ★5.0 (users 0 and 1) and ★1.0 (user 2): 11 / 3.
      assert.match(await text(1), /★3\.7<\/span> average of 3 ratings/);
      // L'Atalante: user 2's ★2.0 in the test split only.
      assert.match(await text(5), /★2\.0<\/span> average of 1 rating</);
      assert.match(await text(7), /No ratings yet/);
    });
  } finally {
    await close();
  }
});

Deno.test("dashboard of a u-data release (ML-100k's ids are not movielens.org's)", async (t) => {
  // A live recommender that predicts ★2.5 for anything, to see the movie page ask it.
  const asked: number[][] = [];
  const live: LiveRecommender = {
    recommend(ratings, _limit, predict = []) {
      asked.push(ratings.map((r) => r.movieId));
      return {
        items: [],
        predictions: predict.map((movieId) => ({ movieId, prediction: 2.5 })),
        ignored: 0,
      };
    },
  };
  const { app, close } = await setup("u-data", live);
  try {
    await t.step("no card, row or movie page links to movielens.org", async () => {
      const cookie = (await signIn(app, "1")).cookie;
      const html = await page(app, "/dashboard", cookie);
      assert.doesNotMatch(html, /movielens\.org/);
      assert.doesNotMatch(await page(app, "/movies/4", cookie), /movielens\.org/);
      const movie = await (await app.request("/api/movies/4")).json();
      assert.equal(movie.links.movielens, null);
      assert.equal(movie.movielensUrl, null);
    });

    await t.step("a movie on no list is predicted by folding in the user's ratings", async () => {
      const html = await page(app, "/movies/7", (await signIn(app, "1")).cookie);
      assert.match(html, /★2\.5<\/span> predicted for you/);
      // All of user 1's ratings were given.
      assert.deepEqual(asked.at(-1)!.toSorted((a, b) => a - b), [1, 2, 3]);
    });
  } finally {
    await close();
  }
});
