/**
 * The `--max-raters N` cap, shared in meaning with the MR pipeline: before
 * pairing, a group with more than N members keeps only N of them. In user
 * mode a group is an item (movieId) and its members are its raters
 * (userIds); in item mode a group is a user and its members the movieIds they
 * rated. The kept members are the N with the smallest
 * `(raterCapKey(groupId, memberId), memberId)` over ORIGINAL MovieLens ids,
 * so an engine that never sees dense indices makes the same choice.
 *
 * {@link capGroup} is the rule for one group, which the MR reducer
 * (mr/stages.ts) applies to the members it receives; {@link capRaters}
 * applies it to every group of a matrix.
 *
 * Time: O(ratings + Σ over capped groups of s·log s); memory: a second
 * {@link RatingMatrix} of the kept ratings.
 */
import { raterCapKey } from "./hash.ts";
import type { Mode } from "./mode.ts";
import { buildRatingMatrix, orientation, type RatingMatrix } from "./rating_matrix.ts";

/**
 * Marks the members group `groupId` keeps under a cap of `maxRaters`:
 * `keep[i] = 1` for the `maxRaters` members of `members[0..count)` with the
 * smallest `(raterCapKey(groupId, member), member)`, 0 for the others (all
 * kept when `count <= maxRaters`). Members may come in any order (the MR
 * reducer's do). O(count · log count).
 *
 * @example
 * ```ts
 * import { capGroup } from "./rater_cap.ts";
 * const keep = new Uint8Array(4);
 * capGroup(10, Int32Array.of(7, 3, 9, 1), 4, 2, keep); // two of the four marked 1
 * ```
 */
export function capGroup(
  groupId: number,
  members: ArrayLike<number>,
  count: number,
  maxRaters: number,
  keep: Uint8Array,
): void {
  if (count <= maxRaters) {
    keep.fill(1, 0, count);
    return;
  }
  const keys = new Uint32Array(count);
  for (let i = 0; i < count; i++) keys[i] = raterCapKey(groupId, members[i]);
  // For a fixed group, raterCapKey is a bijection of the member (MurmurHash3's
  // block mix and finaliser are invertible): distinct members never tie, so
  // the N smallest keys are the N kept members.
  const cut = keys.slice().sort()[maxRaters - 1];
  for (let i = 0; i < count; i++) keep[i] = keys[i] <= cut ? 1 : 0;
}

/**
 * Returns the matrix with every group capped at `maxRaters` members
 * (`mode` as in {@link orientation}; 0 = no cap, the matrix itself).
 * The result is allocated like {@link buildRatingMatrix}'s default (shared).
 */
export function capRaters(m: RatingMatrix, mode: Mode, maxRaters: number): RatingMatrix {
  if (maxRaters <= 0) return m;
  // Groups are the columns of the pairing orientation: the rows of the other one.
  const g = orientation(m, mode === "user" ? "item" : "user");
  const groups = g.offsets.length - 1;
  const keep = new Uint8Array(g.cols.length);
  let kept = 0;
  let members = new Int32Array(0);
  for (let r = 0; r < groups; r++) {
    const from = g.offsets[r], to = g.offsets[r + 1], size = to - from;
    if (size <= maxRaters) {
      keep.fill(1, from, to);
      kept += size;
      continue;
    }
    if (members.length < size) members = new Int32Array(size);
    for (let p = from; p < to; p++) members[p - from] = g.colIds[g.cols[p]];
    capGroup(g.rowIds[r], members, size, maxRaters, keep.subarray(from, to));
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
