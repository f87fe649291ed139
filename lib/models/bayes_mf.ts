/**
 * `bmf`: Bayesian biased matrix factorisation fitted by Gibbs sampling
 * (the MCMC of Rendle's libFM for a factorisation machine over one-hot user
 * and item ids; Salakhutdinov & Mnih 2008 for the Bayesian treatment).
 *
 * Model: `r_ui = w₀ + w_u + w_i + ⟨v_u, v_i⟩ + ε`, ε ~ N(0, 1/α). Priors per
 * group g ∈ {users, items}: `w ~ N(μ_g, 1/λ_g)`, `v_·f ~ N(μ_gf, 1/λ_gf)`;
 * hyper-priors λ ~ Γ(1, 1), μ ~ N(0, 1/λ), α ~ Γ(1, 1) (libFM's choices).
 *
 * One sweep samples every parameter θ from its conditional given the rest:
 * with residuals e = r − r̂ over the ratings that involve θ and h = ∂r̂/∂θ
 * (1 for a bias, v_if for v_uf),
 *   `σ² = 1 / (α Σ h² + λ_θ)`, `θ ~ N(σ² (α Σ (e + θ h) h + μ_θ λ_θ), σ²)`,
 * then the hyper-parameters from their conjugate posteriors. Sweeps after
 * `burnIn` are samples of the posterior; the prediction is the mean over the
 * kept samples (every `thin`-th), clipped to the training scale. Averaging
 * over samples is what makes it robust without tuning a learning rate or a
 * regularisation (the priors learn it).
 *
 * Defaults chosen on ML-100k (five official folds): 32 factors, 200 sweeps,
 * 40 of burn-in, every 4th sample kept (40 samples): RMSE 0.901.
 * On large data the sweeps are capped by a work budget, `maxWork` rating ×
 * factor updates in all (ML-100k uses 5·10^8 of its 10^10; ML-32M's 25.6M
 * training ratings get 12 sweeps, about 3 min at scale 1 on this project's
 * machine): with that much data the posterior is narrow and a few sweeps
 * average most of the noise away, while 200 would take hours on two cores.
 * The budget is set so that `blend` (two bmf and two knn-item fits) stays
 * within 10 min at ML-32M's shape.
 *
 * Parallel sweeps: given the items, the users are independent (and the
 * items given the users), so each half-sweep samples its rows in chunks on
 * Workers ({@link sampleRows}) over shared parameters and residuals; the
 * global bias, α and the priors are sampled between the halves on the
 * calling thread. Row r's draws come from its own stream, seeded by
 * `(seed, sweep, side, r)` ({@link rowSeed}), so the model is the same bit
 * for bit on any worker count (one stream for everything, as before
 * issue #23, could not be split; the new streams changed bmf's ML-100k RMSE
 * by noise only).
 *
 * Time: O(sweeps · ratings · factors), split over the workers but for
 * O(sweeps · (ratings + (users + items) · factors)) on the calling thread;
 * memory: kept samples · (users + items) · (factors + 1) floats (Float32).
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import type { ModelSpec, RatingModel } from "./model.ts";
import { clipToScale, type RatingScale, ratingScale } from "./rating_scale.ts";
import { Random } from "./random.ts";
import { defaultWorkers, PhaseWorkers } from "../worker_pool.ts";

export interface BayesMfOptions {
  /** Latent factors. Changes output. @default 32 */
  factors: number;
  /** Gibbs sweeps in all. Changes output. @default 200 */
  sweeps: number;
  /** Sweeps discarded before samples are kept. Changes output. @default 40 */
  burnIn: number;
  /** Keep every `thin`-th sweep after burn-in. Changes output and memory. @default 4 */
  thin: number;
  /** Standard deviation of the initial factors. Changes output. @default 0.1 */
  initStd: number;
  /** Seed of the sampler. Changes output. @default 42 */
  seed: number;
  /**
   * Budget of rating × factor updates over all sweeps; above it the sweeps
   * are cut (at least 12, a quarter of them burn-in). Changes output on large
   * data, and time. @default 1e10
   */
  maxWork: number;
  /**
   * Worker count for the sweeps; 0 or 1 samples on the calling thread. Changes
   * only speed: every row draws from its own stream ({@link rowSeed}).
   * @default the machine's cores
   */
  workers?: number;
  /** Called after each sweep (progress). */
  onSweep?: (done: number, total: number) => void;
}

export const BAYES_MF_DEFAULTS: BayesMfOptions = {
  factors: 32,
  sweeps: 200,
  burnIn: 40,
  thin: 4,
  initStd: 0.1,
  seed: 42,
  maxWork: 1e10,
};

/** Sweeps, burn-in and thinning after the work budget (see {@link BayesMfOptions.maxWork}). */
export function sweepPlan(
  ratings: number,
  options: Pick<BayesMfOptions, "factors" | "sweeps" | "burnIn" | "thin" | "maxWork">,
): { sweeps: number; burnIn: number; thin: number } {
  const { factors, sweeps, burnIn, thin, maxWork } = options;
  if (ratings * factors * sweeps <= maxWork) return { sweeps, burnIn, thin };
  const capped = Math.max(12, Math.floor(maxWork / (ratings * factors)));
  const burn = Math.floor(capped / 4);
  return { sweeps: capped, burnIn: burn, thin: Math.max(1, Math.ceil((capped - burn) / 40)) };
}

/** Hyper-parameters of one group of parameters (biases, or factor f). */
class Prior {
  mu = 0;
  lambda = 1;
}

/** Samples μ and λ of a prior from the values `θ[start + t·stride]`, t < n. */
function samplePrior(
  rng: Random,
  prior: Prior,
  theta: Float64Array,
  start: number,
  stride: number,
  n: number,
): void {
  // libFM: α_λ = β_λ = 1, γ₀ = 1, μ₀ = 0.
  let sum = 0;
  for (let t = 0, p = start; t < n; t++, p += stride) sum += theta[p];
  const mean = sum / (n + 1);
  prior.mu = mean + rng.normal() / Math.sqrt((n + 1) * prior.lambda);
  let sq = 0;
  for (let t = 0, p = start; t < n; t++, p += stride) {
    const d = theta[p] - prior.mu;
    sq += d * d;
  }
  sq += prior.mu * prior.mu;
  prior.lambda = rng.gamma((1 + n + 1) / 2, 2 / (1 + sq));
}

/** The longest row of a CSR offsets array. */
function maxRow(offsets: Int32Array): number {
  let max = 0;
  for (let r = 0; r + 1 < offsets.length; r++) max = Math.max(max, offsets[r + 1] - offsets[r]);
  return max;
}

/**
 * Where the hyper-parameters sit in {@link GibbsShared.hyper}: α at 0, then
 * per side g (0 users, 1 items) the bias prior's μ, λ and every factor's μ, λ.
 */
function hyperAt(k: number, side: number): number {
  return 1 + side * (2 + 2 * k);
}

/** Everything a row of either side reads and writes (SharedArrayBuffers on Workers). */
export interface GibbsShared {
  k: number;
  seed: number;
  userOffsets: Int32Array;
  userItems: Int32Array;
  itemOffsets: Int32Array;
  itemUsers: Int32Array;
  /** Position in `e` (the user orientation) of each entry of the item orientation. */
  itemPos: Int32Array;
  /** e = r − r̂, aligned with the user orientation. */
  e: Float64Array;
  wu: Float64Array;
  wi: Float64Array;
  vu: Float64Array;
  vi: Float64Array;
  /** α and the priors of this sweep (see {@link hyperAt}). */
  hyper: Float64Array;
  /** Rows per chunk. */
  block: number;
}

/** One thread's scratch: a row's residuals and h values, and the row's random stream. */
export interface GibbsState {
  s: GibbsShared;
  er: Float64Array;
  hr: Float64Array;
  rng: Random;
}

export function prepareGibbs(s: GibbsShared): GibbsState {
  const len = Math.max(maxRow(s.userOffsets), maxRow(s.itemOffsets));
  return { s, er: new Float64Array(len), hr: new Float64Array(len), rng: new Random(0) };
}

/** The seed of row `r`'s stream in `sweep` on `side`: rows draw apart, so any thread may sample any row. */
export function rowSeed(seed: number, sweep: number, side: number, r: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ sweep;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ (side === 0 ? r : ~r);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Which rows a chunk of a phase samples. */
export interface GibbsPhase {
  side: number;
  sweep: number;
}

/**
 * Samples rows `chunk·block ..` of one side given the other (see the module
 * doc for the conditionals): row r's ratings are its entries in the side's
 * CSR arrays; each row reads only the other side's factors and writes only
 * its own parameters and the residuals of its own ratings, so the rows of a
 * side are independent and may run on any thread in any order.
 */
export function sampleRows(st: GibbsState, phase: GibbsPhase, chunk: number): void {
  const { s, er, hr, rng } = st;
  const { k, e, hyper } = s;
  const user = phase.side === 0;
  const offsets = user ? s.userOffsets : s.itemOffsets;
  const cols = user ? s.userItems : s.itemUsers;
  const pos = user ? null : s.itemPos;
  const w = user ? s.wu : s.wi, v = user ? s.vu : s.vi, other = user ? s.vi : s.vu;
  const alpha = hyper[0], h0 = hyperAt(k, phase.side);
  const rows = offsets.length - 1;
  const r1 = Math.min(rows, (chunk + 1) * s.block);
  for (let r = chunk * s.block; r < r1; r++) {
    rng.reseed(rowSeed(s.seed, phase.sweep, phase.side, r));
    const a = offsets[r], len = offsets[r + 1] - a;
    if (pos) { for (let q = 0; q < len; q++) er[q] = e[pos[a + q]]; }
    else for (let q = 0; q < len; q++) er[q] = e[a + q];
    // Bias: h = 1.
    {
      let sum = 0;
      for (let q = 0; q < len; q++) sum += er[q];
      const old = w[r], mu = hyper[h0], lambda = hyper[h0 + 1];
      const var_ = 1 / (alpha * len + lambda);
      const mean = var_ * (alpha * (sum + old * len) + mu * lambda);
      const nw = mean + Math.sqrt(var_) * rng.normal();
      const d = nw - old;
      w[r] = nw;
      for (let q = 0; q < len; q++) er[q] -= d;
    }
    const vr = r * k;
    for (let f = 0; f < k; f++) {
      let sh2 = 0, seh = 0;
      const old = v[vr + f];
      for (let q = 0; q < len; q++) {
        const h = other[cols[a + q] * k + f];
        hr[q] = h;
        sh2 += h * h;
        seh += (er[q] + old * h) * h;
      }
      const mu = hyper[h0 + 2 + 2 * f], lambda = hyper[h0 + 3 + 2 * f];
      const var_ = 1 / (alpha * sh2 + lambda);
      const mean = var_ * (alpha * seh + mu * lambda);
      const nv = mean + Math.sqrt(var_) * rng.normal();
      const d = nv - old;
      v[vr + f] = nv;
      for (let q = 0; q < len; q++) er[q] -= d * hr[q];
    }
    if (pos) { for (let q = 0; q < len; q++) e[pos[a + q]] = er[q]; }
    else for (let q = 0; q < len; q++) e[a + q] = er[q];
  }
}

/** Rows per chunk: enough work per claim, few enough for heavy items to balance. */
const GIBBS_BLOCK = 128;

/**
 * The kept Gibbs samples of the item side, with what a new user's
 * conditional posterior needs (lib/models/fold_in.ts): sample t's global
 * bias `w0[t]`, noise precision `alpha[t]`, user priors
 * `userPriors[t·2(k+1) ..]` = μ_w, λ_w, then μ_vf, λ_vf per factor f, and
 * the item biases and factors (dense items of the fitted matrix).
 */
export interface BayesMfSamples {
  count: number;
  factors: number;
  scale: RatingScale;
  w0: Float64Array;
  alpha: Float64Array;
  userPriors: Float64Array;
  itemBias: Float32Array[];
  /** Item i's factors at `i·k ..`, per sample. */
  itemFactors: Float32Array[];
}

/** A fitted bmf: predictions and the samples fold-in reads. */
export interface BayesMfModel extends RatingModel {
  readonly samples: BayesMfSamples;
}

/** Fits the sampler; see the module doc. */
export async function fitBayesMf(
  m: RatingMatrix,
  options: BayesMfOptions = BAYES_MF_DEFAULTS,
): Promise<BayesMfModel> {
  const nU = m.userIds.length, nI = m.itemIds.length, n = m.userItems.length;
  const k = options.factors;
  const { sweeps, burnIn, thin } = sweepPlan(n, options);
  const workers = options.workers ?? defaultWorkers();
  const scale = ratingScale(m);
  const rng = new Random(options.seed);
  const par = workers > 1;
  const f64 = (len: number) =>
    new Float64Array(par ? new SharedArrayBuffer(len * 8) : new ArrayBuffer(len * 8));
  const i32 = (a: Int32Array) => {
    if (!par || a.buffer instanceof SharedArrayBuffer) return a;
    const c = new Int32Array(new SharedArrayBuffer(a.length * 4));
    c.set(a);
    return c;
  };
  // Position in the user orientation of each entry of the item orientation.
  const itemPos = i32(new Int32Array(n));
  {
    const fill = m.itemOffsets.slice(0, nI);
    for (let u = 0; u < nU; u++) {
      for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
        itemPos[fill[m.userItems[p]]++] = p;
      }
    }
  }
  const wu = f64(nU), wi = f64(nI);
  const vu = f64(nU * k), vi = f64(nI * k);
  for (let x = 0; x < vu.length; x++) vu[x] = rng.normal() * options.initStd;
  for (let x = 0; x < vi.length; x++) vi[x] = rng.normal() * options.initStd;
  let w0 = 0;
  for (let p = 0; p < n; p++) w0 += m.userRatings[p] * 0.5;
  w0 = n > 0 ? w0 / n : 0;
  const e = f64(n);
  for (let u = 0; u < nU; u++) {
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
      const i = m.userItems[p];
      let dot = 0;
      for (let f = 0; f < k; f++) dot += vu[u * k + f] * vi[i * k + f];
      e[p] = m.userRatings[p] * 0.5 - w0 - dot;
    }
  }
  let alpha = 1;
  const pwU = new Prior(), pwI = new Prior();
  const pvU = Array.from({ length: k }, () => new Prior());
  const pvI = Array.from({ length: k }, () => new Prior());
  const shared: GibbsShared = {
    k,
    seed: options.seed,
    userOffsets: i32(m.userOffsets),
    userItems: i32(m.userItems),
    itemOffsets: i32(m.itemOffsets),
    itemUsers: i32(m.itemUsers),
    itemPos,
    e,
    wu,
    wi,
    vu,
    vi,
    hyper: f64(1 + 2 * (2 + 2 * k)),
    block: GIBBS_BLOCK,
  };
  const publish = () => {
    const h = shared.hyper;
    h[0] = alpha;
    [[pwU, pvU], [pwI, pvI]].forEach(([pw, pv], side) => {
      const at = hyperAt(k, side);
      h[at] = (pw as Prior).mu;
      h[at + 1] = (pw as Prior).lambda;
      (pv as Prior[]).forEach((p, f) => {
        h[at + 2 + 2 * f] = p.mu;
        h[at + 3 + 2 * f] = p.lambda;
      });
    });
  };
  const chunksOf = (side: number) => Math.ceil((side === 0 ? nU : nI) / GIBBS_BLOCK);
  const pool = par
    ? new PhaseWorkers<GibbsShared, GibbsPhase>(
      new URL("./bayes_mf_worker.ts", import.meta.url),
      shared,
      workers,
    )
    : null;
  const local = pool ? null : prepareGibbs(shared);
  const sampleSide = async (side: number, sweep: number) => {
    const phase = { side, sweep }, chunks = chunksOf(side);
    if (pool) await pool.run(phase, chunks);
    else for (let c = 0; c < chunks; c++) sampleRows(local!, phase, c);
  };

  const kept = Math.max(1, Math.floor((sweeps - burnIn) / thin));
  const S = { w0: new Float64Array(kept), wu: [] as Float32Array[], wi: [] as Float32Array[] };
  const SV = { u: [] as Float32Array[], i: [] as Float32Array[] };
  // What a fold-in needs of each kept sample beyond the item side (lib/models/fold_in.ts):
  // the noise precision and the user priors, [μ_w, λ_w, μ_v1, λ_v1, …].
  const SP = { alpha: new Float64Array(kept), userPriors: new Float64Array(kept * 2 * (k + 1)) };
  let s = 0;
  try {
    for (let sweep = 0; sweep < sweeps; sweep++) {
      // Global bias (flat prior).
      {
        let sum = 0;
        for (let p = 0; p < n; p++) sum += e[p];
        const var_ = 1 / (alpha * n);
        const nw = w0 + sum / n + Math.sqrt(var_) * rng.normal();
        const d = nw - w0;
        w0 = nw;
        for (let p = 0; p < n; p++) e[p] -= d;
      }
      // Noise precision and the priors.
      {
        let sq = 0;
        for (let p = 0; p < n; p++) sq += e[p] * e[p];
        alpha = rng.gamma((1 + n) / 2, 2 / (1 + sq));
        samplePrior(rng, pwU, wu, 0, 1, nU);
        samplePrior(rng, pwI, wi, 0, 1, nI);
        for (let f = 0; f < k; f++) {
          samplePrior(rng, pvU[f], vu, f, k, nU);
          samplePrior(rng, pvI[f], vi, f, k, nI);
        }
      }
      publish();
      await sampleSide(0, sweep);
      await sampleSide(1, sweep);
      if (sweep >= burnIn && (sweep - burnIn) % thin === thin - 1 && s < kept) {
        S.w0[s] = w0;
        SP.alpha[s] = alpha;
        const pr = SP.userPriors, at = s * 2 * (k + 1);
        pr[at] = pwU.mu;
        pr[at + 1] = pwU.lambda;
        for (let f = 0; f < k; f++) {
          pr[at + 2 + 2 * f] = pvU[f].mu;
          pr[at + 3 + 2 * f] = pvU[f].lambda;
        }
        S.wu.push(Float32Array.from(wu));
        S.wi.push(Float32Array.from(wi));
        SV.u.push(Float32Array.from(vu));
        SV.i.push(Float32Array.from(vi));
        s++;
      }
      options.onSweep?.(sweep + 1, sweeps);
    }
  } finally {
    pool?.close();
  }
  const count = s;
  return {
    name: "bmf",
    samples: {
      count,
      factors: k,
      scale,
      w0: S.w0.subarray(0, count),
      alpha: SP.alpha.subarray(0, count),
      userPriors: SP.userPriors.subarray(0, count * 2 * (k + 1)),
      itemBias: S.wi,
      itemFactors: SV.i,
    },
    predict(u, i) {
      let sum = 0;
      for (let t = 0; t < count; t++) {
        let x = S.w0[t] + (u >= 0 ? S.wu[t][u] : 0) + (i >= 0 ? S.wi[t][i] : 0);
        if (u >= 0 && i >= 0) {
          const a = SV.u[t], b = SV.i[t];
          for (let f = 0; f < k; f++) x += a[u * k + f] * b[i * k + f];
        }
        sum += clipToScale(scale, x);
      }
      return clipToScale(scale, sum / count);
    },
  };
}

export const bayesMfSpec: ModelSpec<BayesMfModel> = {
  summary: "Bayesian biased matrix factorisation, Gibbs sampling (32 factors, 200 sweeps)",
  scales: true,
  defaults: withoutCallbacks(BAYES_MF_DEFAULTS),
  module: import.meta.url,
  fit: (m, o) => fitBayesMf(m, o as unknown as BayesMfOptions | undefined),
};

function withoutCallbacks(o: BayesMfOptions): Record<string, number> {
  const { onSweep: _, ...numbers } = o;
  return numbers;
}
