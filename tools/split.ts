/**
 * `split`: a reproducible per-rating train/test split of a ratings file in
 * any GroupLens layout (`,`, `::` or TAB separated; lib/ratings_parser.ts).
 *
 * Each rating goes to the test set when `hash3(seed, userId, movieId)` falls
 * below `testRatio · 2^32` (lib/hash.ts), so the split depends only on the
 * seed and the rating's ids, never on line order, and the MR pipeline can
 * make the same decision. Duplicated (userId, movieId) pairs are resolved
 * first (`--duplicates`, lib/rating_duplicates.ts), so nothing downstream
 * ever sees one. Output is the internal form every later stage reads:
 * header-less `userId,movieId,rating,timestamp` lines, LF, rating with one
 * decimal (`4.0`, `3.5`), in input order (GroupLens' ratings.csv lines come
 * out byte for byte), written atomically.
 *
 * Input sorted by (userId, movieId), as GroupLens ships ratings.csv, streams
 * in one pass (no duplicate is possible); any other input (u.data, some
 * ratings.dat) is read whole as columns (13 bytes per rating) so duplicates
 * can be resolved (see {@link splitRatings}).
 */
import { runFiles } from "../lib/run_dir.ts";
import { defineCommand, requiredFlag } from "../lib/command.ts";
import { withAtomicFile } from "../lib/atomic_file.ts";
import { hash3 } from "../lib/hash.ts";
import {
  parseRatingsFile,
  type RatingSink,
  type RatingsParseStats,
  type RatingsSeparator,
} from "../lib/ratings_parser.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import {
  type DuplicatePolicy,
  type DuplicateReport,
  DUPLICATES_FLAG,
} from "../lib/rating_duplicates.ts";
import { type Layout, LAYOUT_FLAG, resolveMovieLensDir } from "../lib/movielens_dir.ts";
import { Progress } from "../lib/progress.ts";

export interface SplitOptions {
  /** Fraction of ratings sent to the test set, in (0, 1). Changes output. @default 0.2 */
  testRatio: number;
  /** Hash seed. Changes output. @default 42 */
  seed: number;
  /** Skip and count malformed lines. @default false */
  skipInvalid: boolean;
  /** Field separator; sniffed from the first line when absent. */
  separator?: RatingsSeparator;
  /** A pair rated twice: keep the latest, or fail. Changes output. @default "latest" */
  duplicates?: DuplicatePolicy;
  /** Receives the duplicates warning. @default console.warn */
  warn?: (message: string) => void;
  /** Show a progress bar (on a terminal). */
  progress?: boolean;
}

export interface SplitResult {
  train: number;
  test: number;
  stats: RatingsParseStats;
  duplicates: DuplicateReport;
}

/**
 * Writes `v` (an integer in 0..2^32) as decimal digits at `b[p..]` and
 * returns the end. The digit count comes from comparisons and each digit
 * from one `>>> 0` division: split formats four numbers per rating, and
 * this loop was half of split's time with `Math.floor` counting twice.
 */
function putUint(b: Uint8Array, p: number, v: number): number {
  const n = v < 10
    ? 1
    : v < 100
    ? 2
    : v < 1e3
    ? 3
    : v < 1e4
    ? 4
    : v < 1e5
    ? 5
    : v < 1e6
    ? 6
    : v < 1e7
    ? 7
    : v < 1e8
    ? 8
    : v < 1e9
    ? 9
    : 10;
  let q = p + n;
  while (v >= 10) {
    const d = (v / 10) >>> 0;
    b[--q] = 48 + v - d * 10;
    v = d;
  }
  b[--q] = 48 + v;
  return p + n;
}

/** A growable byte buffer of rating lines in the internal form. */
class OutBuffer {
  bytes = new Uint8Array(6 << 20);
  used = 0;

  /** Appends `user,movie,r.r,ts\n`; `rating2` is rating·2. */
  appendRating(user: number, movie: number, rating2: number, ts: number): void {
    // 10 + 10 + 4 + 10 digits and separators fit in 40 bytes.
    if (this.used + 40 > this.bytes.length) {
      const bigger = new Uint8Array(this.bytes.length * 2);
      bigger.set(this.bytes.subarray(0, this.used));
      this.bytes = bigger;
    }
    const b = this.bytes;
    let p = putUint(b, this.used, user);
    b[p++] = 44;
    p = putUint(b, p, movie);
    b[p++] = 44;
    b[p++] = 48 + (rating2 >> 1);
    b[p++] = 46;
    b[p++] = rating2 & 1 ? 53 : 48;
    b[p++] = 44;
    p = putUint(b, p, ts);
    b[p++] = 10;
    this.used = p;
  }
}

/**
 * The ratings file of `--input` and its separator: a release directory
 * resolves to its layout's ratings file; a file takes `layout`'s separator
 * when one is forced, else it is sniffed.
 */
export async function splitInput(
  input: string,
  layout: Layout | "auto",
): Promise<{ input: string; separator?: RatingsSeparator }> {
  let isDir = false;
  try {
    isDir = (await Deno.stat(input)).isDirectory;
  } catch { /* readRatingsTable names a missing path */ }
  if (isDir) {
    const d = await resolveMovieLensDir(input, layout);
    return { input: d.ratings, separator: d.separator };
  }
  const separator = layout === "auto"
    ? undefined
    : ({ csv: ",", dat: "::", "u-data": "\t" } as const)[layout];
  return { input, separator };
}

/** Thrown by {@link SortedSplitSink} at the first rating out of (userId, movieId) order. */
const UNSORTED = new Error("input not sorted by (userId, movieId)");

/**
 * The streaming path: formats each rating into the train or test buffer as it
 * is parsed (flushed per chunk), for input strictly ascending by (userId,
 * movieId), which can hold no duplicate. GroupLens ships ratings.csv so
 * (ml-20m … ml-32m, ml-latest*), and so does `synth`; any step back throws
 * {@link UNSORTED} and the whole-file path takes over.
 */
class SortedSplitSink implements RatingSink {
  train = new OutBuffer();
  test = new OutBuffer();
  trainCount = 0;
  testCount = 0;
  #user = -1;
  #movie = -1;
  #seed: number;
  #threshold: number;
  constructor(seed: number, threshold: number) {
    this.#seed = seed;
    this.#threshold = threshold;
  }
  rating(user: number, movie: number, rating2: number, ts: number): void {
    if (user < this.#user || (user === this.#user && movie <= this.#movie)) throw UNSORTED;
    this.#user = user;
    this.#movie = movie;
    if (hash3(this.#seed, user, movie) < this.#threshold) {
      this.test.appendRating(user, movie, rating2, ts);
      this.testCount++;
    } else {
      this.train.appendRating(user, movie, rating2, ts);
      this.trainCount++;
    }
  }
}

/**
 * Splits `input` into `<outDir>/ratings_train.csv` and `<outDir>/ratings_test.csv`.
 * Sorted input streams in one pass (memory O(chunk)); other input is read
 * whole into columns, its duplicates resolved, then written (13 bytes per
 * rating). Both give the same files.
 */
export async function splitRatings(
  input: string,
  outDir: string,
  options: SplitOptions,
): Promise<SplitResult> {
  await Deno.mkdir(outDir, { recursive: true });
  let size = 0;
  try {
    size = (await Deno.stat(input)).size;
  } catch { /* the parser names the path */ }
  const threshold = Math.floor(options.testRatio * 4294967296);
  const { train: trainPath, test: testPath } = runFiles(outDir);
  let bar = new Progress("split", size, { unit: "MB", scale: 1e6, enabled: options.progress });
  try {
    const sink = new SortedSplitSink(options.seed, threshold);
    const stats = await withAtomicFile(
      trainPath,
      (trainFile) =>
        withAtomicFile(testPath, (testFile) =>
          parseRatingsFile(input, sink, {
            skipInvalid: options.skipInvalid,
            separator: options.separator,
            onChunk: async (read) => {
              await trainFile.write(sink.train.bytes, 0, sink.train.used);
              await testFile.write(sink.test.bytes, 0, sink.test.used);
              sink.train.used = 0;
              sink.test.used = 0;
              bar.update(read);
            },
          })),
    );
    bar.finish();
    return {
      train: sink.trainCount,
      test: sink.testCount,
      stats,
      duplicates: { file: input, dropped: 0, first: null },
    };
  } catch (err) {
    if (err !== UNSORTED) throw err;
  }
  bar.finish();
  bar = new Progress("split (unsorted input)", size, {
    unit: "MB",
    scale: 1e6,
    enabled: options.progress,
  });
  const { table, stats, duplicates } = await readRatingsTable(input, {
    skipInvalid: options.skipInvalid,
    separator: options.separator,
    duplicates: options.duplicates,
    warn: options.warn,
    onChunk: (read) => bar.update(read),
  });
  bar.finish();
  const { users, movies, ratings, timestamps, length: n } = table;
  const train = new OutBuffer(), test = new OutBuffer();
  let trainCount = 0, testCount = 0;
  await withAtomicFile(
    trainPath,
    (trainFile) =>
      withAtomicFile(testPath, async (testFile) => {
        for (let i = 0; i < n; i++) {
          if (hash3(options.seed, users[i], movies[i]) < threshold) {
            test.appendRating(users[i], movies[i], ratings[i], timestamps[i]);
            testCount++;
          } else {
            train.appendRating(users[i], movies[i], ratings[i], timestamps[i]);
            trainCount++;
          }
          if ((i & 0xffff) === 0xffff || i === n - 1) {
            await trainFile.write(train.bytes, 0, train.used);
            await testFile.write(test.bytes, 0, test.used);
            train.used = 0;
            test.used = 0;
          }
        }
      }),
  );
  return { train: trainCount, test: testCount, stats, duplicates };
}

export const splitCommand = defineCommand({
  name: "split",
  summary: "80/20 train/test split of a ratings file (any GroupLens layout), reproducible by seed",
  flags: {
    input: {
      type: "string",
      required: true,
      arg: "<file|dir>",
      doc: "ratings file (ratings.csv, ratings.dat, u.data, …) or a release directory",
    },
    out: requiredFlag("<dir>", "output directory"),
    testRatio: {
      type: "number",
      default: 0.2,
      above: 0,
      below: 1,
      doc: "fraction of ratings in the test set, in (0, 1)",
    },
    seed: { type: "integer", default: 42, doc: "hash seed; same seed, same split" },
    skipInvalid: { type: "boolean", doc: "skip and count malformed lines instead of failing" },
    duplicates: DUPLICATES_FLAG,
    layout: LAYOUT_FLAG,
  },
  details: "Writes <out>/ratings_train.csv and <out>/ratings_test.csv (header-less\n" +
    "userId,movieId,rating,timestamp, LF), the form every later command reads.\n" +
    "A file's separator (',', '::' or TAB) is taken from --layout, else from its first line.",
  async run(f) {
    const t0 = performance.now();
    const { input, separator } = await splitInput(f.input, f.layout);
    const r = await splitRatings(input, f.out, { ...f, separator });
    const total = r.train + r.test;
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `split ${total} ratings in ${secs.toFixed(1)}s: train ${r.train}, test ${r.test} ` +
        `(test ratio ${(total ? r.test / total : 0).toFixed(4)})`,
    );
    if (r.stats.skipped > 0) {
      console.log(
        `skipped ${r.stats.skipped} malformed lines (first: ${r.stats.firstSkipped?.message})`,
      );
    }
    const written = runFiles(f.out);
    console.log(`wrote ${written.train} and ${written.test}`);
  },
});
