/**
 * In-place inverse of a symmetric positive definite n×n matrix (row-major
 * Float64Array) by the blocked sweep operator on its upper triangle, split by
 * rows over Workers.
 *
 * Sweeping pivot k of a symmetric A (d = a_kk):
 *
 *     a_kk ← −1/d,  a_ik ← a_ik/d,  a_kj ← a_kj/d,  a_ij ← a_ij − a_ik·a_kj/d  (i, j ≠ k)
 *
 * keeps A symmetric, and after sweeping every pivot A holds −A⁻¹. Positive
 * definiteness keeps every pivot > 0 (each is a diagonal entry of a Schur
 * complement), so no pivoting is needed. Blocked over panels K of `block`
 * pivots (C = A_KK, R = every other index):
 *
 *     A_KK ← −C⁻¹,  A_KR ← C⁻¹A_KR  (=: T),  A_RR ← A_RR − A_RK·T
 *
 * Only the upper triangle (j ≥ i) is updated, which halves the work: n³/2
 * multiply-adds in all, the cost of an inverse through Cholesky, with one
 * kernel instead of three. Per panel, step one (one thread) saves the old
 * panel rows V = A_K·, inverts C (block³) and forms T (block²·n); step two
 * is a rank-`block` update of every other row's upper part, four panel rows
 * per pass over column tiles that stay in cache, split by rows over Workers
 * sharing the matrix (a SharedArrayBuffer), with a barrier after each step.
 * Each entry's arithmetic is fixed, so the result is the same for any
 * worker count. At the end the upper triangle is negated and mirrored.
 *
 * Time: n³/2 multiply-adds. Memory: the matrix plus 2·block·n numbers.
 */

/** Step one of panel `k0..k1`: save V, invert C, form T, write every new entry in K's rows/columns. */
export function sweepPanel(
  a: Float64Array,
  n: number,
  k0: number,
  k1: number,
  v: Float64Array,
  t: Float64Array,
): void {
  const nb = k1 - k0;
  for (let p = 0; p < nb; p++) {
    const kp = k0 + p, vp = p * n;
    for (let j = 0; j < kp; j++) v[vp + j] = a[j * n + kp];
    for (let j = kp; j < n; j++) v[vp + j] = a[kp * n + j];
  }
  // C⁻¹ by in-place Gauss–Jordan on a block² copy (C is SPD: pivots > 0).
  const c = new Float64Array(nb * nb);
  for (let p = 0; p < nb; p++) for (let q = 0; q < nb; q++) c[p * nb + q] = v[p * n + k0 + q];
  for (let k = 0; k < nb; k++) {
    const d = c[k * nb + k];
    if (!(d > 0)) throw new RangeError(`matrix is not positive definite (pivot ${k0 + k}: ${d})`);
    const inv = 1 / d;
    c[k * nb + k] = 1;
    for (let q = 0; q < nb; q++) c[k * nb + q] *= inv;
    for (let r = 0; r < nb; r++) {
      if (r === k) continue;
      const f = c[r * nb + k];
      c[r * nb + k] = 0;
      for (let q = 0; q < nb; q++) c[r * nb + q] -= f * c[k * nb + q];
    }
  }
  // T = C⁻¹ V over the columns outside K.
  t.fill(0, 0, nb * n);
  for (let p = 0; p < nb; p++) {
    const tp = p * n;
    for (let q = 0; q < nb; q++) {
      const f = c[p * nb + q], vq = q * n;
      for (let j = 0; j < k0; j++) t[tp + j] += f * v[vq + j];
      for (let j = k1; j < n; j++) t[tp + j] += f * v[vq + j];
    }
  }
  for (let p = 0; p < nb; p++) {
    const kp = k0 + p, tp = p * n;
    for (let j = k1; j < n; j++) a[kp * n + j] = t[tp + j];
    for (let q = p; q < nb; q++) a[kp * n + k0 + q] = -c[p * nb + q];
  }
  for (let i = 0; i < k0; i++) {
    for (let p = 0; p < nb; p++) a[i * n + k0 + p] = t[p * n + i];
  }
}

/** Step two for rows `r0..r1` outside K: a_ij −= Σ_p V[p][i]·T[p][j] over j ≥ i, j ∉ K. */
export function updateRows(
  a: Float64Array,
  n: number,
  k0: number,
  k1: number,
  r0: number,
  r1: number,
  v: Float64Array,
  t: Float64Array,
  tile: number,
): void {
  const nb = k1 - k0;
  for (let j0 = 0; j0 < n; j0 += tile) {
    const j1 = Math.min(n, j0 + tile);
    for (let i = r0; i < r1;) {
      if (i >= k0 && i < k1) {
        i++;
        continue;
      }
      // Two rows at once share every load of T: 8 multiply-adds per 6 loads
      // and 2 stores (n = 1500, one thread: 1.2 → 2.1 G multiply-adds per CPU-second).
      // Column i belongs to row i only; from i + 1 on, both rows have every column.
      const pair = i + 1 < r1 && !(i + 1 >= k0 && i + 1 < k1);
      const from = pair ? i + 1 : i;
      if (pair && i >= j0 && i < j1) updateRow(a, n, nb, i, i, i + 1, v, t);
      // The columns in this tile from `from` on, outside K: [.., k0) and [k1, ..).
      for (let seg = 0; seg < 2; seg++) {
        const lo = Math.max(from, j0, seg === 0 ? 0 : k1);
        const hi = seg === 0 ? Math.min(k0, j1) : j1;
        if (lo >= hi) continue;
        if (pair) updatePair(a, n, nb, i, lo, hi, v, t);
        else updateRow(a, n, nb, i, lo, hi, v, t);
      }
      i += pair ? 2 : 1;
    }
  }
}

/** a_ij −= Σ_p V[p][i]·T[p][j] for j in lo..hi. */
function updateRow(
  a: Float64Array,
  n: number,
  nb: number,
  i: number,
  lo: number,
  hi: number,
  v: Float64Array,
  t: Float64Array,
): void {
  const ri = i * n;
  let p = 0;
  // Four panel rows per pass: four multiply-adds per load and store of a_ij.
  for (; p + 4 <= nb; p += 4) {
    const c0 = v[p * n + i], c1 = v[(p + 1) * n + i];
    const c2 = v[(p + 2) * n + i], c3 = v[(p + 3) * n + i];
    const t0 = p * n, t1 = t0 + n, t2 = t1 + n, t3 = t2 + n;
    for (let j = lo; j < hi; j++) {
      a[ri + j] -= c0 * t[t0 + j] + c1 * t[t1 + j] + c2 * t[t2 + j] + c3 * t[t3 + j];
    }
  }
  for (; p < nb; p++) {
    const c0 = v[p * n + i], t0 = p * n;
    for (let j = lo; j < hi; j++) a[ri + j] -= c0 * t[t0 + j];
  }
}

/**
 * {@link updateRow} for rows i and i + 1 over the same columns, written out
 * apart on purpose (hot loop): each load of T serves two rows, which took the
 * inverse from 1.2 to 2.1 G multiply-adds per CPU-second at n 1500.
 */
function updatePair(
  a: Float64Array,
  n: number,
  nb: number,
  i: number,
  lo: number,
  hi: number,
  v: Float64Array,
  t: Float64Array,
): void {
  const ri = i * n, rk = ri + n;
  let p = 0;
  for (; p + 4 <= nb; p += 4) {
    const q0 = p * n + i, q1 = q0 + n, q2 = q1 + n, q3 = q2 + n;
    const c0 = v[q0], c1 = v[q1], c2 = v[q2], c3 = v[q3];
    const d0 = v[q0 + 1], d1 = v[q1 + 1], d2 = v[q2 + 1], d3 = v[q3 + 1];
    const t0 = p * n, t1 = t0 + n, t2 = t1 + n, t3 = t2 + n;
    for (let j = lo; j < hi; j++) {
      const x0 = t[t0 + j], x1 = t[t1 + j], x2 = t[t2 + j], x3 = t[t3 + j];
      a[ri + j] -= c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3;
      a[rk + j] -= d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3;
    }
  }
  for (; p < nb; p++) {
    const c0 = v[p * n + i], d0 = v[p * n + i + 1], t0 = p * n;
    for (let j = lo; j < hi; j++) {
      const x0 = t[t0 + j];
      a[ri + j] -= c0 * x0;
      a[rk + j] -= d0 * x0;
    }
  }
}

/** The first row of party `w` of `parties`: rows split so that each updates ~the same triangle area. */
export function partyStart(n: number, w: number, parties: number): number {
  return w >= parties ? n : Math.round(n * (1 - Math.sqrt(1 - w / parties)));
}

/**
 * Party `index` of `parties` runs every panel: party 0 does step one, all do
 * step two on their rows, with a barrier after each step. With `parties` 1
 * and no barrier it is the whole single-threaded sweep.
 */
export function runSweeps(
  a: Float64Array,
  n: number,
  block: number,
  tile: number,
  index: number,
  parties: number,
  v: Float64Array,
  t: Float64Array,
  barrier: Int32Array | null,
): void {
  const lo = partyStart(n, index, parties), hi = partyStart(n, index + 1, parties);
  for (let k0 = 0; k0 < n; k0 += block) {
    const k1 = Math.min(n, k0 + block);
    if (index === 0) sweepPanel(a, n, k0, k1, v, t);
    if (barrier) wait(barrier, parties);
    updateRows(a, n, k0, k1, lo, hi, v, t, tile);
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
   * Columns per tile of the rank-`block` update: the panel's tile (block ×
   * tile numbers, 256 KiB at the defaults) stays in cache while rows stream
   * by. Changes only speed.
   * @default 512
   */
  tile?: number;
  /**
   * Worker count; 0 or 1 inverts on the calling thread. Changes only speed.
   * With more, `a` must live in a SharedArrayBuffer.
   */
  workers: number;
}

/**
 * Replaces the SPD matrix `a` (n×n, row-major) by its inverse (see module
 * doc). Only the upper triangle of `a` is read; the whole inverse is written.
 */
export async function invertSpd(a: Float64Array, n: number, options: InvertOptions): Promise<void> {
  const block = Math.max(1, Math.min(n, options.block ?? 64));
  const tile = Math.max(1, options.tile ?? 512);
  const parties = Math.max(1, Math.min(options.workers, Math.floor(n / 64) || 1));
  const buf = (len: number) =>
    new Float64Array(parties > 1 ? new SharedArrayBuffer(len * 8) : new ArrayBuffer(len * 8));
  const v = buf(block * n), t = buf(block * n);
  if (parties === 1) runSweeps(a, n, block, tile, 0, 1, v, t, null);
  else {
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
              if (e.data.error) reject(new RangeError(e.data.error));
              else resolve();
            };
            w.onerror = (e) => {
              e.preventDefault();
              reject(new Error(`inverse worker failed: ${e.message}`));
            };
            w.postMessage({ a, n, block, tile, index, parties, v, t, barrier });
          })),
      );
    } finally {
      for (const w of workers) w.terminate();
    }
  }
  // The sweep left −A⁻¹ in the upper triangle: negate it and mirror it down.
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = i; j < n; j++) a[ri + j] = -a[ri + j];
    for (let j = 0; j < i; j++) a[ri + j] = a[j * n + i];
  }
}
