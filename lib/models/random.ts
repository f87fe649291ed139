/**
 * A seeded pseudo-random source for model fitting (initial factors, SGD
 * order, Gibbs sampling): the same seed gives the same model on every
 * machine. xoshiro128** (Blackman & Vigna) over 32-bit integers, with
 * Box–Muller normals and Marsaglia–Tsang gammas.
 *
 * Not tools/synth.ts's sfc32 generator, whose helpers look alike: each
 * stream is part of its output (the synthetic data, bmf's fitted numbers),
 * so neither can switch to the other without changing bytes.
 */
export class Random {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;
  #spare = NaN;

  constructor(seed: number) {
    this.#s0 =
      this.#s1 =
      this.#s2 =
      this.#s3 =
        0;
    this.reseed(seed);
  }

  /** Restarts the stream as `new Random(seed)` would, without a new object (one stream per row). */
  reseed(seed: number): void {
    this.#spare = NaN;
    // splitmix32 expands the seed into the four state words.
    let z = seed >>> 0;
    const next = () => {
      z = (z + 0x9e3779b9) | 0;
      let t = z ^ (z >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) >>> 0;
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
  }

  /** Uniform unsigned 32-bit integer. */
  u32(): number {
    const r = Math.imul((Math.imul(this.#s1, 5) << 7) | (Math.imul(this.#s1, 5) >>> 25), 9);
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = (this.#s3 << 11) | (this.#s3 >>> 21);
    return r >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.#spare)) {
      const s = this.#spare;
      this.#spare = NaN;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Gamma(shape, scale), Marsaglia–Tsang; shape < 1 boosted by U^(1/shape). */
  gamma(shape: number, scale: number): number {
    if (shape < 1) return this.gamma(shape + 1, scale) * Math.pow(this.uniform(), 1 / shape);
    const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }
}
