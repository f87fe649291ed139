import assert from "node:assert/strict";
import {
  CoRatingSums,
  packShift,
  singleSlotShift,
  transposePositions,
  upperPairCost,
} from "../lib/co_rating.ts";
import { buildRatingMatrix, type Orientation, orientation } from "../lib/rating_matrix.ts";
import { simKey } from "../lib/neighbor_file.ts";
import { mergeTopK, TopKLists } from "../lib/top_k.ts";

// u1: m10=8 m20=6 m30=2;  u2: m10=4 m20=10;  u3: m20=6 m30=4   (ratings ×2)
const triples = [[1, 10, 8], [1, 20, 6], [1, 30, 2], [2, 10, 4], [2, 20, 10], [3, 20, 6], [
  3,
  30,
  4,
]];
const matrix = buildRatingMatrix({
  length: triples.length,
  users: Int32Array.from(triples, (t) => t[0]),
  movies: Int32Array.from(triples, (t) => t[1]),
  ratings: Uint8Array.from(triples, (t) => t[2]),
  timestamps: new Uint32Array(triples.length),
});
const users = orientation(matrix, "user");

function lists(kind: "cosine" | "pearson", minCommon: number) {
  const tPos = transposePositions(users);
  const sums = new CoRatingSums(users, tPos, kind === "pearson");
  const l = new TopKLists(3, 5);
  let evaluated = 0;
  for (let a = 0; a < 3; a++) {
    sums.accumulate(a);
    evaluated += sums.score(a, minCommon, kind, 0, l);
  }
  const nids = new Int32Array(5), keys = new Int32Array(5);
  const rows = [0, 1, 2].map((r) => {
    const n = mergeTopK([l], r, 5, new Float64Array(5), nids, keys);
    return Array.from({ length: n }, (_, j) => [nids[j], keys[j]]);
  });
  return { rows, evaluated, updates: sums.updates, coRated: sums.coRated };
}

Deno.test("co-rating sums", async (t) => {
  await t.step("finds each row's position in the transpose", () => {
    // Columns: m10 = [u1, u2] at 0..1, m20 = [u1, u2, u3] at 2..4, m30 = [u1, u3] at 5..6.
    assert.deepEqual([...transposePositions(users)], [0, 2, 5, 1, 3, 4, 6]);
  });

  await t.step("costs a row the number of later rows in its columns", () => {
    const tPos = transposePositions(users);
    assert.deepEqual([0, 1, 2].map((a) => upperPairCost(users, tPos, a)), [4, 1, 0]);
  });

  await t.step("scores each pair once and offers it to both rows (cosine)", () => {
    const { rows, evaluated, updates, coRated } = lists("cosine", 1);
    const k12 = simKey(92 / Math.sqrt(100 * 116)); // {m10, m20}: 8·4+6·10, 64+36, 16+100
    const k13 = simKey(44 / Math.sqrt(40 * 52)); // {m20, m30}: 6·6+2·4, 36+4, 36+16
    // nids are user ids: u1's list is [u3, u2], and so on.
    assert.deepEqual(rows, [
      [[3, k13], [2, k12]],
      [[3, 1000000], [1, k12]],
      [[2, 1000000], [1, k13]],
    ]);
    assert.equal(evaluated, 3);
    assert.equal(updates, 5);
    assert.equal(coRated, 3);
  });

  await t.step("drops pairs under min-common and undefined Pearson pairs", () => {
    // (u1,u2): n=2, (2·92 − 14·14)/sqrt((200 − 196)(232 − 196)) = −1
    // (u1,u3): n=2, (2·44 − 8·10)/sqrt((80 − 64)(104 − 100)) = 1; (u2,u3): n=1
    const { rows, evaluated } = lists("pearson", 2);
    assert.deepEqual(rows, [[[3, 1000000], [2, -1000000]], [[1, -1000000]], [[1, 1000000]]]);
    assert.equal(evaluated, 2);
    // With min-common 1, (u2,u3) has a single co-rating: zero variance, dropped.
    assert.deepEqual(lists("pearson", 1).rows[1], [[1, -1000000]]);
  });

  await t.step("packs sums below 2^S with the total under 2^53", () => {
    assert.equal(packShift(1), 7); // 2^7 = 128 > 100
    assert.equal(packShift(100_000), 24); // 2^24 > 10^7
    assert.throws(() => packShift(2 ** 40), RangeError);
  });

  await t.step("packs a row's four cosine sums in one slot up to 255 entries", () => {
    assert.equal(singleSlotShift(1), 7);
    assert.equal(singleSlotShift(255), 15); // 2^15 > 25500, 256 · 2^45 = 2^53
    assert.equal(singleSlotShift(256), 0);
  });
});

/** A seeded generator (LCG), so a failure repeats. */
function random(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/**
 * Users 0..3 rate ~60% of 600 movies (rows over 255 entries: the two- and
 * four-slot packings), users 4..9 ~8% (the one-slot cosine and two-slot
 * Pearson packings); user ids are gappy.
 */
function mixedMatrix() {
  const rand = random(99);
  const users: number[] = [], movies: number[] = [], ratings: number[] = [];
  for (let u = 0; u < 10; u++) {
    const density = u < 4 ? 0.6 : 0.08;
    for (let m = 0; m < 600; m++) {
      if (rand() >= density) continue;
      users.push(5 * u + 2);
      movies.push(m + 1);
      ratings.push(1 + Math.floor(rand() * 10));
    }
  }
  return orientation(
    buildRatingMatrix({
      length: users.length,
      users: Int32Array.from(users),
      movies: Int32Array.from(movies),
      ratings: Uint8Array.from(ratings),
      timestamps: new Uint32Array(users.length),
    }),
    "user",
  );
}

type Entry = [id: number, key: number];

/** One configuration of the scoring: formula, least co-rated count, shrinkage, list length. */
interface Case {
  kind: "cosine" | "pearson";
  minCommon: number;
  shrink: number;
  k: number;
}

/** Each row's list by the plain definitions: sums over the co-rated movies, the formula, top K. */
function plainLists(o: Orientation, { kind, minCommon, shrink, k }: Case) {
  const rows = o.rowIds.length;
  const rated = Array.from({ length: rows }, (_, a) => {
    const m = new Map<number, number>();
    for (let p = o.offsets[a]; p < o.offsets[a + 1]; p++) m.set(o.cols[p], o.ratings[p]);
    return m;
  });
  const lists: Entry[][] = Array.from({ length: rows }, () => []);
  let evaluated = 0;
  for (let a = 0; a < rows; a++) {
    for (let b = a + 1; b < rows; b++) {
      let n = 0, sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
      for (const [col, x] of rated[a]) {
        const y = rated[b].get(col);
        if (y === undefined) continue;
        n++, sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
      }
      if (n < minCommon) continue;
      evaluated++;
      const sim = kind === "cosine"
        ? sxy / Math.sqrt(sxx * syy)
        : (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
      if (!Number.isFinite(sim)) continue;
      const key = simKey(shrink > 0 ? sim * n / (n + shrink) : sim);
      lists[a].push([o.rowIds[b], key]);
      lists[b].push([o.rowIds[a], key]);
    }
  }
  const best = (l: Entry[]) => l.sort((p, q) => q[1] - p[1] || p[0] - q[0]).slice(0, k);
  return { rows: lists.map(best), evaluated };
}

/** Each row's list as the engine makes it: accumulate, score, offer, merge. */
function engineLists(o: Orientation, { kind, minCommon, shrink, k }: Case) {
  const rows = o.rowIds.length;
  const sums = new CoRatingSums(o, transposePositions(o), kind === "pearson");
  const l = new TopKLists(rows, k);
  let evaluated = 0;
  for (let a = 0; a < rows; a++) {
    sums.accumulate(a);
    evaluated += sums.score(a, minCommon, kind, shrink, l);
  }
  const ids = new Int32Array(k), keys = new Int32Array(k);
  const lists = Array.from({ length: rows }, (_, r) => {
    const n = mergeTopK([l], r, k, new Float64Array(k), ids, keys);
    return Array.from({ length: n }, (_, j): Entry => [ids[j], keys[j]]);
  });
  return { rows: lists, evaluated };
}

Deno.test("co-rating sums over every packing", async (t) => {
  const o = mixedMatrix();
  const lengths = Array.from({ length: 10 }, (_, a) => o.offsets[a + 1] - o.offsets[a]);
  await t.step("the matrix has rows on both sides of the one-slot limit", () => {
    assert.ok(lengths.slice(0, 4).every((len) => singleSlotShift(len) === 0), `${lengths}`);
    assert.ok(lengths.slice(4).every((len) => singleSlotShift(len) > 0), `${lengths}`);
  });
  for (const kind of ["cosine", "pearson"] as const) {
    for (const [minCommon, shrink, k] of [[1, 0, 9], [20, 0, 9], [1, 10, 2], [5, 3, 3]]) {
      await t.step(
        `${kind}, min-common ${minCommon}, shrink ${shrink}, K ${k}: the plain reference`,
        () => {
          const c = { kind, minCommon, shrink, k };
          const want = plainLists(o, c);
          const got = engineLists(o, c);
          assert.deepEqual(got.rows, want.rows);
          assert.equal(got.evaluated, want.evaluated);
          assert.ok(want.rows.some((r) => r.length > 0));
        },
      );
    }
  }
});
