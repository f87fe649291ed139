import assert from "node:assert/strict";
import { PIPELINE_DEFAULTS, type PipelineOptions, runPipeline } from "../tools/pipeline.ts";
import { openStore } from "../lib/store/open.ts";
import { formatDataReport, inspectData } from "../tools/inspect.ts";
import { splitInput } from "../tools/split.ts";

import { LAYOUTS as FIX } from "./fixtures/layouts.ts";

/**
 * `pipeline` end to end on a hand-written fixture of each GroupLens layout
 * (7 users × 6 rated movies, one movie without ratings): the split is the
 * internal CSV form, and the store gets the release's real titles.
 */
Deno.test("pipeline on every release layout", async (t) => {
  const root = await Deno.makeTempDir();
  const logs: string[] = [];
  /** Warnings (stderr by default): duplicates dropped, a movie list read as Latin-1. */
  const warnings: string[] = [];
  const base = (data: string): PipelineOptions => ({
    ...PIPELINE_DEFAULTS,
    k: 5,
    minCommon: 1,
    data: `${FIX}/${data}`,
    out: `${root}/${data}-out`,
    engine: "inproc",
    workers: 1,
    progress: false,
    log: (l) => logs.push(l),
    warn: (l) => warnings.push(l),
  });

  /** Runs the pipeline on `data` and returns the split lines and store facts. */
  async function run(data: string) {
    logs.length = 0;
    warnings.length = 0;
    const r = await runPipeline(base(data));
    assert.ok(r.steps.every((s) => s.status === "ran"));
    const lines = [
      ...(await Deno.readTextFile(r.files.train)).trim().split("\n"),
      ...(await Deno.readTextFile(r.files.test)).trim().split("\n"),
    ];
    const store = await openStore(r.dbUrl);
    try {
      return {
        lines,
        counts: await store.counts(),
        movie3: await store.movie(3),
        movie7: await store.movie(7),
        r,
      };
    } finally {
      await store.close();
    }
  }

  let wholeStars: string[] = [];

  await t.step(
    "ml-100k (u.data TAB, u.item Latin-1) runs end to end with real titles",
    async () => {
      const { lines, counts, movie3, movie7 } = await run("ml-100k");
      assert.equal(lines.length, 35);
      assert.ok(lines.every((l) => /^\d+,\d+,[1-5]\.0,881\d{6}$/.test(l)), lines.join("\n"));
      assert.equal(counts.ratingsTrain + counts.ratingsTest, 35);
      assert.equal(movie3?.title, "Misérables, Les (1995)");
      assert.deepEqual(movie3?.genres, ["Drama", "Musical", "War"]);
      assert.equal(movie3?.tmdbId, null, "no links file: no TMDB id");
      assert.equal(movie7?.title, "unknown");
      assert.ok(logs.some((l) => /layout u-data .*no links file/.test(l)), logs.join("\n"));
      wholeStars = lines;
    },
  );

  await t.step("ml-1m (ratings.dat '::', Latin-1 movies.dat) gives the same split", async () => {
    const { lines, movie3 } = await run("ml-1m");
    // The fixture repeats one pair with timestamp 0; the later-timestamped rating is kept.
    assert.deepEqual(lines, wholeStars);
    assert.ok(
      warnings.some((l) => /1 duplicated .*ratings\.dat:12 and .*ratings\.dat:14/.test(l)),
    );
    assert.ok(warnings.some((l) => /movies\.dat:\d+: not valid UTF-8/.test(l)), "Latin-1 noted");
    assert.equal(movie3?.title, "Misérables, Les (1995)");
  });

  await t.step("ml-10m (half stars, UTF-8 movies.dat, tags.dat) runs end to end", async () => {
    const { lines, movie3, movie7 } = await run("ml-10m");
    assert.equal(lines.length, 35);
    assert.ok(lines.includes("1,2,3.5,1136073601"));
    assert.ok(lines.includes("2,6,0.5,1136073704"));
    assert.equal(movie3?.title, "Misérables, Les (1995)");
    assert.deepEqual(movie7?.genres, []);
  });

  await t.step("the CSV layout (ml-latest-small) runs end to end with links", async () => {
    const { lines, counts, movie3, r } = await run("ml-latest-small");
    assert.equal(lines.length, 35, "the re-rating of (2, 3) replaced the earlier one");
    assert.ok(lines.includes("2,3,3.0,1136079999"));
    assert.ok(!lines.includes("2,3,5.0,1136073702"));
    assert.equal(counts.movies, 7);
    assert.equal(movie3?.imdbId, "0113828");
    assert.ok(r.user.total > 0 && r.item.total > 0);
  });

  await t.step("inspect reports layout, counts, scale, duplicates and gaps", async () => {
    const r = await inspectData({ data: `${FIX}/ml-1m` });
    assert.equal(r.layout, "dat");
    assert.equal(r.users, 7);
    assert.equal(r.movies, 7);
    assert.equal(r.ratedMovies, 6);
    assert.equal(r.ratings, 35);
    assert.equal(r.moviesWithoutRatings, 1);
    assert.equal(r.ratingsOfUnknownMovies, 0);
    assert.equal(r.duplicates.dropped, 1);
    assert.deepEqual(r.scale, { min: 1, max: 5, halfStars: false });
    // Counted by hand from the fixture: 1★ ×6, 2★ ×7, 3★ ×3, 4★ ×10, 5★ ×9.
    assert.deepEqual(r.histogram, [0, 0, 6, 0, 7, 0, 3, 0, 10, 0, 9]);
    assert.equal(r.links, null);
    const text = formatDataReport(r);
    assert.match(text, /layout\s+dat \(the layout of ml-1m, ml-10m\)/);
    assert.match(text, /duplicates\s+1 rating\(s\).* lines 12 and 14 \(userId 3, movieId 2\)/);
    assert.match(text, /no links file/);
    assert.deepEqual(r.encoding, { movies: "latin-1", links: null });
    assert.match(text, /encoding\s+movies\.dat: Latin-1 \(not valid UTF-8 from line \d+\)/);
    const csv = await inspectData({ data: `${FIX}/ml-latest-small` });
    assert.deepEqual(csv.links, { rows: 7, withoutTmdbId: 2 });
    assert.equal(csv.scale.halfStars, true);
  });

  await t.step("inspect counts ratings of movies the movie list lacks", async () => {
    const dir = `${root}/unknown`;
    await Deno.mkdir(dir);
    await Deno.writeTextFile(
      `${dir}/ratings.csv`,
      "userId,movieId,rating,timestamp\n1,1,4.0,5\n1,99,3.0,6\n2,99,2.5,7\n2,98,1.0,8\n",
    );
    await Deno.writeTextFile(`${dir}/movies.csv`, "movieId,title,genres\n1,A (2001),Drama\n");
    const r = await inspectData({ data: dir });
    assert.equal(r.ratingsOfUnknownMovies, 3);
    assert.equal(r.zeroIdRatings, 0);
    assert.equal(r.unknownMovies, 2);
    assert.equal(r.links, null, "a CSV release without links.csv reads without links");
    assert.deepEqual(r.scale, { min: 1, max: 4, halfStars: true });
  });

  await t.step("split takes a release directory or a file with a forced layout", async () => {
    assert.deepEqual(await splitInput(`${FIX}/ml-100k`, "auto"), {
      input: `${FIX}/ml-100k/u.data`,
      separator: "\t",
    });
    assert.deepEqual(await splitInput(`${FIX}/ml-1m/ratings.dat`, "dat"), {
      input: `${FIX}/ml-1m/ratings.dat`,
      separator: "::",
    });
    assert.deepEqual(await splitInput(`${FIX}/ml-1m/ratings.dat`, "auto"), {
      input: `${FIX}/ml-1m/ratings.dat`,
      separator: undefined,
    });
  });

  await Deno.remove(root, { recursive: true });
});
