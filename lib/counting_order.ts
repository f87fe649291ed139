/**
 * Stable counting sort of row indices by small non-negative integer keys
 * (user and movie ids): O(n + max) time, one Int32Array of n plus max + 2
 * counters. Sorting by (user, movie) is two passes, movie first.
 */

/** The largest value of `a` (0 for an empty array). */
export function maxOf(a: Int32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/** How many distinct values `a` holds (non-negative ids): one byte per id up to the largest. */
export function countDistinct(a: Int32Array): number {
  const seen = new Uint8Array(maxOf(a) + 1);
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (seen[a[i]] === 0) {
      seen[a[i]] = 1;
      n++;
    }
  }
  return n;
}

/**
 * Row indices in stable order of `keys` (values 0..max): `order` (or the
 * identity when null) reordered by key, ties keeping their order.
 */
export function countingOrder(keys: Int32Array, order: Int32Array | null, max: number): Int32Array {
  const n = keys.length;
  const start = new Int32Array(max + 2);
  for (let i = 0; i < n; i++) start[keys[i] + 1]++;
  for (let k = 1; k <= max + 1; k++) start[k] += start[k - 1];
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const i = order === null ? j : order[j];
    out[start[keys[i]]++] = i;
  }
  return out;
}
