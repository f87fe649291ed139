/** Worker side of lib/models/spd_inverse.ts: one party of the blocked sweep. */
import { runSweeps } from "./spd_inverse.ts";

interface SweepInit {
  a: Float64Array;
  n: number;
  block: number;
  tile: number;
  index: number;
  parties: number;
  v: Float64Array;
  t: Float64Array;
  barrier: Int32Array;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<SweepInit>) => void) | null;
  postMessage(msg: { error?: string }): void;
};
scope.onmessage = (e) => {
  const { a, n, block, tile, index, parties, v, t, barrier } = e.data;
  try {
    runSweeps(a, n, block, tile, index, parties, v, t, barrier);
    scope.postMessage({});
  } catch (err) {
    scope.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
