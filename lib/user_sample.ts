/**
 * The deterministic user sample of the ranking metrics (`--rank-users`):
 * of the candidate users, the `limit` with the smallest
 * `hash3(seed, userId, 0)` (ties by dense index), returned ascending. The
 * same users for the classic `eval` and the models' `eval`, on every run.
 */
import { hash3 } from "./hash.ts";

/** Seed of the ranking sample. */
const SAMPLE_SEED = 0x52414e4b;

/** `candidates` (dense users, ascending) cut to `limit` (0 = all); see the module doc. */
export function sampleUsers(candidates: number[], userIds: Int32Array, limit: number): number[] {
  if (limit <= 0 || candidates.length <= limit) return candidates;
  const key = (u: number) => hash3(SAMPLE_SEED, userIds[u], 0);
  return candidates.map((u) => [key(u), u])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .slice(0, limit)
    .map((x) => x[1])
    .sort((a, b) => a - b);
}
