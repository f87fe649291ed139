import assert from "node:assert/strict";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import type { NeighborsOptions } from "../lib/neighbors/options.ts";
import { raterCapKey } from "../lib/hash.ts";
import { main } from "../main.ts";
import { referenceNeighborText } from "./fixtures/reference_neighbors.ts";

/** One rating: user id, movie id, rating·2 (1..10). */
type Rating = [number, number, number];

function csv(ratings: Rating[]): string {
  return ratings.map(([u, m, r]) => `${u},${m},${r / 2},1000000000\n`).join("");
}

/** A tiny seeded PRNG (mulberry32), so every case is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random ratings over sparse, non-contiguous ids; `values` are the rating·2 choices. */
function randomRatings(
  seed: number,
  users: number,
  movies: number,
  density: number,
  values: number[],
) {
  const rand = rng(seed);
  const userIds = Array.from({ length: users }, (_, i) => 1 + i * 3 + Math.floor(rand() * 3));
  const movieIds = Array.from({ length: movies }, (_, i) => 10 + i * 97 + Math.floor(rand() * 50));
  const out: Rating[] = [];
  for (const u of userIds) {
    for (const m of movieIds) {
      if (rand() < density) out.push([u, m, values[Math.floor(rand() * values.length)]]);
    }
  }
  // File order must not matter.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The reference neighbor file of a ratings list (rows by `o.mode`). */
function referenceFile(ratings: Rating[], o: Omit<NeighborsOptions, "workers">): string {
  const rows = new Map<number, Map<number, number>>();
  for (const [u, m, r] of ratings) {
    const [row, col] = o.mode === "user" ? [u, m] : [m, u];
    if (!rows.has(row)) rows.set(row, new Map());
    rows.get(row)!.set(col, r);
  }
  return referenceNeighborText(rows, o);
}

const BASE: NeighborsOptions = {
  mode: "user",
  k: 4,
  minCommon: 2,
  similarity: "cosine",
  shrink: 0,
  maxRaters: 0,
  workers: 2,
  progress: false,
};

Deno.test("neighbors engine", async (t) => {
  const dir = await Deno.makeTempDir();
  const train = `${dir}/train.csv`;
  const run = async (ratings: Rating[], options: Partial<NeighborsOptions>) => {
    await Deno.writeTextFile(train, csv(ratings));
    const out = `${dir}/out.txt`;
    const stats = await computeNeighborsFile(train, out, { ...BASE, ...options });
    return { text: await Deno.readTextFile(out), stats };
  };

  const cases: [string, Partial<NeighborsOptions>][] = [
    ["user cosine", {}],
    ["user pearson", { similarity: "pearson" }],
    ["item cosine", { mode: "item" }],
    ["item pearson", { mode: "item", similarity: "pearson" }],
    ["user cosine with shrink 3.5", { shrink: 3.5 }],
    ["item pearson with shrink 10 and min-common 4", {
      mode: "item",
      similarity: "pearson",
      shrink: 10,
      minCommon: 4,
    }],
    ["user pearson with min-common 1 and k 50", { similarity: "pearson", minCommon: 1, k: 50 }],
  ];
  for (const [name, options] of cases) {
    await t.step(`matches the brute-force reference: ${name}`, async () => {
      for (const seed of [1, 2, 3]) {
        const ratings = randomRatings(seed, 40, 25, 0.35, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        const { text } = await run(ratings, options);
        assert.equal(text, referenceFile(ratings, { ...BASE, ...options }));
      }
    });
  }

  await t.step("matches the reference for rows longer than 255 ratings", async () => {
    // Long rows use wide accumulators, short ones a single packed slot; pairs mix both.
    const long = randomRatings(21, 8, 400, 0.9, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const short = randomRatings(22, 30, 400, 0.08, [2, 4, 6, 8, 10]).map((
      [u, m, r],
    ): Rating => [u + 1000, m, r]);
    const ratings = [...long, ...short];
    for (const options of [{}, { similarity: "pearson" as const, shrink: 2 }]) {
      const { text } = await run(ratings, { ...options, k: 6 });
      assert.equal(text, referenceFile(ratings, { ...BASE, ...options, k: 6 }));
    }
  });

  await t.step("breaks ties in similarity by the smaller neighbor id", async () => {
    // Two rating values on few movies: many identical rows, hence many equal sims.
    const ratings = randomRatings(7, 60, 6, 0.6, [4, 8]);
    for (const similarity of ["cosine", "pearson"] as const) {
      const { text } = await run(ratings, { similarity, k: 3, minCommon: 2 });
      assert.equal(text, referenceFile(ratings, { ...BASE, similarity, k: 3, minCommon: 2 }));
    }
    // Users 5, 6, 7 rate exactly like user 1: all three tie at sim 1, and k=2 keeps 5 and 6.
    const same: Rating[] = [];
    for (const u of [1, 5, 6, 7]) same.push([u, 10, 8], [u, 20, 6], [u, 30, 2]);
    const { text } = await run(same, { k: 2, minCommon: 3 });
    assert.equal(text.split("\n")[0], "1\t5:1.000000,6:1.000000");
  });

  await t.step("gives the same bytes for 1, 2 and 3 workers", async () => {
    const ratings = randomRatings(11, 120, 60, 0.2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const mode of ["user", "item"] as const) {
      const texts = [];
      for (const workers of [1, 2, 3]) texts.push((await run(ratings, { mode, workers })).text);
      assert.ok(texts[0].length > 0);
      assert.equal(texts[1], texts[0]);
      assert.equal(texts[2], texts[0]);
    }
  });

  await t.step("writes no line for a row without a neighbor over the threshold", async () => {
    const ratings: Rating[] = [
      [3, 100, 8],
      [3, 200, 6],
      [8, 100, 4],
      [8, 200, 10],
      [9, 100, 6], // user 9 shares only one movie with anyone
    ];
    const { text, stats } = await run(ratings, { minCommon: 2 });
    // sim(3, 8) = (8·4 + 6·10) / sqrt((64 + 36)(16 + 100)) = 92 / sqrt(11600)
    const sim = (92 / Math.sqrt(11600)).toFixed(6);
    assert.equal(text, `3\t8:${sim}\n8\t3:${sim}\n`);
    assert.equal(stats.lines, 2);
    assert.equal(stats.pairsKept, 2);
  });

  await t.step("keeps non-contiguous MovieLens ids as they are", async () => {
    const ratings: Rating[] = [];
    for (const u of [2, 70000]) {
      for (const m of [1, 131262, 209171]) ratings.push([u, m, u === 2 ? 8 : 6 + (m % 3)]);
    }
    const { text } = await run(ratings, { mode: "item", minCommon: 2, k: 5 });
    assert.equal(text, referenceFile(ratings, { ...BASE, mode: "item", minCommon: 2, k: 5 }));
    assert.deepEqual(text.trim().split("\n").map((l) => Number(l.split("\t")[0])), [
      1,
      131262,
      209171,
    ]);
  });

  await t.step("applies --max-raters exactly as the plain rule says", async () => {
    const ratings = randomRatings(5, 50, 20, 0.5, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const mode of ["user", "item"] as const) {
      const cap = 6;
      // Group = movie in user mode, user in item mode; keep the `cap` smallest (key, member).
      const groups = new Map<number, Rating[]>();
      for (const r of ratings) {
        const g = mode === "user" ? r[1] : r[0];
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g)!.push(r);
      }
      const kept: Rating[] = [];
      for (const [g, members] of groups) {
        const member = (r: Rating) => mode === "user" ? r[0] : r[1];
        members.sort((p, q) =>
          raterCapKey(g, member(p)) - raterCapKey(g, member(q)) || member(p) - member(q)
        );
        kept.push(...members.slice(0, cap));
      }
      assert.ok(kept.length < ratings.length);
      const { text, stats } = await run(ratings, { mode, maxRaters: cap, minCommon: 1 });
      assert.equal(stats.ratings, kept.length);
      assert.equal(text, referenceFile(kept, { ...BASE, mode, maxRaters: cap, minCommon: 1 }));
    }
  });

  await t.step("rejects bad flags with a clear one-line error and a non-zero exit", async () => {
    await Deno.writeTextFile(train, csv([[1, 1, 8], [2, 1, 6]]));
    const argv = ["neighbors", "--train", train, "--mode", "user", "--out", `${dir}/bad.txt`];
    const bad: [string[], RegExp][] = [
      [["--k", "0"], /--k.*'0'.*>= 1/],
      [["--min-common", "-1"], /--min-common.*'-1'.*>= 1/],
      [["--similarity", "jaccard"], /--similarity.*'jaccard'.*cosine, pearson/],
      [["--mode", "movie"], /--mode.*'movie'/],
    ];
    const original = console.error;
    try {
      for (const [extra, pattern] of bad) {
        const messages: string[] = [];
        console.error = (...args: unknown[]) => messages.push(args.join(" "));
        const code = await main([...argv, ...extra]);
        console.error = original;
        assert.notEqual(code, 0);
        assert.equal(messages.length, 1);
        assert.match(messages[0], pattern);
        assert.ok(!messages[0].includes("\n"));
      }
    } finally {
      console.error = original;
    }
    await assert.rejects(Deno.stat(`${dir}/bad.txt`));
  });

  await Deno.remove(dir, { recursive: true });
});
