/**
 * The library surface `mod.ts` re-exports: the whole flow by MovieLens ids,
 * never by the dense indices the models work on (lenskit's `recommend` and
 * `predict`, Surprise's `fit` then `predict(uid, iid)`).
 *
 * - {@link readRatings}: a GroupLens release directory (any layout) or one
 *   ratings file into memory; {@link readMovies}: its titles;
 * - {@link splitRatings}: the `split` command's rule, in memory;
 * - {@link fitRankingModel}, {@link fitRatingModel}: one model of
 *   lib/models/registry.ts by name, options as `name:key=value,…`;
 *   {@link fitRecommender}: both (the shipped pair by default), for lists
 *   with stars;
 * - {@link computeNeighbors}: the neighbor engine's top-K lists;
 * - {@link Recommender.foldIn}: lists and stars for a user who is not in
 *   training, from the ratings given (lib/models/fold_in.ts, no refit).
 *
 * Every fitted object answers for ids of its training ratings; a user or
 * movie it has never seen gets an empty list or the model's baseline.
 */
import { readRatingsTable } from "./ratings_table.ts";
import { allocateRatings, type RatingsTable } from "./ratings_columns.ts";
import { buildRatingMatrix, denseIndexOf, type RatingMatrix } from "./rating_matrix.ts";
import { readMovieList, resolveMovieLensDir } from "./movielens_dir.ts";
import { isTestRating } from "./hash.ts";
import type { ModelOptions, RankingModel, RatingModel } from "./models/model.ts";
import {
  DEFAULT_RANKING_MODEL,
  DEFAULT_RATING_MODEL,
  type ModelConfig,
  resolveModel,
} from "./models/registry.ts";
import { RankScratch, topNForUser } from "./models/rank.ts";
import { computeNeighborsFile } from "./neighbors/engine.ts";
import { NEIGHBOR_DEFAULTS } from "./neighbors/options.ts";
import { readNeighborFile } from "./neighbor_file.ts";
import { defaultWorkers } from "./worker_pool.ts";
import { foldInState } from "./models/fold_in_state.ts";
import { FoldInRecommender } from "./models/fold_in.ts";
import type { GivenRating, LiveRecommender, LiveResult } from "./live_recommender.ts";

export type { GivenRating, LivePick, LiveResult } from "./live_recommender.ts";
export type { RatingsTable };

/**
 * Options of {@link readRatings}.
 *
 * @example
 * ```ts
 * const ratings = await readRatings("data/ml-1m", { layout: "dat", duplicates: "error" });
 * ```
 */
export interface ReadOptions {
  /** A release directory's layout; a file's separator follows it when forced. @default "auto" */
  layout?: "auto" | "csv" | "dat" | "u-data";
  /** A (userId, movieId) rated twice: keep the latest, or throw naming both lines. @default "latest" */
  duplicates?: "latest" | "error";
  /** Skip and count malformed lines instead of throwing. @default false */
  skipInvalid?: boolean;
}

/**
 * Reads a GroupLens release directory (ratings.csv, ratings.dat or u.data)
 * or a single ratings file (any of those separators, or the split's
 * header-less form) into columns: MovieLens ids, stars as `rating·2`.
 *
 * @example
 * ```ts
 * import { readRatings } from "./mod.ts";
 * const ratings = await readRatings("data/ml-100k");
 * console.log(ratings.length); // 100000 for ml-100k
 * ```
 */
export async function readRatings(path: string, options: ReadOptions = {}): Promise<RatingsTable> {
  const layout = options.layout ?? "auto";
  const isDir = (await Deno.stat(path).catch(() => null))?.isDirectory ?? false;
  const release = isDir ? await resolveMovieLensDir(path, layout) : null;
  const { table } = await readRatingsTable(release?.ratings ?? path, {
    separator: release?.separator ??
      (layout === "dat" ? "::" : layout === "u-data" ? "\t" : layout === "csv" ? "," : undefined),
    duplicates: options.duplicates,
    skipInvalid: options.skipInvalid,
  });
  return table;
}

/**
 * One movie of a release's movie list.
 *
 * @example
 * ```ts
 * const m: Movie | undefined = (await readMovies("data/ml-100k")).get(50);
 * console.log(m?.title, m?.genres.join("|"));
 * ```
 */
export interface Movie {
  /** MovieLens movie id. */
  movieId: number;
  /** The title as the release spells it (with its year in parentheses). */
  title: string;
  /** Genres, as the release spells them. */
  genres: string[];
  /** The year in the title, or null. */
  year: number | null;
}

/**
 * Reads a release's movie list (a directory in any layout, or movies.csv,
 * movies.dat, u.item) into a map by movieId.
 *
 * @example
 * ```ts
 * import { readMovies } from "./mod.ts";
 * const movies = await readMovies("data/ml-100k");
 * console.log(movies.get(1)?.title); // "Toy Story (1995)"
 * ```
 */
export async function readMovies(path: string): Promise<Map<number, Movie>> {
  const isDir = (await Deno.stat(path).catch(() => null))?.isDirectory ?? false;
  const file = isDir ? (await resolveMovieLensDir(path)).movies : path;
  const out = new Map<number, Movie>();
  for (const m of (await readMovieList(file)).movies) {
    out.set(m.movieId, { movieId: m.movieId, title: m.title, genres: m.genres, year: m.year });
  }
  return out;
}

/**
 * Options of {@link splitRatings}: the `split` command's.
 *
 * @example
 * ```ts
 * const { train, test } = splitRatings(ratings, { testRatio: 0.1, seed: 7 });
 * ```
 */
export interface SplitOptions {
  /** Fraction of ratings in the test set, in (0, 1). @default 0.2 */
  testRatio?: number;
  /** Hash seed: the same seed, the same split. @default 42 */
  seed?: number;
}

/**
 * A train/test split.
 *
 * @example
 * ```ts
 * const split: Split = splitRatings(ratings);
 * console.log(split.train.length, split.test.length);
 * ```
 */
export interface Split {
  /** The ratings not drawn for test, in input order. */
  train: RatingsTable;
  /** The test ratings, in input order. */
  test: RatingsTable;
}

/**
 * Splits ratings as the `split` command does: a rating is a test rating when
 * `hash3(seed, userId, movieId) < testRatio · 2^32`, whatever the order.
 *
 * @example
 * ```ts
 * import { readRatings, splitRatings } from "./mod.ts";
 * const { train, test } = splitRatings(await readRatings("data/ml-100k"), { seed: 42 });
 * ```
 */
export function splitRatings(ratings: RatingsTable, options: SplitOptions = {}): Split {
  const testRatio = options.testRatio ?? 0.2, seed = options.seed ?? 42;
  if (!(testRatio > 0 && testRatio < 1)) {
    throw new RangeError(`testRatio must be in (0, 1), not ${testRatio}`);
  }
  const isTest = new Uint8Array(ratings.length);
  let nTest = 0;
  for (let k = 0; k < ratings.length; k++) {
    nTest += isTest[k] = isTestRating(seed, ratings.users[k], ratings.movies[k], testRatio) ? 1 : 0;
  }
  const take = (want: number, n: number): RatingsTable => {
    const t = allocateRatings(n);
    for (let k = 0, j = 0; k < ratings.length; k++) {
      if (isTest[k] !== want) continue;
      t.users[j] = ratings.users[k];
      t.movies[j] = ratings.movies[k];
      t.ratings[j] = ratings.ratings[k];
      t.timestamps[j++] = ratings.timestamps[k];
    }
    return t;
  };
  return { train: take(0, ratings.length - nTest), test: take(1, nTest) };
}

/** Each fitted object's model and training matrix, for fold-in (kept off the public surface). */
const FITTED = new WeakMap<object, { model: RankingModel | RatingModel; m: RatingMatrix }>();

/**
 * What a fit may use that never changes its result.
 *
 * @example
 * ```ts
 * const ranker = await fitRankingModel(train, "ease", { workers: 1 });
 * ```
 */
export interface FitOptions {
  /** Worker threads. Changes only speed. @default the machine's cores */
  workers?: number;
}

/**
 * A movie in a list, best first.
 *
 * @example
 * ```ts
 * const [first]: Scored[] = ranker.recommend(1, 1);
 * console.log(first.movieId, first.score);
 * ```
 */
export interface Scored {
  /** MovieLens movie id. */
  movieId: number;
  /** The ranking model's score (higher is better; only the order means something). */
  score: number;
}

/**
 * What {@link Ranker} and {@link RatingPredictor} share: the registered name
 * and every option's value the fit used.
 *
 * @example
 * ```ts
 * const fitted: FittedModel = await fitRankingModel(train, "ease:lambda=400");
 * console.log(fitted.name, fitted.options); // ease { lambda: 400, lowRatingWeight: 1, … }
 * ```
 */
export class FittedModel {
  /** The registered name (`ease-weighted`, `blend`). */
  readonly name: string;
  /** Every option's value the fit used, defaults included. */
  readonly options: ModelOptions;

  /** Use the fit functions ({@link fitRankingModel}, {@link fitRatingModel}). */
  constructor(config: ModelConfig, model: RankingModel | RatingModel, m: RatingMatrix) {
    this.name = config.name;
    this.options = config.options;
    FITTED.set(this, { model, m });
  }
}

/**
 * A fitted ranking model, by MovieLens ids ({@link fitRankingModel}).
 *
 * @example
 * ```ts
 * const ranker = await fitRankingModel(train, "ease-weighted");
 * console.log(ranker.name, ranker.options.lambda, ranker.recommend(1, 5));
 * ```
 */
export class Ranker extends FittedModel {
  #scratch: RankScratch | null = null;

  /**
   * The `n` best movies for `userId` that the user did not rate in training
   * (score descending, ties by the smaller movieId); empty for a user not in
   * training.
   *
   * @example
   * ```ts
   * const top = ranker.recommend(1, 10); // [{ movieId, score }, …]
   * ```
   */
  recommend(userId: number, n: number): Scored[] {
    const { model, m } = FITTED.get(this)!;
    const u = denseIndexOf(m.userIndex, userId);
    if (u < 0 || n <= 0) return [];
    // One scratch per ranker (TopK grows its buffers for a longer list).
    this.#scratch ??= new RankScratch(m.itemIds.length, n);
    const items = topNForUser(model as RankingModel, m, u, n, this.#scratch);
    const scores = this.#scratch.topScores;
    return Array.from(items, (i, r) => ({ movieId: m.itemIds[i], score: scores[r] }));
  }
}

/**
 * A fitted rating model, by MovieLens ids ({@link fitRatingModel}).
 *
 * @example
 * ```ts
 * const predictor = await fitRatingModel(train, "blend");
 * console.log(predictor.predict(1, 50).toFixed(2));
 * ```
 */
export class RatingPredictor extends FittedModel {
  /**
   * The stars `userId` would give `movieId`, on the training data's scale;
   * the model's baseline for an id not in training.
   *
   * @example
   * ```ts
   * const stars = predictor.predict(1, 50); // e.g. 4.62
   * ```
   */
  predict(userId: number, movieId: number): number {
    const { model, m } = FITTED.get(this)!;
    return (model as RatingModel).predict(
      denseIndexOf(m.userIndex, userId),
      denseIndexOf(m.itemIndex, movieId),
    );
  }
}

/**
 * Fits a ranking model of lib/models/registry.ts on `train`: a name
 * (`ease-weighted`) or a configuration (`ease:lambda=300,lowRatingWeight=0.5`).
 * Throws UnknownModelError or ModelOptionError (which lists the valid keys).
 *
 * @example
 * ```ts
 * import { fitRankingModel, readRatings } from "./mod.ts";
 * const ranker = await fitRankingModel(await readRatings("data/ml-100k"), "ease:lambda=400");
 * console.log(ranker.recommend(1, 10));
 * ```
 */
export async function fitRankingModel(
  train: RatingsTable,
  model: string = DEFAULT_RANKING_MODEL,
  options: FitOptions = {},
): Promise<Ranker> {
  return await rankerOn(buildRatingMatrix(train), model, options);
}

async function rankerOn(m: RatingMatrix, model: string, options: FitOptions): Promise<Ranker> {
  const config = resolveModel(model, "ranking");
  return new Ranker(config, await config.spec.fit(m, config.options, options), m);
}

async function predictorOn(
  m: RatingMatrix,
  model: string,
  options: FitOptions,
): Promise<RatingPredictor> {
  const config = resolveModel(model, "rating");
  return new RatingPredictor(config, await config.spec.fit(m, config.options, options), m);
}

/**
 * Fits a rating model of lib/models/registry.ts on `train` (a name such as
 * `blend`, or `name:key=value,…`).
 *
 * @example
 * ```ts
 * import { fitRatingModel, readRatings } from "./mod.ts";
 * const bias = await fitRatingModel(await readRatings("data/ml-100k"), "bias:regUser=25");
 * console.log(bias.predict(1, 50));
 * ```
 */
export async function fitRatingModel(
  train: RatingsTable,
  model: string = DEFAULT_RATING_MODEL,
  options: FitOptions = {},
): Promise<RatingPredictor> {
  return await predictorOn(buildRatingMatrix(train), model, options);
}

/**
 * A recommended movie with the stars the rating model predicts.
 *
 * @example
 * ```ts
 * for (const p of recommender.recommend(1, 3)) console.log(p.movieId, p.score, p.stars);
 * ```
 */
export interface Pick extends Scored {
  /** The rating model's predicted stars. */
  stars: number;
}

/**
 * The models of {@link fitRecommender}.
 *
 * @example
 * ```ts
 * const r = await fitRecommender(train, { ranking: "rp3beta:beta=0.5", rating: "bias" });
 * ```
 */
export interface RecommenderModels extends FitOptions {
  /** The ranking model (a name or `name:key=value,…`). @default "ease-weighted" */
  ranking?: string;
  /** The rating model. @default "blend" */
  rating?: string;
}

/**
 * A ranking model and a rating model fitted on the same ratings: lists with
 * stars ({@link fitRecommender}).
 *
 * @example
 * ```ts
 * const recommender = await fitRecommender(train);
 * console.log(recommender.ranker.name, recommender.predictor.name); // ease-weighted blend
 * ```
 */
export class Recommender {
  /** The list's model. */
  readonly ranker: Ranker;
  /** The stars' model. */
  readonly predictor: RatingPredictor;
  #live: LiveRecommender | null = null;

  /** Use {@link fitRecommender}. */
  constructor(ranker: Ranker, predictor: RatingPredictor) {
    this.ranker = ranker;
    this.predictor = predictor;
  }

  /**
   * The ranking model's `n` best movies for `userId`, each with the rating
   * model's stars.
   *
   * @example
   * ```ts
   * for (const p of recommender.recommend(1, 10)) console.log(p.movieId, p.stars.toFixed(1));
   * ```
   */
  recommend(userId: number, n: number): Pick[] {
    return this.ranker.recommend(userId, n).map((s) => ({
      ...s,
      stars: this.predictor.predict(userId, s.movieId),
    }));
  }

  /**
   * The stars `userId` would give `movieId` (the rating model).
   *
   * @example
   * ```ts
   * const stars = recommender.predict(1, 50);
   * ```
   */
  predict(userId: number, movieId: number): number {
    return this.predictor.predict(userId, movieId);
  }

  /**
   * Fold-in: the `n` best movies and the stars of `predict` for someone who
   * is not in training, known only by `ratings` (MovieLens ids, stars), from
   * the fitted models without a refit (lib/models/fold_in.ts; what `web`
   * answers `POST /api/recommendations` with). Never a movie given; movies
   * the models do not know are counted in `ignored`. Throws
   * FoldInUnsupportedError for models without fold-in (the shipped pair
   * have it; see lib/models/fold_in_state.ts).
   *
   * @example
   * ```ts
   * const r = recommender.foldIn([{ movieId: 1, rating: 5 }, { movieId: 50, rating: 4.5 }], 10);
   * console.log(r.items.map((p) => p.movieId), r.ignored);
   * ```
   */
  foldIn(ratings: readonly GivenRating[], n: number, predict: readonly number[] = []): LiveResult {
    if (!this.#live) {
      const ranker = FITTED.get(this.ranker)!, rater = FITTED.get(this.predictor)!;
      this.#live = new FoldInRecommender(
        foldInState(ranker.model as RankingModel, rater.model as RatingModel, ranker.m),
      );
    }
    return this.#live.recommend(ratings, n, predict);
  }
}

/**
 * Fits a ranking and a rating model on `train`, by default the shipped pair
 * (`ease-weighted`, `blend`: what `pipeline` serves).
 *
 * @example
 * ```ts
 * import { fitRecommender, readRatings } from "./mod.ts";
 * const recommender = await fitRecommender(await readRatings("data/ml-100k"));
 * console.log(recommender.recommend(1, 10));
 * ```
 */
export async function fitRecommender(
  train: RatingsTable,
  models: RecommenderModels = {},
): Promise<Recommender> {
  const fit = { workers: models.workers };
  // One matrix for both: fold-in reads the two models' parameters side by side.
  const m = buildRatingMatrix(train);
  return new Recommender(
    await rankerOn(m, models.ranking ?? DEFAULT_RANKING_MODEL, fit),
    await predictorOn(m, models.rating ?? DEFAULT_RATING_MODEL, fit),
  );
}

/**
 * Options of {@link computeNeighbors}: the `neighbors` command's.
 *
 * @example
 * ```ts
 * const users = await computeNeighbors(train, { mode: "user", similarity: "pearson", shrink: 100 });
 * ```
 */
export interface NeighborOptions {
  /** Neighbors of users (who rated alike) or of movies (rated alike). */
  mode: "user" | "item";
  /** Neighbors kept per id. @default 50 */
  k?: number;
  /** Least co-rated count of a pair. @default 5 */
  minCommon?: number;
  /** Similarity formula. @default "cosine" */
  similarity?: "cosine" | "pearson";
  /** Shrinkage λ: sim·n/(n+λ). @default 0 */
  shrink?: number;
  /** Members kept per group before pairing, 0 = all. @default 0 */
  maxRaters?: number;
  /** Worker threads. Changes only speed. @default the machine's cores */
  workers?: number;
}

/**
 * One neighbor: an id of the same mode and the similarity (6 decimals, as
 * the file holds it).
 *
 * @example
 * ```ts
 * const [nearest]: Neighbor[] = neighbors.of(50);
 * console.log(nearest.id, nearest.similarity);
 * ```
 */
export interface Neighbor {
  /** A user id (user mode) or movie id (item mode). */
  id: number;
  /** The similarity, as the neighbor file prints it. */
  similarity: number;
}

/**
 * Top-K neighbor lists by MovieLens id ({@link computeNeighbors}).
 *
 * @example
 * ```ts
 * const movies: Neighbors = await computeNeighbors(train, { mode: "item" });
 * console.log(movies.of(1).length); // at most 50
 * ```
 */
export class Neighbors {
  readonly #ids: Int32Array;
  readonly #offsets: Int32Array;
  readonly #nids: Int32Array;
  readonly #sims: Float64Array;

  /** Use {@link computeNeighbors}. */
  constructor(
    lists: { ids: Int32Array; offsets: Int32Array; nids: Int32Array; sims: Float64Array },
  ) {
    this.#ids = lists.ids;
    this.#offsets = lists.offsets;
    this.#nids = lists.nids;
    this.#sims = lists.sims;
  }

  /**
   * `id`'s neighbors, most similar first (ties by the smaller id); empty
   * when it has none.
   *
   * @example
   * ```ts
   * const similar = neighbors.of(50); // [{ id, similarity }, …]
   * ```
   */
  of(id: number): Neighbor[] {
    let lo = 0, hi = this.#ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1, v = this.#ids[mid];
      if (v === id) {
        const out: Neighbor[] = [];
        for (let p = this.#offsets[mid]; p < this.#offsets[mid + 1]; p++) {
          out.push({ id: this.#nids[p], similarity: this.#sims[p] });
        }
        return out;
      }
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return [];
  }
}

/**
 * The neighbor engine's top-K lists (the bytes of a `neighbors` file: the
 * ratings go to a temporary file for the engine's Workers, removed after).
 *
 * @example
 * ```ts
 * import { computeNeighbors, readRatings } from "./mod.ts";
 * const movies = await computeNeighbors(await readRatings("data/ml-100k"), { mode: "item", k: 20 });
 * console.log(movies.of(50).slice(0, 3));
 * ```
 */
export async function computeNeighbors(
  ratings: RatingsTable,
  options: NeighborOptions,
): Promise<Neighbors> {
  const dir = await Deno.makeTempDir({ prefix: "recsys-neighbors-" });
  try {
    const train = `${dir}/ratings.csv`, out = `${dir}/neighbors.txt`;
    const lines: string[] = [];
    for (let k = 0; k < ratings.length; k++) {
      lines.push(
        `${ratings.users[k]},${ratings.movies[k]},${(ratings.ratings[k] / 2).toFixed(1)},` +
          `${ratings.timestamps[k]}`,
      );
    }
    await Deno.writeTextFile(train, lines.join("\n") + "\n");
    await computeNeighborsFile(train, out, {
      ...NEIGHBOR_DEFAULTS,
      ...options,
      workers: options.workers ?? defaultWorkers(),
      progress: false,
    });
    return new Neighbors(await readNeighborFile(out));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
