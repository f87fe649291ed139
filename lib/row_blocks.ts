/**
 * Splits rows 0..n-1 into contiguous blocks of about equal total cost, for
 * Workers that claim blocks dynamically: balancing by cost (not row count)
 * matters because a row's work grows with the popularity of what it rated.
 * Block boundaries depend only on the costs and the block count, never on
 * the worker count, so output assembled per block is the same for any pool.
 *
 * Time O(n), memory O(blocks).
 */

/**
 * Boundaries `[0, b1, ..., n]` (strictly increasing) of at most `blocks`
 * blocks; block j is rows `[bounds[j], bounds[j+1])`. Rows with zero cost
 * still belong to some block.
 */
export function balancedBlocks(costs: ArrayLike<number>, blocks: number): Int32Array {
  const n = costs.length;
  if (n === 0) return new Int32Array([0]);
  let total = 0;
  for (let r = 0; r < n; r++) total += costs[r];
  const bounds = [0];
  const target = total / Math.max(1, blocks);
  let acc = 0, next = target;
  for (let r = 0; r < n; r++) {
    acc += costs[r];
    if (acc >= next && r + 1 < n && bounds.length < blocks) {
      bounds.push(r + 1);
      while (next <= acc) next += target;
    }
  }
  bounds.push(n);
  return Int32Array.from(bounds);
}
