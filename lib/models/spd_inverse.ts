/**
 * In-place inverse of a symmetric positive definite n×n matrix (row-major
 * Float64Array), by blocked Gauss–Jordan elimination without pivoting, split
 * by rows over Workers.
 *
 * In-place Gauss–Jordan on pivot k turns row k into row k / a_kk (with 1 /
 * a_kk on the diagonal) and every other row r into row r − a_rk · (new row k)
 * (with −a_rk / a_kk in column k); after the n pivots the matrix holds its
 * inverse. Positive definiteness keeps every pivot > 0 (each is a diagonal
 * entry of a Schur complement), so no row exchanges are needed.
 *
 * Blocked over panels K of `block` pivots (R = every other index):
 *
 *     rows K  ← [A_KK⁻¹ | A_KK⁻¹ A_KR]          (the pivots of K applied to rows K only)
 *     row i∉K ← row i − a_iK · (new rows K), then a_iK ← a_iK − a_iK(old)
 *              i.e. A_RR − A_RK A_KK⁻¹ A_KR and −A_RK A_KK⁻¹
 *
 * The first step is small (block²·n per panel, one thread); the second is a
 * rank-`block` update of every other row, which reads the panel rows in
 * column tiles that stay in cache while the rows stream by, and is split by
 * rows over Workers sharing the matrix (a SharedArrayBuffer), with a barrier
 * between the two steps. The result is the same for any worker count (each
 * row's arithmetic is fixed).
 *
 * Why not Cholesky: an inverse through L needs three triangular kernels with
 * dependencies inside each; Gauss–Jordan needs one row update that splits
 * over rows trivially. It costs n³ multiply-adds against Cholesky's n³/2,
 * which two workers pay back. Measured (bench/ranking_ml100k.ts --inverse):
 * see lib/models/ease.ts.
 *
 * Time: n³ multiply-adds. Memory: the matrix itself, nothing else of size n².
 */

/** Rows of the rank-`block` update handled per column tile (cache-sized). */
const TILE = 256;

/** Pivots `k0..k1` applied to rows `k0..k1` only (step one of a panel). */
export function pivotPanelRows(a: Float64Array, n: number, k0: number, k1: number): void {
  for (let k = k0; k < k1; k++) {
    const rk = k * n;
    const p = a[rk + k];
    if (!(p > 0)) throw new RangeError(`matrix is not positive definite (pivot ${k}: ${p})`);
    const inv = 1 / p;
    a[rk + k] = 1;
    for (let j = 0; j < n; j++) a[rk + j] *= inv;
    for (let r = k0; r < k1; r++) {
      if (r === k) continue;
      const rr = r * n;
      const f = a[rr + k];
      if (f === 0) continue;
      a[rr + k] = 0;
      for (let j = 0; j < n; j++) a[rr + j] -= f * a[rk + j];
    }
  }
}

/**
 * Step two of panel `k0..k1` for rows `r0..r1` outside it: row i ← row i −
 * a_iK · rows K, then a_iK ← −a_iK·A_KK⁻¹ (by subtracting the saved a_iK).
 * `save` holds at least `(k1 − k0) · (r1 − r0)` numbers.
 */
export function updateRows(
  a: Float64Array,
  n: number,
  k0: number,
  k1: number,
  r0: number,
  r1: number,
  save: Float64Array,
): void {
  const nb = k1 - k0;
  for (let i = r0; i < r1; i++) {
    const ri = i * n, si = (i - r0) * nb;
    for (let p = 0; p < nb; p++) save[si + p] = a[ri + k0 + p];
  }
  for (let j0 = 0; j0 < n; j0 += TILE) {
    const j1 = Math.min(n, j0 + TILE);
    for (let i = r0; i < r1; i++) {
      if (i >= k0 && i < k1) continue;
      const ri = i * n, si = (i - r0) * nb;
      let p = 0;
      // Four panel rows per pass: four multiply-adds per load and store of a_ij.
      for (; p + 4 <= nb; p += 4) {
        const c0 = save[si + p],
          c1 = save[si + p + 1],
          c2 = save[si + p + 2],
          c3 = save[si + p + 3];
        const t0 = (k0 + p) * n, t1 = t0 + n, t2 = t1 + n, t3 = t2 + n;
        for (let j = j0; j < j1; j++) {
          a[ri + j] -= c0 * a[t0 + j] + c1 * a[t1 + j] + c2 * a[t2 + j] + c3 * a[t3 + j];
        }
      }
      for (; p < nb; p++) {
        const c = save[si + p], t = (k0 + p) * n;
        for (let j = j0; j < j1; j++) a[ri + j] -= c * a[t + j];
      }
    }
  }
  for (let i = r0; i < r1; i++) {
    if (i >= k0 && i < k1) continue;
    const ri = i * n, si = (i - r0) * nb;
    for (let p = 0; p < nb; p++) a[ri + k0 + p] -= save[si + p];
  }
}

/** Rows `r0..r1` updated per call of {@link updateRows} (bounds `save`). */
const ROW_CHUNK = 64;

/**
 * Worker `index` of `parties` runs every panel: worker 0 does step one, all
 * do step two on their share of the rows, with a barrier after each step.
 * With `parties` 1 and no barrier it is the whole single-threaded inverse.
 */
export function runInverse(
  a: Float64Array,
  n: number,
  block: number,
  index: number,
  parties: number,
  barrier: Int32Array | null,
): void {
  const save = new Float64Array(block * ROW_CHUNK);
  const lo = Math.floor((index * n) / parties), hi = Math.floor(((index + 1) * n) / parties);
  for (let k0 = 0; k0 < n; k0 += block) {
    const k1 = Math.min(n, k0 + block);
    if (index === 0) pivotPanelRows(a, n, k0, k1);
    if (barrier) wait(barrier, parties);
    for (let r0 = lo; r0 < hi; r0 += ROW_CHUNK) {
      updateRows(a, n, k0, k1, r0, Math.min(hi, r0 + ROW_CHUNK), save);
    }
    if (barrier) wait(barrier, parties);
  }
}

/** A reusable barrier over `[arrived, generation]`. */
function wait(b: Int32Array, parties: number): void {
  const gen = Atomics.load(b, 1);
  if (Atomics.add(b, 0, 1) === parties - 1) {
    Atomics.store(b, 0, 0);
    Atomics.add(b, 1, 1);
    Atomics.notify(b, 1);
  } else {
    while (Atomics.load(b, 1) === gen) Atomics.wait(b, 1, gen);
  }
}

export interface InvertOptions {
  /**
   * Pivots per panel. Changes only speed (and rounding in the last bits).
   * @default 64
   */
  block?: number;
  /**
   * Worker count; 0 or 1 inverts on the calling thread. Changes only speed.
   * With more, `a` must live in a SharedArrayBuffer.
   */
  workers: number;
}

/** Inverts the SPD matrix `a` (n×n, row-major) in place (see module doc). */
export async function invertSpd(a: Float64Array, n: number, options: InvertOptions): Promise<void> {
  const block = options.block ?? 64;
  const parties = Math.max(1, Math.min(options.workers, Math.floor(n / ROW_CHUNK) || 1));
  if (parties === 1) {
    runInverse(a, n, block, 0, 1, null);
    return;
  }
  if (!(a.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError("a multi-worker inverse needs the matrix in a SharedArrayBuffer");
  }
  const barrier = new Int32Array(new SharedArrayBuffer(8));
  const url = new URL("./spd_inverse_worker.ts", import.meta.url).href;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: parties }, (_, index) =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(url, { type: "module" });
          workers.push(w);
          w.onmessage = (e: MessageEvent<{ error?: string }>) => {
            if (e.data.error) reject(new Error(e.data.error));
            else resolve();
          };
          w.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`inverse worker failed: ${e.message}`));
          };
          w.postMessage({ a, n, block, index, parties, barrier });
        })),
    );
  } finally {
    for (const w of workers) w.terminate();
  }
}
