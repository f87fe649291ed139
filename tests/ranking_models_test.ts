import assert from "node:assert/strict";
import { ratingsTable } from "./fixtures/ratings_rows.ts";
import { buildRatingMatrix, type RatingMatrix } from "../lib/rating_matrix.ts";
import { fitEase } from "../lib/models/ease.ts";
import { fitItemKnnImplicit } from "../lib/models/item_knn_implicit.ts";
import type { RankingModel } from "../lib/models/model.ts";
import { fitPopularity } from "../lib/models/popularity.ts";
import { RankScratch, topNForUser } from "../lib/models/rank.ts";
import { fitRp3beta } from "../lib/models/rp3beta.ts";
import { invertSpd } from "../lib/models/spd_inverse.ts";
import { synthesize } from "../tools/synth.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";

const assertEquals = (actual: unknown, expected: unknown) =>
  assert.deepStrictEqual(actual, expected);
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  assert.equal(actual.length, expected.length);
  for (let k = 0; k < actual.length; k++) {
    const a = actual[k], e = expected[k];
    if (a === e) continue; // also ±Infinity
    assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `[${k}] ${a} vs ${e}`);
  }
}

const table = ratingsTable;

// Five users, six movies (ids 1..6 → dense 0..5); star values do not matter
// to these models, only who rated what.
// One line per user (kept so by deno-fmt-ignore).
// deno-fmt-ignore
const rows: [number, number, number][] = [
  [1, 1, 5], [1, 2, 4], [1, 3, 1],
  [2, 1, 3], [2, 3, 5], [2, 4, 2],
  [3, 2, 4], [3, 4, 4], [3, 5, 3],
  [4, 1, 2], [4, 2, 5], [4, 5, 4], [4, 6, 1],
  [5, 3, 3], [5, 6, 5],
];
const shared = buildRatingMatrix(table(rows));
const USERS = 5, ITEMS = 6;

/** The binary matrix as plain nested arrays: x[u][i] = 1 when u rated i. */
function binary(m: RatingMatrix): number[][] {
  const x = Array.from({ length: m.userIds.length }, () => new Array(m.itemIds.length).fill(0));
  for (let u = 0; u < x.length; u++) {
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) x[u][m.userItems[p]] = 1;
  }
  return x;
}
const X = binary(shared);
const raters = (i: number) => X.reduce((s, row) => s + row[i], 0);
const rated = (u: number) => X[u].reduce((s, v) => s + v, 0);

/** Keeps the k largest entries of a row (ties: smaller index), the others become 0. */
function keepTop(row: number[], k: number, self: number): number[] {
  const order = row.map((_v, j) => j).filter((j) => j !== self && row[j] > 0)
    .sort((a, b) => row[b] - row[a] || a - b).slice(0, k);
  return row.map((v, j) => (order.includes(j) ? v : 0));
}

function scores(model: RankingModel, u: number): Float64Array {
  const out = new Float64Array(ITEMS);
  model.scoreUser(u, out);
  return out;
}

async function neverListsOwnItems(model: RankingModel, m: RatingMatrix): Promise<void> {
  const scratch = new RankScratch(ITEMS, ITEMS);
  for (let u = 0; u < USERS; u++) {
    const list = [...topNForUser(model, m, u, ITEMS, scratch)];
    for (const i of list) assert.equal(X[u][i], 0, `user ${u} got own item ${i}`);
    assert.equal(list.length, X[u].filter((v) => v === 0).length);
  }
  await Promise.resolve();
}

Deno.test("popularity", async (t) => {
  const model = fitPopularity(shared);
  await t.step("scores each movie by its number of training ratings", () => {
    assertEquals([...scores(model, 0)], [3, 3, 3, 2, 2, 2]);
  });
  await t.step("lists no rated movie and explains nothing", async () => {
    await neverListsOwnItems(model, shared);
    assertEquals(model.explain(0, 3), null);
  });
});

Deno.test("item-knn-implicit", async (t) => {
  const k = 2;
  // sim(i, j) = |U_i ∩ U_j| / sqrt(|U_i| |U_j|), then i's k best neighbours.
  const sim = Array.from({ length: ITEMS }, (_, i) =>
    Array.from({ length: ITEMS }, (_, j) => {
      let both = 0;
      for (let u = 0; u < USERS; u++) both += X[u][i] * X[u][j];
      return i === j ? 0 : both / Math.sqrt(raters(i) * raters(j));
    }));
  const nbr = sim.map((row, i) => keepTop(row, k, i));
  const expected = (u: number) =>
    Array.from({ length: ITEMS }, (_, i) => X[u].reduce((s, x, j) => s + x * nbr[i][j], 0));

  await t.step("matches the cosine definition with k neighbours, on 0 and 2 workers", async () => {
    for (const workers of [0, 2]) {
      const model = await fitItemKnnImplicit(shared, { k, workers });
      for (let u = 0; u < USERS; u++) assertClose(scores(model, u), expected(u), 1e-6);
    }
  });
  await t.step("keeps neighbour lists best first, ties by smaller movie", async () => {
    const model = await fitItemKnnImplicit(shared, { k, workers: 0 });
    const { offsets, items } = model.neighbors;
    for (let i = 0; i < ITEMS; i++) {
      const want = nbr[i].map((_v, j) => j).filter((j) => nbr[i][j] > 0)
        .sort((a, b) => nbr[i][b] - nbr[i][a] || a - b);
      assertEquals([...items.subarray(offsets[i], offsets[i + 1])], want);
    }
  });
  await t.step("explains by the rated movie of largest similarity", async () => {
    const model = await fitItemKnnImplicit(shared, { k: ITEMS, workers: 0 });
    // User 5 (dense 4) rated movies 3 and 6; for movie 1: sim(1,3) = 2/3 > sim(1,6) = 1/3.
    const c = model.explain(4, 0)!;
    assertEquals(c.item, 2);
    assert.ok(Math.abs(c.weight - 2 / 3) < 1e-6);
    await neverListsOwnItems(model, shared);
  });
});

Deno.test("rp3beta", async (t) => {
  const alpha = 0.8, beta = 0.4, k = 3;
  // W(i, j) = Σ_u (1/|U_i|)^α (1/|I_u|)^α / |U_j|^β over users of both, row top-k.
  const w = Array.from({ length: ITEMS }, (_, i) =>
    keepTop(
      Array.from({ length: ITEMS }, (_, j) => {
        let s = 0;
        for (let u = 0; u < USERS; u++) {
          if (X[u][i] && X[u][j]) s += (1 / raters(i)) ** alpha * (1 / rated(u)) ** alpha;
        }
        return s / raters(j) ** beta;
      }),
      k,
      i,
    ));
  const expected = (u: number) =>
    Array.from({ length: ITEMS }, (_, j) => X[u].reduce((s, x, i) => s + x * w[i][j], 0));

  await t.step("matches the random-walk formula, on 0 and 2 workers", async () => {
    for (const workers of [0, 2]) {
      const model = await fitRp3beta(shared, { alpha, beta, k, workers });
      for (let u = 0; u < USERS; u++) assertClose(scores(model, u), expected(u), 1e-6);
    }
  });
  await t.step("explains by the rated movie of largest W and lists no rated movie", async () => {
    const model = await fitRp3beta(shared, { alpha, beta, k, workers: 0 });
    for (let u = 0; u < USERS; u++) {
      for (let j = 0; j < ITEMS; j++) {
        let best = -1;
        for (let i = 0; i < ITEMS; i++) {
          if (X[u][i] && w[i][j] > 0 && (best < 0 || w[i][j] > w[best][j])) best = i;
        }
        assertEquals(model.explain(u, j)?.item ?? -1, best);
      }
    }
    await neverListsOwnItems(model, shared);
  });
});

/** The textbook Gauss–Jordan inverse with partial pivoting, on plain arrays. */
function plainInverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    const p = m[c][c];
    for (let j = 0; j < 2 * n; j++) m[c][j] /= p;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row) => row.slice(n));
}

/** Plain EASE over the given columns of X: B = I − P diag(1/diag P), score = x_u B. */
function plainEase(cols: number[], lambda: number, w = 1): (u: number) => number[] {
  // x_ui = 1 for ★ ≥ 4, w below, 0 unrated.
  const x = rows.reduce((acc, [user, movie, stars]) => {
    acc[user - 1][movie - 1] = stars >= 4 ? 1 : w;
    return acc;
  }, Array.from({ length: USERS }, () => new Array(ITEMS).fill(0)));
  const g = cols.map((i) =>
    cols.map((j) => x.reduce((s, row) => s + row[i] * row[j], 0) + (i === j ? lambda : 0))
  );
  const p = plainInverse(g);
  const b = p.map((row, r) => row.map((v, c) => (r === c ? 0 : -v / p[c][c])));
  return (u) => {
    const out = new Array(ITEMS).fill(-Infinity);
    cols.forEach((i, c) => {
      out[i] = cols.reduce((s, j, r) => s + x[u][j] * b[r][c], 0);
    });
    return out;
  };
}

Deno.test("ease", async (t) => {
  await t.step("matches a plain Gauss–Jordan EASE on every movie, on 1 and 2 workers", async () => {
    const want = plainEase([0, 1, 2, 3, 4, 5], 2);
    for (const workers of [1, 2]) {
      const model = await fitEase(shared, { lambda: 2, minRatings: 1, workers });
      for (let u = 0; u < USERS; u++) assertClose(scores(model, u), want(u), 1e-5);
    }
  });
  await t.step("gives B the same bits on 1, 2 and 3 workers (G's rows split by work)", async () => {
    const dir = await Deno.makeTempDir();
    await synthesize(dir, { scale: 0.002, seed: 4 });
    const big = buildRatingMatrix((await readRatingsTable(`${dir}/ratings.csv`)).table);
    await Deno.remove(dir, { recursive: true });
    const o = { lambda: 50, lowRatingWeight: 0.5, minRatings: 5 };
    const one = await fitEase(big, { ...o, workers: 1 });
    assert.ok(one.colItems.length > 50);
    for (const workers of [2, 3]) {
      assert.deepEqual((await fitEase(big, { ...o, workers })).b, one.b);
    }
  });
  await t.step(
    "weights a rating below 4 stars by lowRatingWeight, as input and target",
    async () => {
      const want = plainEase([0, 1, 2, 3, 4, 5], 1, 0.3);
      const model = await fitEase(shared, {
        lambda: 1,
        lowRatingWeight: 0.3,
        minRatings: 1,
        workers: 1,
      });
      for (let u = 0; u < USERS; u++) assertClose(scores(model, u), want(u), 1e-5);
      // User 1 (dense 0) rated movie 3 with ★1: its contribution to movie 4 is 0.3·B[3][4].
      const c = model.explain(0, 3)!;
      const contrib = [0, 1, 2].map((j) => (j === 2 ? 0.3 : 1) * model.b[j * ITEMS + 3]);
      assertEquals(c.item, contrib.indexOf(Math.max(...contrib)));
      assert.ok(Math.abs(c.weight - Math.max(...contrib)) < 1e-12);
    },
  );
  // Raters: movies 1, 2, 3 have three each, movies 4, 5, 6 two.
  await t.step("models only the movies with minRatings ratings; the others score −∞", async () => {
    assertEquals([0, 1, 2, 3, 4, 5].map(raters), [3, 3, 3, 2, 2, 2]);
    const want = plainEase([0, 1, 2], 1.5);
    const model = await fitEase(shared, { lambda: 1.5, minRatings: 3, workers: 1 });
    for (let u = 0; u < USERS; u++) assertClose(scores(model, u), want(u), 1e-5);
    assertEquals(model.explain(0, 3), null);
  });
  await t.step("of those, only the maxItems most-rated (ties: smaller movieId)", async () => {
    const want = plainEase([0, 1, 2, 3], 1.5);
    const model = await fitEase(shared, { lambda: 1.5, minRatings: 2, maxItems: 4, workers: 1 });
    for (let u = 0; u < USERS; u++) assertClose(scores(model, u), want(u), 1e-5);
    assertEquals(model.explain(0, 5), null);
  });
  await t.step("with no movie of minRatings ratings, lists nothing", async () => {
    const model = await fitEase(shared, { lambda: 1.5, minRatings: 4, workers: 2 });
    for (let u = 0; u < USERS; u++) {
      assert.ok(scores(model, u).every((x) => x === -Infinity));
    }
    assertEquals(topNForUser(model, shared, 0, 3, new RankScratch(ITEMS, 3)).length, 0);
  });
  await t.step(
    "explains by the rated movie of largest B[j][i] and lists no rated movie",
    async () => {
      const model = await fitEase(shared, { lambda: 2, minRatings: 1, workers: 1 });
      const M = ITEMS;
      for (let u = 0; u < USERS; u++) {
        for (let i = 0; i < ITEMS; i++) {
          let best = -1;
          for (let j = 0; j < ITEMS; j++) {
            if (X[u][j] && (best < 0 || model.b[j * M + i] > model.b[best * M + i])) best = j;
          }
          assertEquals(model.explain(u, i)?.item ?? -1, best);
        }
      }
      await neverListsOwnItems(model, shared);
    },
  );
});

Deno.test("invertSpd", async (t) => {
  // XᵀX + λI for a pseudo-random binary X: positive definite, 150 × 150 so
  // that two workers split the rows and blocks of 16 leave a partial panel.
  const n = 150;
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  const x = Array.from(
    { length: 300 },
    () => Array.from({ length: n }, () => (rand() < 0.1 ? 1 : 0)),
  );
  const g = Array.from(
    { length: n },
    (_, i) =>
      Array.from(
        { length: n },
        (_, j) => x.reduce((s, row) => s + row[i] * row[j], 0) + (i === j ? 3 : 0),
      ),
  );
  const want = plainInverse(g).flat();
  for (const [workers, block, tile] of [[1, 64, 512], [2, 16, 40], [2, 64, 512], [1, 7, 33]]) {
    await t.step(
      `matches the textbook inverse: ${workers} worker(s), panels of ${block}, tiles of ${tile}`,
      async () => {
        const a = new Float64Array(new SharedArrayBuffer(n * n * 8));
        a.set(g.flat());
        await invertSpd(a, n, { workers, block, tile });
        assertClose(a, want, 1e-10);
      },
    );
  }
  await t.step("reads only the upper triangle", async () => {
    const a = new Float64Array(new SharedArrayBuffer(n * n * 8));
    a.set(g.flat());
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = NaN;
    await invertSpd(a, n, { workers: 2, block: 16 });
    assertClose(a, want, 1e-10);
  });
  await t.step("rejects a matrix that is not positive definite", async () => {
    const a = new Float64Array([1, 2, 2, 1]);
    await assert.rejects(() => invertSpd(a, 2, { workers: 1 }), RangeError);
  });
});
