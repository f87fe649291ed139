/**
 * `synth`: MovieLens-shaped synthetic data (`ratings.csv`, `movies.csv`,
 * `links.csv` in GroupLens' exact formats) for tests, demos and benchmarks,
 * since MovieLens itself may not be redistributed.
 *
 * Scale 1.0 is ML-32M's size: 200,948 users, 87,585 movies and exactly
 * 32,000,204 ratings; every count scales linearly (`round(n · scale)`).
 * `users`, `movies` and `ratings` set a count directly, for releases of
 * another shape (`--users 610 --movies 9742 --ratings 100836` is
 * ml-latest-small's: few ratings per movie).
 *
 * The model, chosen so that speed and accuracy behave as on the real data:
 * - Activity: user u rates `20 + LogNormal(ln 50, 1.43)` movies (median ≈ 70,
 *   mean ≈ 159, a few users with tens of thousands), capped at 90 % of
 *   the catalogue, then rescaled so the total is exact.
 * - Popularity: the movie of popularity rank j (relative rank x = j/M) has
 *   weight `(x + x0)^-1.8`, with x0 solved so the top movie's weight is
 *   0.65 % of the total. Users draw distinct movies from this distribution
 *   (alias table + rejection of repeats); since a user rates a movie at most
 *   once, the most-rated movie ends near 100k ratings at scale 1 (about half
 *   the users, as on ML-32M), with a long tail of movies with few ratings.
 * - Taste: 8 latent factors. rating = 3.47 + b_u + b_i + p_u·q_i + ε, with
 *   b_u ~ N(0, .35), b_i ~ N(0, .3) + a small bonus for popular movies,
 *   p, q ~ N(0, .42) per factor, ε ~ N(0, .6). 60 % of users use whole stars
 *   only (as early MovieLens users did), the rest half stars; clipped to
 *   0.5..5. This gives mean ≈ 3.5 with 4.0 the most common value, and
 *   structure that collaborative filtering can find.
 * - Genres follow a movie's largest latent factors, so genres mean something.
 * - Ids: users 1..N; movie ids ascending with gaps (like MovieLens, up to
 *   ~3.3 × the count), popularity rank assigned at random to ids.
 * - Titles include commas, double quotes and non-ASCII letters so readers must
 *   quote properly; ~1 % of links have an empty tmdbId.
 *
 * Deterministic for a seed (sfc32 PRNG); ratings are generated user by user
 * and streamed to disk, so memory is O(movies), not O(ratings). Output files
 * are written atomically.
 */
import { CSV_HEADERS } from "../lib/run_dir.ts";
import { defineCommand, requiredFlag } from "../lib/command.ts";
import { withAtomicFile } from "../lib/atomic_file.ts";
import { Progress } from "../lib/progress.ts";
import { GENRES } from "../lib/movielens_csv.ts";

export const ML32M = { users: 200_948, movies: 87_585, ratings: 32_000_204 } as const;

const FACTORS = 8;

/** sfc32: small, fast, statistically good 32-bit PRNG. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spare = NaN;
  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed | 0;
    for (let i = 0; i < 15; i++) this.nextU32();
  }
  nextU32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Standard normal (Box–Muller, pairs cached). */
  gauss(): number {
    if (!Number.isNaN(this.#spare)) {
      const s = this.#spare;
      this.#spare = NaN;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Vose alias table for O(1) sampling from a discrete distribution. */
class AliasTable {
  prob: Float64Array;
  alias: Int32Array;
  constructor(weights: Float64Array) {
    const n = weights.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i];
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [], large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = weights[i] * n / sum;
      (scaled[i] < 1 ? small : large).push(i);
    }
    while (small.length && large.length) {
      const s = small.pop()!, l = large.pop()!;
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }
  sample(rng: Rng): number {
    const x = rng.next() * this.prob.length;
    const i = Math.floor(x);
    return x - i < this.prob[i] ? i : this.alias[i];
  }
}

/** Popularity weights `(j/M + x0)^-1.8` with x0 set so rank 0 holds `topShare` of the weight. */
export function popularityWeights(movies: number, topShare = 0.0065): Float64Array {
  const w = new Float64Array(movies);
  const fill = (x0: number) => {
    let sum = 0;
    for (let j = 0; j < movies; j++) sum += w[j] = Math.pow((j + 0.5) / movies + x0, -1.8);
    return w[0] / sum;
  };
  let lo = 1e-9, hi = 1;
  for (let it = 0; it < 60; it++) {
    const mid = Math.sqrt(lo * hi);
    if (fill(mid) > topShare) lo = mid;
    else hi = mid;
  }
  fill(hi);
  return w;
}

/** Per-user rating counts: ≥ 20 each, heavy-tailed, summing exactly to `total`. */
export function userActivity(rng: Rng, users: number, movies: number, total: number): Int32Array {
  const cap = Math.max(20, Math.floor(movies * 0.9));
  const extra = new Float64Array(users);
  for (let u = 0; u < users; u++) extra[u] = Math.exp(Math.log(50) + 1.43 * rng.gauss());
  const counts = new Int32Array(users);
  const want = Math.min(total, users * cap) - users * 20;
  // Rescale the extras to the wanted sum, respecting the cap (iterate: capped
  // users drop out of the rescaling).
  let factor = 1;
  for (let it = 0; it < 30; it++) {
    let sum = 0, free = 0;
    for (let u = 0; u < users; u++) {
      const e = extra[u] * factor;
      if (e >= cap - 20) sum += cap - 20;
      else {
        sum += e;
        free += e;
      }
    }
    if (free === 0 || Math.abs(sum - want) < 0.5) break;
    factor *= 1 + (want - sum) / free;
  }
  let sum = 0;
  for (let u = 0; u < users; u++) {
    counts[u] = 20 + Math.min(cap - 20, Math.floor(extra[u] * factor));
    sum += counts[u];
  }
  // Hand out the rounding remainder one rating at a time to random users.
  let diff = Math.min(total, users * cap) - sum;
  while (diff !== 0) {
    const u = rng.int(users);
    if (diff > 0 && counts[u] < cap) {
      counts[u]++;
      diff--;
    } else if (diff < 0 && counts[u] > 20) {
      counts[u]--;
      diff++;
    }
  }
  return counts;
}

/** A byte buffer that formats CSV lines without building strings. */
class LineBytes {
  bytes = new Uint8Array(8 << 20);
  used = 0;
  uint(n: number): void {
    if (n >= 10) this.uint(Math.floor(n / 10));
    this.bytes[this.used++] = 48 + (n % 10);
  }
  byte(c: number): void {
    this.bytes[this.used++] = c;
  }
  get nearlyFull(): boolean {
    return this.used > this.bytes.length - 4096;
  }
}

export interface SynthOptions {
  /** Fraction of ML-32M's size. Changes output. @default 0.01 */
  scale: number;
  /**
   * Users, overriding `round(200,948 · scale)`. Changes output.
   * @default from `scale`
   */
  users?: number;
  /**
   * Movies, overriding `round(87,585 · scale)`. Changes output.
   * @default from `scale`
   */
  movies?: number;
  /**
   * Ratings, overriding `round(32,000,204 · scale)` (at least 20 per user, at
   * most 90 % of the catalogue per user). Changes output.
   * @default from `scale`
   */
  ratings?: number;
  /** PRNG seed. Changes output. @default 1 */
  seed: number;
  /** Show progress on a terminal. */
  progress?: boolean;
}

export interface SynthResult {
  users: number;
  movies: number;
  ratings: number;
}

/** Writes ratings.csv, movies.csv and links.csv into `outDir`. */
export async function synthesize(outDir: string, options: SynthOptions): Promise<SynthResult> {
  const { scale, seed } = options;
  const users = Math.max(2, options.users ?? Math.round(ML32M.users * scale));
  const movies = Math.max(60, options.movies ?? Math.round(ML32M.movies * scale));
  const total = Math.max(users * 20, options.ratings ?? Math.round(ML32M.ratings * scale));
  await Deno.mkdir(outDir, { recursive: true });
  const rng = new Rng(seed);

  // Movies: ids with gaps, random popularity rank, latent factors and bias.
  const ids = new Int32Array(movies);
  for (let j = 0, id = 0; j < movies; j++) {
    id += 1 + (rng.next() < 0.35 ? 1 + rng.int(11) : 0);
    ids[j] = id;
  }
  const idOfRank = ids.slice();
  for (let j = movies - 1; j > 0; j--) {
    const k = rng.int(j + 1);
    const t = idOfRank[j];
    idOfRank[j] = idOfRank[k];
    idOfRank[k] = t;
  }
  const rankOfId = new Int32Array(ids[movies - 1] + 1);
  for (let r = 0; r < movies; r++) rankOfId[idOfRank[r]] = r;
  const q = new Float32Array(movies * FACTORS);
  const bias = new Float32Array(movies);
  for (let r = 0; r < movies; r++) {
    for (let f = 0; f < FACTORS; f++) q[r * FACTORS + f] = 0.42 * rng.gauss();
    bias[r] = 0.3 * rng.gauss() + 0.25 * (1 - r / movies) - 0.1;
  }
  await writeMovies(outDir, rng, ids, rankOfId, q);

  // Ratings, user by user, sorted by movieId within a user (as GroupLens ships).
  const counts = userActivity(rng, users, movies, total);
  const alias = new AliasTable(popularityWeights(movies));
  const seen = new Int32Array(movies).fill(-1);
  const chosen = new Int32Array(counts.reduce((a, b) => Math.max(a, b), 0));
  const p = new Float64Array(FACTORS);
  const line = new LineBytes();
  const bar = new Progress("synth", total, { unit: "ratings", enabled: options.progress });
  let written = 0;
  await withAtomicFile(`${outDir}/ratings.csv`, async (out) => {
    await out.writeString(CSV_HEADERS.ratings + "\n");
    for (let u = 0; u < users; u++) {
      const n = counts[u];
      for (let f = 0; f < FACTORS; f++) p[f] = 0.42 * rng.gauss();
      const bu = 0.35 * rng.gauss();
      const wholeStars = rng.next() < 0.6;
      const start = 946684800 + rng.int(740_000_000);
      const span = Math.floor(-Math.log(1 - rng.next()) * 180 * 86400) + 3600;
      for (let k = 0; k < n; k++) {
        let r = alias.sample(rng);
        while (seen[r] === u) r = alias.sample(rng);
        seen[r] = u;
        chosen[k] = idOfRank[r];
      }
      const mine = chosen.subarray(0, n).sort();
      for (let k = 0; k < n; k++) {
        const id = mine[k];
        const r = rankOfId[id];
        let dot = 0;
        for (let f = 0; f < FACTORS; f++) dot += p[f] * q[r * FACTORS + f];
        const score = 3.47 + bu + bias[r] + dot + 0.6 * rng.gauss();
        let half = wholeStars ? 2 * Math.round(score) : Math.round(score * 2);
        if (half < 1) half = 1;
        else if (half > 10) half = 10;
        line.uint(u + 1);
        line.byte(44);
        line.uint(id);
        line.byte(44);
        line.uint(half >> 1);
        line.byte(46);
        line.byte(half & 1 ? 53 : 48);
        line.byte(44);
        line.uint(start + rng.int(span));
        line.byte(10);
        if (line.nearlyFull) {
          await out.write(line.bytes, 0, line.used);
          line.used = 0;
        }
      }
      written += n;
      if ((u & 255) === 0) bar.update(written);
    }
    await out.write(line.bytes, 0, line.used);
  });
  bar.finish();
  return { users, movies, ratings: written };
}

const WORDS = [
  "Night",
  "River",
  "Garden",
  "Stranger",
  "Summer",
  "Machine",
  "Letter",
  "Kingdom",
  "Shadow",
  "Journey",
  "Café",
  "Mirror",
  "Island",
  "Promise",
  "Winter",
  "Detective",
  "Señor",
  "Ghost",
  "Station",
  "Empire",
];
const ADJECTIVES = [
  "Last",
  "Silent",
  "Broken",
  "Golden",
  "Hidden",
  "Wild",
  "Little",
  "Lost",
  "Big",
  "Über",
];

/** A movie title that sometimes needs CSV quoting (commas, quotes) or has accents. */
function movieTitle(rng: Rng, id: number): string {
  const w = WORDS[rng.int(WORDS.length)];
  const a = ADJECTIVES[rng.int(ADJECTIVES.length)];
  const year = 1920 + rng.int(104);
  const form = rng.int(10);
  const name = form === 0
    ? `${a} ${w}, The`
    : form === 1
    ? `"${w}" ${id}`
    : form === 2
    ? `${w}, ${a} and ${WORDS[rng.int(WORDS.length)]}`
    : `${a} ${w} ${id}`;
  return `${name} (${year})`;
}

/** RFC 4180 field quoting, as GroupLens does: only when needed. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

async function writeMovies(
  outDir: string,
  rng: Rng,
  ids: Int32Array,
  rankOfId: Int32Array,
  q: Float32Array,
): Promise<void> {
  const movieLines: string[] = ["movieId,title,genres"];
  const linkLines: string[] = ["movieId,imdbId,tmdbId"];
  for (const id of ids) {
    const r = rankOfId[id];
    const genres: string[] = [];
    for (let f = 0; f < FACTORS; f++) {
      if (q[r * FACTORS + f] > 0.3) genres.push(GENRES[(f * 2 + (id & 1)) % GENRES.length]);
    }
    const genreText = genres.length ? [...new Set(genres)].sort().join("|") : "(no genres listed)";
    movieLines.push(`${id},${csvField(movieTitle(rng, id))},${genreText}`);
    const imdb = String(100000 + id * 7).padStart(7, "0");
    const tmdb = rng.next() < 0.01 ? "" : String(10000 + id * 3);
    linkLines.push(`${id},${imdb},${tmdb}`);
  }
  await withAtomicFile(
    `${outDir}/movies.csv`,
    (out) => out.writeString(movieLines.join("\n") + "\n"),
  );
  await withAtomicFile(
    `${outDir}/links.csv`,
    (out) => out.writeString(linkLines.join("\n") + "\n"),
  );
}

export const synthCommand = defineCommand({
  name: "synth",
  summary: "generate MovieLens-shaped synthetic ratings, movies and links",
  flags: {
    out: requiredFlag("<dir>", "output directory"),
    scale: {
      type: "number",
      default: 0.01,
      above: 0,
      max: 4,
      doc: "size relative to ML-32M (1 = 32M ratings)",
    },
    users: { type: "integer", min: 2, doc: "users (default: 200,948 × scale)" },
    movies: { type: "integer", min: 60, doc: "movies (default: 87,585 × scale)" },
    ratings: {
      type: "integer",
      min: 1,
      doc: "ratings (default: 32,000,204 × scale; at least 20 per user)",
    },
    seed: { type: "integer", default: 1, doc: "PRNG seed; same seed, same files" },
  },
  async run(f) {
    const t0 = performance.now();
    const r = await synthesize(f.out, {
      scale: f.scale,
      seed: f.seed,
      users: f.users,
      movies: f.movies,
      ratings: f.ratings,
    });
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `synth: ${r.users} users, ${r.movies} movies, ${r.ratings} ratings in ${
        secs.toFixed(1)
      }s → ${f.out}/`,
    );
  },
});
