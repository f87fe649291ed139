/**
 * Hadoop's default partitioner for streaming keys, and how evenly it spreads
 * MovieLens ids.
 *
 * Streaming keys are `Text`; `HashPartitioner` sends a key to
 * `(hashCode & Integer.MAX_VALUE) % reducers`, where `Text.hashCode` is
 * `WritableComparator.hashBytes`: `h = 1; h = 31·h + byte` over the key
 * bytes (Java int arithmetic, bytes signed). On zero-padded decimal keys
 * this polynomial is uneven for some reducer counts (with 31 reducers, the
 * last digit and the overflow alone pick the partition), which
 * {@link rowKeySkew} measures so `emr-plan` can warn.
 */

/** The partition of key `buf[start, end)` among `reducers`, as Hadoop computes it. */
export function hadoopPartition(
  buf: Uint8Array,
  start: number,
  end: number,
  reducers: number,
): number {
  let h = 1;
  for (let i = start; i < end; i++) h = (Math.imul(31, h) + ((buf[i] << 24) >> 24)) | 0;
  return (h & 0x7fffffff) % reducers;
}

/**
 * Largest partition over the mean when the zero-padded row keys of MR3/MR4
 * for ids 1..`ids` (ML-32M has 200,948 users) go to `reducers` partitions.
 * 1 is perfect balance. O(ids · 10).
 */
export function rowKeySkew(reducers: number, ids = 200_948): number {
  const counts = new Float64Array(reducers);
  const key = new Uint8Array(10);
  for (let id = 1; id <= ids; id++) {
    for (let p = 9, x = id; p >= 0; p--, x = Math.floor(x / 10)) key[p] = 48 + (x % 10);
    counts[hadoopPartition(key, 0, 10, reducers)]++;
  }
  let max = 0;
  for (const c of counts) max = Math.max(max, c);
  return max / (ids / reducers);
}
