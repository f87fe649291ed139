import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { synthesize } from "../tools/synth.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";

Deno.test("synth", async (t) => {
  const dir = await Deno.makeTempDir();
  const r = await synthesize(`${dir}/a`, { scale: 0.005, seed: 3 });
  const { table } = await readRatingsTable(`${dir}/a/ratings.csv`);

  await t.step("sizes scale with ML-32M's counts", () => {
    assert.equal(r.users, Math.round(200_948 * 0.005));
    assert.equal(r.movies, Math.round(87_585 * 0.005));
    assert.equal(r.ratings, Math.round(32_000_204 * 0.005));
    assert.equal(table.length, r.ratings);
  });

  await t.step("every user has at least 20 distinct ratings, users numbered 1..N", () => {
    const perUser = new Map<number, Set<number>>();
    for (let i = 0; i < table.length; i++) {
      const s = perUser.get(table.users[i]) ?? new Set();
      s.add(table.movies[i]);
      perUser.set(table.users[i], s);
    }
    assert.equal(perUser.size, r.users);
    let distinct = 0;
    for (const [u, s] of perUser) {
      assert.ok(s.size >= 20, `user ${u} has ${s.size}`);
      assert.ok(u >= 1 && u <= r.users);
      distinct += s.size;
    }
    assert.equal(distinct, table.length, "a user rated a movie twice");
  });

  await t.step("ratings are half stars with mean near 3.5 and 4.0 the most common", () => {
    const counts = new Array(11).fill(0);
    let sum = 0;
    for (const x of table.ratings) {
      counts[x]++;
      sum += x / 2;
    }
    assert.equal(counts[0], 0);
    const mean = sum / table.length;
    assert.ok(mean > 3.35 && mean < 3.7, `mean ${mean}`);
    assert.equal(counts.indexOf(Math.max(...counts)), 8);
  });

  await t.step("movies.csv quotes titles with commas and quotes, per RFC 4180", async () => {
    const text = await Deno.readTextFile(`${dir}/a/movies.csv`);
    const rows: string[][] = parse(text);
    assert.deepEqual(rows[0], ["movieId", "title", "genres"]);
    assert.equal(rows.length - 1, r.movies);
    assert.ok(rows.some((row) => row[1].includes(",")), "no title with a comma");
    assert.ok(rows.some((row) => row[1].includes('"')), "no title with a quote");
    for (const row of rows.slice(1)) assert.match(row[1], /\(\d{4}\)$/);
  });

  await t.step("links.csv has 7-digit imdb ids and some empty tmdbIds", async () => {
    const rows: string[][] = parse(await Deno.readTextFile(`${dir}/a/links.csv`));
    assert.deepEqual(rows[0], ["movieId", "imdbId", "tmdbId"]);
    for (const row of rows.slice(1)) assert.match(row[1], /^\d{7}$/);
    assert.ok(rows.slice(1).some((row) => row[2] === ""));
  });

  await t.step("the same seed gives identical files; another seed differs", async () => {
    await synthesize(`${dir}/b`, { scale: 0.005, seed: 3 });
    await synthesize(`${dir}/c`, { scale: 0.005, seed: 4 });
    for (const f of ["ratings.csv", "movies.csv", "links.csv"]) {
      assert.deepEqual(
        await Deno.readFile(`${dir}/b/${f}`),
        await Deno.readFile(`${dir}/a/${f}`),
        f,
      );
    }
    assert.notDeepEqual(
      await Deno.readFile(`${dir}/c/ratings.csv`),
      await Deno.readFile(`${dir}/a/ratings.csv`),
    );
  });

  await Deno.remove(dir, { recursive: true });
});
