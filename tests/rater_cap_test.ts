import assert from "node:assert/strict";
import { raterCapKey } from "../lib/hash.ts";
import { buildRatingMatrix, orientation, type RatingMatrix } from "../lib/rating_matrix.ts";
import { capGroup, capRaters } from "../lib/rater_cap.ts";

function matrixOf(triples: number[][]): RatingMatrix {
  return buildRatingMatrix({
    length: triples.length,
    users: Int32Array.from(triples, (t) => t[0]),
    movies: Int32Array.from(triples, (t) => t[1]),
    ratings: Uint8Array.from(triples, (t) => t[2]),
    timestamps: new Uint32Array(triples.length),
  });
}

/** (userId, movieId, rating) of every rating in the matrix, sorted. */
function triplesOf(m: RatingMatrix): number[][] {
  const o = orientation(m, "user");
  const out: number[][] = [];
  for (let u = 0; u < o.rowIds.length; u++) {
    for (let p = o.offsets[u]; p < o.offsets[u + 1]; p++) {
      out.push([o.rowIds[u], o.colIds[o.cols[p]], o.ratings[p]]);
    }
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** The plain rule: the `cap` members with the smallest (raterCapKey(group, member), member). */
function keptMembers(group: number, members: number[], cap: number): number[] {
  return [...members]
    .sort((a, b) => raterCapKey(group, a) - raterCapKey(group, b) || a - b)
    .slice(0, cap)
    .sort((a, b) => a - b);
}

Deno.test("capRaters", async (t) => {
  // Movie 500 has six raters, movie 7 two; user 3 rated four movies.
  const triples = [
    ...[1, 2, 3, 40, 41, 900].map((u) => [u, 500, 8]),
    [1, 7, 6],
    [2, 7, 4],
    [3, 7, 10],
    [3, 8, 2],
    [3, 9, 3],
  ];

  await t.step("in user mode keeps the N raters of each movie the rule picks", () => {
    const capped = triplesOf(capRaters(matrixOf(triples), "user", 3));
    const raters500 = capped.filter((r) => r[1] === 500).map((r) => r[0]);
    assert.deepEqual(raters500, keptMembers(500, [1, 2, 3, 40, 41, 900], 3));
    assert.deepEqual(capped.filter((r) => r[1] !== 500).length, 5);
  });

  await t.step("in item mode keeps the N movies of each user the rule picks", () => {
    const capped = triplesOf(capRaters(matrixOf(triples), "item", 2));
    assert.deepEqual(
      capped.filter((r) => r[0] === 3).map((r) => r[1]),
      keptMembers(3, [7, 8, 9, 500], 2),
    );
    // Users 1 and 2 rated two movies each: untouched; the others rated one.
    assert.equal(capped.filter((r) => r[0] !== 3).length, 7);
  });

  await t.step("keeps ratings with their values", () => {
    const capped = triplesOf(capRaters(matrixOf(triples), "item", 2));
    const source = new Map(triples.map((r) => [`${r[0]},${r[1]}`, r[2]]));
    for (const [u, m, r] of capped) assert.equal(r, source.get(`${u},${m}`));
  });

  await t.step("returns the matrix itself for a cap of 0", () => {
    const m = matrixOf(triples);
    assert.equal(capRaters(m, "user", 0), m);
  });
});

Deno.test("capGroup", async (t) => {
  const marked = (group: number, members: number[], cap: number) => {
    const keep = new Uint8Array(members.length);
    capGroup(group, Int32Array.from(members), members.length, cap, keep);
    return members.filter((_, i) => keep[i] === 1).sort((a, b) => a - b);
  };

  await t.step("keeps the members the plain rule picks, in any input order", () => {
    const members = [907, 3, 88, 41, 2, 1000, 57, 12, 640, 5];
    for (const cap of [1, 3, 9, 10, 12]) {
      assert.deepEqual(marked(77, members, cap), keptMembers(77, members, cap));
      assert.deepEqual(marked(77, [...members].reverse(), cap), keptMembers(77, members, cap));
    }
  });
});
