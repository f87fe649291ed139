/**
 * Weighted item co-occurrence, top-k per item: the engine behind the sparse
 * item-to-item ranking models (item-kNN on implicit feedback, RP3beta).
 *
 * Over the binary training matrix (a rating of any value is a 1), for every
 * item a and every other item b rated by a common user:
 *
 *     value(a, b) = n_a^−r · n_b^−c · Σ_{u ∈ U_a ∩ U_b} |I_u|^−e
 *
 * with n_a = |U_a| the item's raters, |I_u| the user's ratings and the
 * exponents `rowExponent` r, `colExponent` c, `userExponent` e (cosine of
 * binary columns: r = c = ½, e = 0). Row a keeps its k largest values,
 * sorted descending, ties by the smaller item index; values ≤ 0 never occur.
 *
 * Each row is computed whole through the inverted index (users of a, then
 * their items), with a dense accumulator and a touched list: a row depends
 * on nothing but the matrix, so rows are split over Workers in blocks
 * claimed dynamically, and the result is the same for any worker count.
 *
 * Time: Σ_u |I_u|² accumulations (every ordered pair of a user's items) plus
 * O(touched · log k) selection per row. ML-32M shape, 2 workers: under
 * 108 CPU-seconds (lib/models/item_knn_implicit.ts). Memory: the matrix (shared, not copied),
 * 12 bytes per item per worker, and the result: 8 bytes per kept entry.
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import { TopK } from "../top_k.ts";
import { runChunks } from "../worker_pool.ts";

export interface CooccurrenceOptions {
  /** Entries kept per item. Changes output. */
  k: number;
  /** e: a user's weight is |I_u|^−e. Changes output. */
  userExponent: number;
  /** r: row a is scaled by n_a^−r. Changes output. */
  rowExponent: number;
  /** c: column b is scaled by n_b^−c. Changes output. */
  colExponent: number;
  /** Worker count; 0 computes on the calling thread. Changes only speed. */
  workers: number;
}

/** Item rows in CSR form: row a is `items/values[offsets[a] .. offsets[a+1])`, best first. */
export interface ItemRows {
  offsets: Int32Array;
  items: Int32Array;
  values: Float32Array;
}

/** What one row block returns: per-row sizes and the concatenated entries. */
export interface BlockRows {
  sizes: Int32Array;
  items: Int32Array;
  values: Float32Array;
}

/** Everything a block computation reads (shared with Workers, not copied). */
export interface CooccurrenceInit {
  itemOffsets: Int32Array;
  itemUsers: Int32Array;
  userOffsets: Int32Array;
  userItems: Int32Array;
  k: number;
  userExponent: number;
  rowExponent: number;
  colExponent: number;
  /** Rows per block. */
  block: number;
}

/** Per-thread buffers and the exponent tables of a block computation. */
export interface CooccurrenceState {
  init: CooccurrenceInit;
  userWeight: Float64Array;
  rowFactor: Float64Array;
  colFactor: Float64Array;
  acc: Float64Array;
  touched: Int32Array;
  /** The row's bounded list (lib/top_k.ts): ids are items, keys their values. */
  top: TopK;
}

export function prepareCooccurrence(init: CooccurrenceInit): CooccurrenceState {
  const nItems = init.itemOffsets.length - 1, nUsers = init.userOffsets.length - 1;
  const userWeight = new Float64Array(nUsers);
  for (let u = 0; u < nUsers; u++) {
    userWeight[u] = (init.userOffsets[u + 1] - init.userOffsets[u]) ** -init.userExponent;
  }
  const rowFactor = new Float64Array(nItems), colFactor = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) {
    const n = init.itemOffsets[i + 1] - init.itemOffsets[i];
    rowFactor[i] = n > 0 ? n ** -init.rowExponent : 0;
    colFactor[i] = n > 0 ? n ** -init.colExponent : 0;
  }
  return {
    init,
    userWeight,
    rowFactor,
    colFactor,
    acc: new Float64Array(nItems),
    touched: new Int32Array(nItems),
    top: new TopK(init.k),
  };
}

/** Rows `chunk·block ..` of the co-occurrence top-k (see module doc). */
export function cooccurrenceBlock(s: CooccurrenceState, chunk: number): BlockRows {
  const { itemOffsets, itemUsers, userOffsets, userItems, k, block } = s.init;
  const nItems = itemOffsets.length - 1;
  const a0 = chunk * block, a1 = Math.min(nItems, a0 + block);
  const { userWeight, rowFactor, colFactor, acc, touched, top } = s;
  const sizes = new Int32Array(a1 - a0);
  let outItems = new Int32Array(Math.max(1, (a1 - a0) * Math.min(k, 64)));
  let outValues = new Float32Array(outItems.length);
  let outLen = 0;
  for (let a = a0; a < a1; a++) {
    let t = 0;
    for (let p = itemOffsets[a]; p < itemOffsets[a + 1]; p++) {
      const u = itemUsers[p];
      const w = userWeight[u];
      const end = userOffsets[u + 1];
      for (let q = userOffsets[u]; q < end; q++) {
        const b = userItems[q];
        // Weights are > 0, so a zero slot has not been touched in this row.
        if (acc[b] === 0) touched[t++] = b;
        acc[b] += w;
      }
    }
    const rf = rowFactor[a];
    top.reset(k);
    for (let x = 0; x < t; x++) {
      const b = touched[x];
      const v = acc[b] * rf * colFactor[b];
      acc[b] = 0;
      if (b !== a) top.push(v, b);
    }
    const size = top.drain();
    if (outLen + size > outItems.length) {
      const cap = Math.max(outLen + size, outItems.length * 2);
      const ni = new Int32Array(cap), nv = new Float32Array(cap);
      ni.set(outItems.subarray(0, outLen));
      nv.set(outValues.subarray(0, outLen));
      outItems = ni;
      outValues = nv;
    }
    for (let x = 0; x < size; x++) {
      outItems[outLen + x] = top.ids[x];
      outValues[outLen + x] = top.keys[x];
    }
    outLen += size;
    sizes[a - a0] = size;
  }
  return { sizes, items: outItems.slice(0, outLen), values: outValues.slice(0, outLen) };
}

/** Rows per block: small enough that dynamic claiming balances popular items. */
const BLOCK = 256;

/** Computes every item's top-k co-occurrence row (see module doc). */
export async function topItemCooccurrence(
  m: RatingMatrix,
  options: CooccurrenceOptions,
): Promise<ItemRows> {
  const nItems = m.itemIds.length;
  const init: CooccurrenceInit = {
    itemOffsets: m.itemOffsets,
    itemUsers: m.itemUsers,
    userOffsets: m.userOffsets,
    userItems: m.userItems,
    k: options.k,
    userExponent: options.userExponent,
    rowExponent: options.rowExponent,
    colExponent: options.colExponent,
    block: BLOCK,
  };
  const chunks = Math.ceil(nItems / BLOCK);
  let blocks: BlockRows[];
  if (options.workers <= 0) {
    const state = prepareCooccurrence(init);
    blocks = Array.from({ length: chunks }, (_, c) => cooccurrenceBlock(state, c));
  } else {
    if (!(m.itemUsers.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError("workers need a matrix in SharedArrayBuffers (buildRatingMatrix shared)");
    }
    blocks = await runChunks<CooccurrenceInit, BlockRows>({
      worker: new URL("./item_cooccurrence_worker.ts", import.meta.url),
      init,
      chunks,
      workers: options.workers,
    });
  }
  const offsets = new Int32Array(nItems + 1);
  let total = 0;
  for (let c = 0; c < chunks; c++) {
    const { sizes } = blocks[c];
    for (let r = 0; r < sizes.length; r++) {
      total += sizes[r];
      offsets[c * BLOCK + r + 1] = total;
    }
  }
  const items = new Int32Array(total), values = new Float32Array(total);
  for (let c = 0; c < chunks; c++) {
    const at = offsets[c * BLOCK];
    items.set(blocks[c].items, at);
    values.set(blocks[c].values, at);
  }
  return { offsets, items, values };
}

/** The transpose of item rows: row b lists every a whose row holds b, ascending a. */
export function transposeItemRows(rows: ItemRows): ItemRows {
  const n = rows.offsets.length - 1;
  const offsets = new Int32Array(n + 1);
  for (let p = 0; p < rows.items.length; p++) offsets[rows.items[p] + 1]++;
  for (let b = 0; b < n; b++) offsets[b + 1] += offsets[b];
  const items = new Int32Array(rows.items.length), values = new Float32Array(rows.items.length);
  const fill = offsets.slice(0, n);
  for (let a = 0; a < n; a++) {
    for (let p = rows.offsets[a]; p < rows.offsets[a + 1]; p++) {
      const at = fill[rows.items[p]]++;
      items[at] = a;
      values[at] = rows.values[p];
    }
  }
  return { offsets, items, values };
}

/**
 * Scores of user u as the sum of the rows of `rows` over u's training items:
 * `out[rows.items[q]] = Σ_{j rated by u} rows.values[q]` over row j
 * (item-knn-implicit sums its reverse neighbour rows, RP³β the rows of W).
 * O(Σ_j |row j|).
 */
export function sumRowsOfUserItems(
  m: RatingMatrix,
  rows: ItemRows,
  u: number,
  out: Float64Array,
): void {
  out.fill(0);
  const { offsets, items, values } = rows;
  for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
    const j = m.userItems[p];
    for (let q = offsets[j]; q < offsets[j + 1]; q++) out[items[q]] += values[q];
  }
}
