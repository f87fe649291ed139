/**
 * Deterministic 32-bit integer hashing shared by every engine: the split's
 * train/test decision and the `--max-raters` cap must agree between the
 * in-process engine and the MR stages, so both call these functions.
 *
 * `hash3(a, b, c)` is MurmurHash3's 32-bit block mix over three 32-bit words
 * followed by its `fmix32` finaliser. Changing it changes every split.
 */

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Unsigned 32-bit hash of three integers (each taken mod 2^32). */
export function hash3(a: number, b: number, c: number): number {
  let h = 0x9747b28c;
  h = mixBlock(h, a | 0);
  h = mixBlock(h, b | 0);
  h = mixBlock(h, c | 0);
  return fmix32(h ^ 12);
}

/**
 * True when rating `(userId, movieId)` goes to the test set: its hash under
 * `seed` falls below `testRatio * 2^32`. Independent of line order.
 */
export function isTestRating(
  seed: number,
  userId: number,
  movieId: number,
  testRatio: number,
): boolean {
  return hash3(seed, userId, movieId) < Math.floor(testRatio * 4294967296);
}

/**
 * The `--max-raters` rule: a group (an item in user mode, a user in item
 * mode) with more than N members keeps the N members with the smallest
 * `(raterCapKey(group, member), member)`.
 */
export function raterCapKey(group: number, member: number): number {
  return hash3(0x5eed, group, member);
}
