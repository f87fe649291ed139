/**
 * The `--max-raters N` cap, shared in meaning with the MR pipeline: before
 * pairing, a group with more than N members keeps only N of them. In user
 * mode a group is an item (movieId) and its members are its raters
 * (userIds); in item mode a group is a user and its members the movieIds they
 * rated. The kept members are the N with the smallest
 * `(raterCapKey(groupId, memberId), memberId)` over ORIGINAL MovieLens ids,
 * so an engine that never sees dense indices makes the same choice.
 *
 * Time: O(ratings + Σ over capped groups of s·log s); memory: a second
 * {@link RatingMatrix} of the kept ratings.
 */
import { raterCapKey } from "./hash.ts";
import { buildRatingMatrix, orientation, type RatingMatrix } from "./rating_matrix.ts";

/**
 * Returns the matrix with every group capped at `maxRaters` members
 * (`mode` as in {@link orientation}; 0 = no cap, the matrix itself).
 * The result is allocated like {@link buildRatingMatrix}'s default (shared).
 */
export function capRaters(m: RatingMatrix, mode: "user" | "item", maxRaters: number): RatingMatrix {
  if (maxRaters <= 0) return m;
  // Groups are the columns of the pairing orientation: the rows of the other one.
  const g = orientation(m, mode === "user" ? "item" : "user");
  const groups = g.offsets.length - 1;
  const keep = new Uint8Array(g.cols.length);
  let kept = 0;
  for (let r = 0; r < groups; r++) {
    const from = g.offsets[r], to = g.offsets[r + 1], size = to - from;
    if (size <= maxRaters) {
      keep.fill(1, from, to);
      kept += size;
      continue;
    }
    const groupId = g.rowIds[r];
    const keys = new Uint32Array(size);
    for (let p = from; p < to; p++) keys[p - from] = raterCapKey(groupId, g.colIds[g.cols[p]]);
    const sorted = keys.slice().sort();
    const cut = sorted[maxRaters - 1];
    let below = 0;
    while (sorted[below] < cut) below++;
    // Members are ascending by dense index, i.e. by id: ties at the cut go to the smallest ids.
    let tiesLeft = maxRaters - below;
    for (let p = from; p < to; p++) {
      const key = keys[p - from];
      if (key < cut || (key === cut && tiesLeft-- > 0)) keep[p] = 1;
    }
    kept += maxRaters;
  }
  const users = new Int32Array(kept), movies = new Int32Array(kept);
  const ratings = new Uint8Array(kept);
  const groupIsItem = mode === "user";
  let k = 0;
  for (let r = 0; r < groups; r++) {
    for (let p = g.offsets[r]; p < g.offsets[r + 1]; p++) {
      if (!keep[p]) continue;
      const groupId = g.rowIds[r], memberId = g.colIds[g.cols[p]];
      users[k] = groupIsItem ? memberId : groupId;
      movies[k] = groupIsItem ? groupId : memberId;
      ratings[k] = g.ratings[p];
      k++;
    }
  }
  // The matrix build never reads timestamps.
  return buildRatingMatrix({
    length: kept,
    users,
    movies,
    ratings,
    timestamps: new Uint32Array(0),
  });
}
