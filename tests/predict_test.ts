import assert from "node:assert/strict";
import { type PredictOptions, predictToFile } from "../eval/predict.ts";
import { synthesize } from "../tools/synth.ts";
import { splitRatings } from "../tools/split.ts";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";

const FIX = new URL("./fixtures/eval/", import.meta.url).pathname;

interface Line {
  user: number;
  movie: number;
  pred: number;
  text: string;
}

function parseLines(text: string): { header: string; lines: Line[] } {
  const rows = text.split("\n");
  assert.equal(rows.pop(), "", "file ends with a newline");
  const [header, ...body] = rows;
  return {
    header,
    lines: body.map((l) => {
      const m = l.match(/^(\d+),(\d+),(\d\.\d{6})$/);
      assert.ok(m, `well-formed line '${l}'`);
      return { user: Number(m[1]), movie: Number(m[2]), pred: Number(m[3]), text: m[3] };
    }),
  };
}

Deno.test("predict on the hand-written fixture", async (t) => {
  const dir = await Deno.makeTempDir();
  const base: PredictOptions = {
    train: FIX + "train.csv",
    neighbors: FIX + "item_neighbors.txt",
    model: "item",
    out: `${dir}/recs.csv`,
    top: 100,
    k: 0,
    workers: 2,
    progress: false,
  };

  await t.step("item-based recommendations are the hand-computed lines", async () => {
    const s = await predictToFile(base);
    // User 1 rated 10, 20: 30 ← 10 (0.5·4/0.5), 40 ← 20 (0.3·3/0.3).
    // User 2 rated 10, 20, 30: 40 ← 20, 30: (0.3·2 − 0.2·4)/0.5 = −0.4 → 0.5.
    // User 3 rated 10, 30, 40: 20 ← 10 (3.0).
    // User 4 rated 20, 40: 10 ← 20 (4.5); 30 ← 40: (−0.2·0.5)/0.2 = −0.5 → 0.5.
    assert.equal(
      await Deno.readTextFile(base.out),
      "userId,movieId,prediction\n" +
        "1,30,4.000000\n1,40,3.000000\n" +
        "2,40,0.500000\n" +
        "3,20,3.000000\n" +
        "4,10,4.500000\n4,30,0.500000\n",
    );
    assert.equal(s.lines, 6);
    assert.equal(s.users, 4);
  });

  await t.step("--top 1 keeps the best line per user", async () => {
    await predictToFile({ ...base, top: 1 });
    const { lines } = parseLines(await Deno.readTextFile(base.out));
    assert.deepEqual(lines.map((l) => `${l.user},${l.movie}`), ["1,30", "2,40", "3,20", "4,10"]);
  });

  await t.step("user-based predictions are printed with 6 decimals", async () => {
    await predictToFile({ ...base, model: "user", neighbors: FIX + "user_neighbors.txt" });
    const { lines } = parseLines(await Deno.readTextFile(base.out));
    // User 1: 40 → 3.5 + (0.1·(0.5 − 2.5) − 0.5·(1 − 3))/0.6, 30 → 3.5 + (0.8·(4 − 11/3) − 0.5·2)/1.3.
    const u1 = lines.filter((l) => l.user === 1);
    assert.deepEqual(u1.map((l) => l.movie), [40, 30]);
    assert.equal(u1[0].text, (3.5 + 0.8 / 0.6).toFixed(6));
    assert.equal(u1[1].text, (3.5 + (0.8 * (4 - 11 / 3) - 1) / 1.3).toFixed(6));
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("predict on synthetic data", async (t) => {
  const dir = await Deno.makeTempDir();
  await synthesize(dir, { scale: 0.003, seed: 5 });
  await splitRatings(`${dir}/ratings.csv`, dir, { testRatio: 0.2, seed: 42, skipInvalid: false });
  const train = `${dir}/ratings_train.csv`;
  const { table } = await readRatingsTable(train);
  const rated = new Set<string>();
  for (let r = 0; r < table.length; r++) rated.add(`${table.users[r]},${table.movies[r]}`);
  const users = new Set(table.users);

  for (const model of ["user", "item"] as const) {
    const neighbors = `${dir}/${model}.txt`;
    await computeNeighborsFile(train, neighbors, {
      mode: model,
      k: 20,
      minCommon: 3,
      similarity: "pearson",
      shrink: 100,
      maxRaters: 0,
      workers: 2,
      progress: false,
    });
    const opts: PredictOptions = {
      train,
      neighbors,
      model,
      out: `${dir}/${model}_top.csv`,
      top: 25,
      k: 0,
      workers: 3,
      progress: false,
    };
    await predictToFile(opts);
    const topText = await Deno.readTextFile(opts.out);
    const top = parseLines(topText);

    await t.step(`${model}: header, sorted lines, no already-rated movie, top N`, () => {
      assert.equal(top.header, "userId,movieId,prediction");
      const perUser = new Map<number, number>();
      for (let n = 0; n < top.lines.length; n++) {
        const l = top.lines[n];
        assert.ok(!rated.has(`${l.user},${l.movie}`), `${l.user},${l.movie} was rated`);
        assert.ok(l.pred >= 0.5 && l.pred <= 5);
        perUser.set(l.user, (perUser.get(l.user) ?? 0) + 1);
        if (n === 0) continue;
        const p = top.lines[n - 1];
        assert.ok(
          p.user < l.user || (p.user === l.user &&
            (p.pred > l.pred || (p.pred === l.pred && p.movie < l.movie))),
          `order at line ${n + 2}`,
        );
      }
      assert.ok([...perUser.values()].every((c) => c <= 25));
      assert.ok([...perUser.values()].filter((c) => c === 25).length > users.size / 2);
    });

    await t.step(`${model}: --all holds every candidate and the top N is its prefix`, async () => {
      await predictToFile({ ...opts, top: 0, out: `${dir}/${model}_all.csv`, workers: 1 });
      const all = parseLines(await Deno.readTextFile(`${dir}/${model}_all.csv`));
      assert.ok(all.lines.length > top.lines.length);
      const byUser = new Map<number, Line[]>();
      for (const l of all.lines) byUser.set(l.user, [...(byUser.get(l.user) ?? []), l]);
      const expected = [...byUser.values()].flatMap((ls) => ls.slice(0, 25));
      assert.deepEqual(top.lines, expected);
    });

    await t.step(`${model}: the file is byte-identical for 1 and 3 workers`, async () => {
      await predictToFile({ ...opts, out: `${dir}/${model}_w1.csv`, workers: 1 });
      assert.equal(await Deno.readTextFile(`${dir}/${model}_w1.csv`), topText);
    });
  }
  await Deno.remove(dir, { recursive: true });
});
