import assert from "node:assert/strict";
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import {
  similarUsers,
  UserLikedModel,
  userLikedRows,
  type UserRows,
} from "../lib/models/user_liked.ts";
import { ratingsTable } from "./fixtures/ratings_rows.ts";

/** [user, movie, stars]: five users, movies 10..15. */
const ROWS: [number, number, number][] = [
  [1, 10, 5],
  [1, 11, 4],
  [2, 10, 4],
  [2, 12, 5],
  [2, 13, 4],
  [2, 14, 2],
  [3, 10, 3],
  [3, 11, 5],
  [3, 12, 4],
  [3, 13, 4.5],
  [3, 15, 4],
  [4, 12, 1],
  [4, 13, 1],
  [4, 14, 5],
  [5, 11, 4],
  [5, 15, 5],
];

const rated = (u: number) => new Map(ROWS.filter((r) => r[0] === u).map((r) => [r[1], r[2]]));

/** Binary cosine from its definition: movies both rated / sqrt(product of counts). */
function binaryCosine(u: number, v: number): number {
  const a = rated(u), b = rated(v);
  const common = [...a.keys()].filter((m) => b.has(m)).length;
  return common / Math.sqrt(a.size * b.size);
}

/** The formula of lib/models/user_liked.ts, written out: movie → [score, support]. */
function expectedScores(u: number, neighbors: number[], minSupport = 2): Map<number, number> {
  const sum = new Map<number, number>(), support = new Map<number, number>();
  for (const v of neighbors) {
    const s = Math.round(binaryCosine(u, v) * 1e6);
    if (s <= 0) continue;
    for (const [m, stars] of rated(v)) {
      if (stars < 4) continue;
      sum.set(m, (sum.get(m) ?? 0) + s);
      support.set(m, (support.get(m) ?? 0) + 1);
    }
  }
  const out = new Map<number, number>();
  for (const [m, n] of support) {
    if (n >= minSupport && !rated(u).has(m)) out.set(m, sum.get(m)! / 1e6);
  }
  return out;
}

Deno.test("user-liked", async (t) => {
  const m = buildRatingMatrix(ratingsTable(ROWS), { shared: false });
  // Every other user is a candidate of every user, in id order (as a neighbor file would
  // list them in its own order; the re-ranking decides).
  const users = [1, 2, 3, 4, 5];
  const offsets = Int32Array.from([0, 4, 8, 12, 16, 20]);
  const nbrs = Int32Array.from(
    users.flatMap((u) => users.filter((v) => v !== u).map((v) => v - 1)),
  );
  const graph = { offsets, nbrs, keys: new Int32Array(nbrs.length).fill(1) };

  await t.step("re-ranks candidates by binary cosine, ties by the smaller id", () => {
    const sim = similarUsers(
      { offsets: m.userOffsets, items: m.userItems, ratings: m.userRatings },
      { ids: Int32Array.from([0, 1, 2, 3, 4]), offsets, nids: nbrs },
      m.itemIds.length,
      3,
    );
    for (const u of users) {
      const want = users.filter((v) => v !== u)
        .map((v) => [v, Math.round(binaryCosine(u, v) * 1e6)])
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, 3);
      const r = u - 1;
      const got = [];
      for (let e = sim.offsets[r]; e < sim.offsets[r + 1]; e++) {
        got.push([sim.nbrs[e] + 1, sim.keys[e]]);
      }
      assert.deepEqual(got, want, `user ${u}`);
    }
    // User 1 and 3 share 10 and 11: 2 / sqrt(2 · 5).
    assert.equal(sim.keys[0], Math.round(2 / Math.sqrt(10) * 1e6));
  });

  await t.step("scores movies liked by at least two similar users, by summed similarity", () => {
    const model = new UserLikedModel(m, graph);
    const out = new Float64Array(m.itemIds.length);
    for (const u of users) {
      model.scoreUser(u - 1, out);
      const want = expectedScores(u, users.filter((v) => v !== u));
      for (let i = 0; i < m.itemIds.length; i++) {
        const movie = m.itemIds[i];
        if (rated(u).has(movie)) continue; // ranking masks the user's own movies
        assert.equal(out[i], want.get(movie) ?? -Infinity, `user ${u}, movie ${movie}`);
      }
    }
    // User 1: 12 (2: 5, 3: 4) and 13 (2: 4, 3: 4.5) by users 2 and 3; 15 by 3 and 5; 14 by
    // user 4 alone (and 4 shares nothing with 1), so never.
    model.scoreUser(0, out);
    assert.equal(out[m.itemIndex[14]], -Infinity);
    assert.ok(out[m.itemIndex[15]] > out[m.itemIndex[12]]);
  });

  await t.step("a higher minimum support lists fewer movies", () => {
    const model = new UserLikedModel(m, graph, { minSupport: 3 });
    const out = new Float64Array(m.itemIds.length);
    for (const u of users) {
      model.scoreUser(u - 1, out);
      const want = expectedScores(u, users.filter((v) => v !== u), 3);
      const listed = [...out.keys()].filter((i) =>
        out[i] !== -Infinity && !rated(u).has(m.itemIds[i])
      );
      assert.deepEqual(listed.map((i) => m.itemIds[i]), [...want.keys()].sort((a, b) => a - b));
    }
    // No movie of user 1's has three likers.
    model.scoreUser(0, out);
    assert.ok(out.every((x) => x === -Infinity));
    assert.throws(() => new UserLikedModel(m, graph, { minSupport: 1 }), RangeError);
  });

  await t.step("lists rows by user id, best first, with the classic prediction", () => {
    // Rows by user id (0..5; user 0 has none), movies as ids.
    const byId = [0, ...users].map((u) => ROWS.filter((r) => r[0] === u));
    const rowOffsets = new Int32Array(byId.length + 1);
    byId.forEach((r, u) => rowOffsets[u + 1] = rowOffsets[u] + r.length);
    const rows: UserRows = {
      offsets: rowOffsets,
      items: Int32Array.from(byId.flat(), (r) => r[1]),
      ratings: Uint8Array.from(byId.flat(), (r) => r[2] * 2),
    };
    const means = byId.map((r) => r.length ? r.reduce((a, x) => a + x[2], 0) / r.length : 0);
    const lists = {
      ids: Int32Array.from(users),
      offsets,
      nids: Int32Array.from(nbrs, (v) => v + 1),
    };
    const neighbors = similarUsers(rows, lists, 16);
    // User 1 also "rated" 15 elsewhere (another split): never listed.
    const list = userLikedRows(
      rows,
      neighbors,
      means,
      16,
      (u, movie) => rated(u).has(movie) || (u === 1 && movie === 15),
      10,
    );
    const u1 = [...list.users.keys()].filter((k) => list.users[k] === 1);
    const want = [...expectedScores(1, [2, 3, 4, 5])].filter(([movie]) => movie !== 15)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    assert.deepEqual(u1.map((k) => list.movies[k]), want.map((w) => w[0]));
    // 12 and 13 were both liked by users 2 and 3: a tie, the smaller id first.
    assert.deepEqual(want.map((w) => w[0]), [12, 13]);
    assert.deepEqual(u1.map((k) => list.pos[k]), want.map((_, i) => i));
    // Movie 12 for user 1: users 2 (★5) and 3 (★4) rated it; user 4 (★1) shares nothing
    // with 1 (similarity 0), so is not one of the sums.
    const k12 = u1.find((k) => list.movies[k] === 12)!;
    assert.equal(list.support[k12], 2);
    const s2 = Math.round(binaryCosine(1, 2) * 1e6) / 1e6;
    const s3 = Math.round(binaryCosine(1, 3) * 1e6) / 1e6;
    const pred = means[1] + (s2 * (5 - means[2]) + s3 * (4 - means[3])) / (s2 + s3);
    assert.ok(Math.abs(list.predictions[k12] - Math.min(5, pred)) < 1e-12);
  });
});
