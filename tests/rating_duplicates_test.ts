import assert from "node:assert/strict";
import { LAYOUTS as FIX } from "./fixtures/layouts.ts";
import { DuplicateRatingsError } from "../lib/rating_duplicates.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { splitRatings } from "../tools/split.ts";

/** Writes `text` as `<tmp>/<name>` and returns the path. */
async function file(dir: string, name: string, text: string): Promise<string> {
  await Deno.writeTextFile(`${dir}/${name}`, text);
  return `${dir}/${name}`;
}

const rows = (t: { users: Int32Array; movies: Int32Array; ratings: Uint8Array }) =>
  Array.from(t.users, (u, i) => [u, t.movies[i], t.ratings[i]]);

Deno.test("duplicated (userId, movieId) ratings", async (t) => {
  const dir = await Deno.makeTempDir();
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);

  await t.step("keeps the latest rating of a pair by timestamp, in file order", async () => {
    // Line 2 (ts 0) repeats line 4's pair; line 4 is later by timestamp and wins.
    const path = await file(
      dir,
      "a.csv",
      "userId,movieId,rating,timestamp\n1,10,2.0,0\n1,20,3.0,100\n1,10,4.5,200\n2,10,1.0,50\n",
    );
    warnings.length = 0;
    const { table, duplicates } = await readRatingsTable(path, { warn });
    assert.deepEqual(rows(table), [[1, 20, 6], [1, 10, 9], [2, 10, 2]]);
    assert.equal(duplicates.dropped, 1);
    assert.deepEqual(duplicates.first, { userId: 1, movieId: 10, firstLine: 2, secondLine: 4 });
  });

  await t.step("keeps the later line when the timestamps tie", async () => {
    const path = await file(dir, "b.csv", "1,10,2.0,7\n1,10,5.0,7\n1,10,1.0,3\n");
    const { table, duplicates } = await readRatingsTable(path, { warn: () => {} });
    assert.deepEqual(rows(table), [[1, 10, 10]]);
    assert.equal(duplicates.dropped, 2, "a pair rated three times drops two");
  });

  await t.step("warns once with the count and the first file:line pair", async () => {
    const path = await file(dir, "c.csv", "1,10,2.0,1\n2,10,3.0,1\n2,10,3.0,2\n1,10,4.0,2\n");
    warnings.length = 0;
    await readRatingsTable(path, { warn });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /2 duplicated \(userId, movieId\) rating\(s\) dropped/);
    // The first pair in file order is the one whose second line comes first (lines 2 and 3).
    assert.match(
      warnings[0],
      new RegExp(`first: ${path}:2 and ${path}:3 \\(userId 2, movieId 10\\)`),
    );
  });

  await t.step("--duplicates error refuses naming both lines", async () => {
    const path = await file(dir, "d.dat", "1::10::2::5\n1::20::3::5\n1::10::4::6\n");
    await assert.rejects(() => readRatingsTable(path, { duplicates: "error" }), (err: unknown) => {
      assert.ok(err instanceof DuplicateRatingsError);
      assert.equal(err.pair.firstLine, 1);
      assert.equal(err.pair.secondLine, 3);
      assert.match(
        err.message,
        new RegExp(`^${path}:3: duplicate rating for userId 1, movieId 10`),
      );
      assert.match(err.message, new RegExp(`first rated at ${path}:1`));
      return true;
    });
  });

  await t.step("split applies the policy, so neither output holds a duplicate", async () => {
    const ratings = `${FIX}/ml-1m/ratings.dat`;
    warnings.length = 0;
    const r = await splitRatings(ratings, `${dir}/split`, {
      testRatio: 0.2,
      seed: 42,
      skipInvalid: false,
      warn,
    });
    assert.equal(r.duplicates.dropped, 1);
    assert.equal(r.train + r.test, 35);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /ratings\.dat:12 and .*ratings\.dat:14 \(userId 3, movieId 2\)/);
    const lines = [
      ...(await Deno.readTextFile(`${dir}/split/ratings_train.csv`)).trim().split("\n"),
      ...(await Deno.readTextFile(`${dir}/split/ratings_test.csv`)).trim().split("\n"),
    ];
    const pairs = lines.map((l) => l.split(",").slice(0, 2).join(","));
    assert.equal(new Set(pairs).size, pairs.length);
    assert.ok(lines.includes("3,2,2.0,881251102"), "the rating with the later timestamp is kept");
    await assert.rejects(
      () =>
        splitRatings(ratings, `${dir}/split-error`, {
          testRatio: 0.2,
          seed: 42,
          skipInvalid: false,
          duplicates: "error",
        }),
      DuplicateRatingsError,
    );
  });

  await Deno.remove(dir, { recursive: true });
});
