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
 * Time: O(sweeps · ratings · factors); memory: kept samples ·
 * (users + items) · (factors + 1) floats (Float32).
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import type { ModelSpec, RatingModel } from "./model.ts";
import { clipToScale, type RatingScale, ratingScale } from "./rating_scale.ts";
import { Random } from "./random.ts";

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
export function fitBayesMf(
  m: RatingMatrix,
  options: BayesMfOptions = BAYES_MF_DEFAULTS,
): BayesMfModel {
  const nU = m.userIds.length, nI = m.itemIds.length, n = m.userItems.length;
  const k = options.factors;
  const { sweeps, burnIn, thin } = sweepPlan(n, options);
  const scale = ratingScale(m);
  const rng = new Random(options.seed);
  // Position in the user orientation of each entry of the item orientation.
  const itemPos = new Int32Array(n);
  {
    const fill = m.itemOffsets.slice(0, nI);
    for (let u = 0; u < nU; u++) {
      for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
        itemPos[fill[m.userItems[p]]++] = p;
      }
    }
  }
  const wu = new Float64Array(nU), wi = new Float64Array(nI);
  const vu = new Float64Array(nU * k), vi = new Float64Array(nI * k);
  for (let x = 0; x < vu.length; x++) vu[x] = rng.normal() * options.initStd;
  for (let x = 0; x < vi.length; x++) vi[x] = rng.normal() * options.initStd;
  let w0 = 0;
  for (let p = 0; p < n; p++) w0 += m.userRatings[p] * 0.5;
  w0 = n > 0 ? w0 / n : 0;
  // e = r − r̂, aligned with the user orientation.
  const e = new Float64Array(n);
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

  const kept = Math.max(1, Math.floor((sweeps - burnIn) / thin));
  const S = { w0: new Float64Array(kept), wu: [] as Float32Array[], wi: [] as Float32Array[] };
  const SV = { u: [] as Float32Array[], i: [] as Float32Array[] };
  // What a fold-in needs of each kept sample beyond the item side (lib/models/fold_in.ts):
  // the noise precision and the user priors, [μ_w, λ_w, μ_v1, λ_v1, …].
  const SP = { alpha: new Float64Array(kept), userPriors: new Float64Array(kept * 2 * (k + 1)) };

  /**
   * One pass over the rows of one side: row r's ratings are entries
   * `offsets[r] .. offsets[r+1]`, `cols` the other side's index and `pos`
   * the entry's position in `e` (the identity for the user side, which `e`
   * is aligned with); `other` holds the other side's factors. The residuals
   * of a row are gathered once into `er`/`hr` scratch, so the factor loops
   * run over contiguous arrays.
   */
  const er = new Float64Array(Math.max(maxRow(m.userOffsets), maxRow(m.itemOffsets)));
  const hr = new Float64Array(er.length);
  const sampleSide = (
    rows: number,
    offsets: Int32Array,
    cols: Int32Array,
    pos: Int32Array | null,
    w: Float64Array,
    v: Float64Array,
    other: Float64Array,
    pw: Prior,
    pv: Prior[],
  ) => {
    for (let r = 0; r < rows; r++) {
      const a = offsets[r], len = offsets[r + 1] - a;
      if (pos) { for (let q = 0; q < len; q++) er[q] = e[pos[a + q]]; }
      else for (let q = 0; q < len; q++) er[q] = e[a + q];
      // Bias: h = 1.
      {
        let s = 0;
        for (let q = 0; q < len; q++) s += er[q];
        const old = w[r];
        const var_ = 1 / (alpha * len + pw.lambda);
        const mean = var_ * (alpha * (s + old * len) + pw.mu * pw.lambda);
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
        const var_ = 1 / (alpha * sh2 + pv[f].lambda);
        const mean = var_ * (alpha * seh + pv[f].mu * pv[f].lambda);
        const nv = mean + Math.sqrt(var_) * rng.normal();
        const d = nv - old;
        v[vr + f] = nv;
        for (let q = 0; q < len; q++) er[q] -= d * hr[q];
      }
      if (pos) { for (let q = 0; q < len; q++) e[pos[a + q]] = er[q]; }
      else for (let q = 0; q < len; q++) e[a + q] = er[q];
    }
  };

  let s = 0;
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
    sampleSide(nU, m.userOffsets, m.userItems, null, wu, vu, vi, pwU, pvU);
    sampleSide(nI, m.itemOffsets, m.itemUsers, itemPos, wi, vi, vu, pwI, pvI);
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
