/** Worker side of lib/models/spd_inverse.ts: one party of the blocked Gauss–Jordan inverse. */
import { runInverse } from "./spd_inverse.ts";

interface InverseInit {
  a: Float64Array;
  n: number;
  block: number;
  index: number;
  parties: number;
  barrier: Int32Array;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<InverseInit>) => void) | null;
  postMessage(msg: { error?: string }): void;
};
scope.onmessage = (e) => {
  const { a, n, block, index, parties, barrier } = e.data;
  try {
    runInverse(a, n, block, index, parties, barrier);
    scope.postMessage({});
  } catch (err) {
    scope.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
