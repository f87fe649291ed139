/**
 * The ratings as a sparse matrix in CSR form, in both orientations, with ids
 * remapped to dense indices. One engine serves user-based and item-based work
 * by swapping orientations (see {@link orientation}).
 *
 * - Users and items are numbered 0..n-1 in ascending id order
 *   (`userIds[u]` is the MovieLens userId of dense user u).
 * - Row u of the user orientation lists u's items ascending by dense index,
 *   with ratings as half-star integers 1..10; the item orientation likewise.
 * - Every array lives in a `SharedArrayBuffer` (when `shared`), so the whole
 *   structure can be posted to Workers and read there without copying.
 *
 * Build: O(ratings + max id) time, two counting-sort passes. Memory: 10 bytes
 * per rating (both orientations) plus 4 bytes per possible id for the id →
 * index maps (ML-32M: ~330 MB). {@link denseIndexOf} reads those maps.
 *
 * @example
 * ```ts
 * import { buildRatingMatrix, denseIndexOf } from "./rating_matrix.ts";
 * const m = buildRatingMatrix({
 *   length: 2,
 *   users: Int32Array.of(7, 3),
 *   movies: Int32Array.of(10, 10),
 *   ratings: Uint8Array.of(8, 6),
 *   timestamps: new Uint32Array(2),
 * });
 * denseIndexOf(m.userIndex, 7); // 1 (users 3, 7 → 0, 1)
 * denseIndexOf(m.userIndex, 5); // -1
 * ```
 */
import type { Mode } from "./mode.ts";
import type { RatingsTable } from "./ratings_table.ts";

export interface RatingMatrix {
  /** Dense user index → userId, ascending. */
  userIds: Int32Array;
  /** Dense item index → movieId, ascending. */
  itemIds: Int32Array;
  /** userId → dense index, -1 when absent (length max userId + 1). */
  userIndex: Int32Array;
  /** movieId → dense index, -1 when absent (length max movieId + 1). */
  itemIndex: Int32Array;
  /** User u's ratings are at `userOffsets[u] .. userOffsets[u+1]`. */
  userOffsets: Int32Array;
  /** Dense item indices, ascending within a user. */
  userItems: Int32Array;
  /** `rating*2` aligned with `userItems`. */
  userRatings: Uint8Array;
  /** Item i's ratings are at `itemOffsets[i] .. itemOffsets[i+1]`. */
  itemOffsets: Int32Array;
  /** Dense user indices, ascending within an item. */
  itemUsers: Int32Array;
  /** `rating*2` aligned with `itemUsers`. */
  itemRatings: Uint8Array;
}

/**
 * The dense index of `id` in an id → index map (`userIndex`, `itemIndex`),
 * −1 when the id is absent: beyond the map, negative, or a hole in it.
 * O(1).
 *
 * @example
 * ```ts
 * import { denseIndexOf } from "./rating_matrix.ts";
 * const index = Int32Array.from([-1, 0, -1, 1]); // ids 1 and 3
 * denseIndexOf(index, 3); // 1
 * denseIndexOf(index, 7); // -1
 * denseIndexOf(index, -2); // -1
 * ```
 */
export function denseIndexOf(index: Int32Array, id: number): number {
  return id >= 0 && id < index.length ? index[id] : -1;
}

/** One orientation: rows and the columns they point at. */
export interface Orientation {
  /** Row index → original id. */
  rowIds: Int32Array;
  /** Column index → original id. */
  colIds: Int32Array;
  offsets: Int32Array;
  cols: Int32Array;
  ratings: Uint8Array;
  /** The transpose (columns → rows), for the inverted index. */
  tOffsets: Int32Array;
  tRows: Int32Array;
  tRatings: Uint8Array;
}

/** A rating given twice for the same (user, movie). */
export class DuplicateRatingError extends Error {
  readonly userId: number;
  readonly movieId: number;
  constructor(userId: number, movieId: number) {
    super(`duplicate rating for userId ${userId}, movieId ${movieId}`);
    this.name = "DuplicateRatingError";
    this.userId = userId;
    this.movieId = movieId;
  }
}

export interface BuildMatrixOptions {
  /**
   * Allocate in SharedArrayBuffers (for Workers). Changes only where memory lives.
   * @default true
   */
  shared?: boolean;
}

/**
 * Builds both CSR orientations from ratings columns.
 * Throws {@link DuplicateRatingError} if a (user, movie) pair repeats.
 */
export function buildRatingMatrix(
  table: RatingsTable,
  options: BuildMatrixOptions = {},
): RatingMatrix {
  const shared = options.shared ?? true;
  const i32 = (n: number) =>
    new Int32Array(shared ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
  const u8 = (n: number) => new Uint8Array(shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
  const n = table.length;
  const { users, movies, ratings } = table;

  const remap = (ids: Int32Array) => {
    let max = -1;
    for (let k = 0; k < n; k++) if (ids[k] > max) max = ids[k];
    const index = i32(max + 1).fill(-1);
    for (let k = 0; k < n; k++) index[ids[k]] = 0;
    let count = 0;
    for (let id = 0; id <= max; id++) if (index[id] === 0) index[id] = count++;
    const dense = i32(count);
    for (let id = 0; id <= max; id++) if (index[id] >= 0) dense[index[id]] = id;
    return { index, dense };
  };
  const U = remap(users);
  const I = remap(movies);
  const nUsers = U.dense.length, nItems = I.dense.length;

  // Pass 1: bucket ratings by item (input order within an item).
  const byItemOff = i32(nItems + 1);
  for (let k = 0; k < n; k++) byItemOff[I.index[movies[k]] + 1]++;
  for (let i = 0; i < nItems; i++) byItemOff[i + 1] += byItemOff[i];
  const byItem = i32(n);
  {
    const fill = byItemOff.slice(0, nItems);
    for (let k = 0; k < n; k++) byItem[fill[I.index[movies[k]]]++] = k;
  }
  // Pass 2: scatter items in ascending order into user rows → rows sorted by item.
  const userOffsets = i32(nUsers + 1);
  for (let k = 0; k < n; k++) userOffsets[U.index[users[k]] + 1]++;
  for (let u = 0; u < nUsers; u++) userOffsets[u + 1] += userOffsets[u];
  const userItems = i32(n);
  const userRatings = u8(n);
  {
    const fill = userOffsets.slice(0, nUsers);
    for (let i = 0; i < nItems; i++) {
      for (let p = byItemOff[i]; p < byItemOff[i + 1]; p++) {
        const k = byItem[p];
        const u = U.index[users[k]];
        const at = fill[u]++;
        userItems[at] = i;
        userRatings[at] = ratings[k];
      }
    }
  }
  for (let u = 0; u < nUsers; u++) {
    for (let p = userOffsets[u] + 1; p < userOffsets[u + 1]; p++) {
      if (userItems[p] === userItems[p - 1]) {
        throw new DuplicateRatingError(U.dense[u], I.dense[userItems[p]]);
      }
    }
  }
  // Pass 3: transpose the user rows (ascending users) → item rows sorted by user.
  const itemOffsets = byItemOff;
  const itemUsers = byItem;
  const itemRatings = u8(n);
  {
    const fill = itemOffsets.slice(0, nItems);
    for (let u = 0; u < nUsers; u++) {
      for (let p = userOffsets[u]; p < userOffsets[u + 1]; p++) {
        const at = fill[userItems[p]]++;
        itemUsers[at] = u;
        itemRatings[at] = userRatings[p];
      }
    }
  }
  return {
    userIds: U.dense,
    itemIds: I.dense,
    userIndex: U.index,
    itemIndex: I.index,
    userOffsets,
    userItems,
    userRatings,
    itemOffsets,
    itemUsers,
    itemRatings,
  };
}

/**
 * The matrix seen from users (`"user"`: rows are users, columns items) or
 * from items (`"item"`: rows are items, columns users). User–user and
 * item–item similarity are the same computation on the two orientations.
 */
export function orientation(m: RatingMatrix, mode: Mode): Orientation {
  return mode === "user"
    ? {
      rowIds: m.userIds,
      colIds: m.itemIds,
      offsets: m.userOffsets,
      cols: m.userItems,
      ratings: m.userRatings,
      tOffsets: m.itemOffsets,
      tRows: m.itemUsers,
      tRatings: m.itemRatings,
    }
    : {
      rowIds: m.itemIds,
      colIds: m.userIds,
      offsets: m.itemOffsets,
      cols: m.itemUsers,
      ratings: m.itemRatings,
      tOffsets: m.userOffsets,
      tRows: m.userItems,
      tRatings: m.userRatings,
    };
}
