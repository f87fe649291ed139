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
 * Memory: the ratings as columns (13 bytes each; ML-32M ~420 MB), since
 * duplicates can only be known once the whole file is read.
 */
import { defineCommand } from "../lib/command.ts";
import { withAtomicFile } from "../lib/atomic_file.ts";
import { hash3 } from "../lib/hash.ts";
import type { RatingsParseStats, RatingsSeparator } from "../lib/ratings_parser.ts";
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

/** A growable byte buffer of rating lines in the internal form. */
class OutBuffer {
  bytes = new Uint8Array(6 << 20);
  used = 0;

  #uint(v: number): void {
    const b = this.bytes;
    if (v < 10) {
      b[this.used++] = 48 + v;
      return;
    }
    let digits = 0;
    for (let x = v; x > 0; x = Math.floor(x / 10)) digits++;
    let p = this.used + digits;
    this.used = p;
    for (let x = v; x > 0; x = Math.floor(x / 10)) b[--p] = 48 + (x % 10);
  }

  /** Appends `user,movie,r.r,ts\n`; `rating2` is rating·2. */
  appendRating(user: number, movie: number, rating2: number, ts: number): void {
    // 10 + 10 + 4 + 10 digits and separators fit in 40 bytes.
    if (this.used + 40 > this.bytes.length) {
      const bigger = new Uint8Array(this.bytes.length * 2);
      bigger.set(this.bytes.subarray(0, this.used));
      this.bytes = bigger;
    }
    const b = this.bytes;
    this.#uint(user);
    b[this.used++] = 44;
    this.#uint(movie);
    b[this.used++] = 44;
    this.#uint(rating2 >> 1);
    b[this.used++] = 46;
    b[this.used++] = rating2 & 1 ? 53 : 48;
    b[this.used++] = 44;
    this.#uint(ts);
    b[this.used++] = 10;
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

/** Splits `input` into `<outDir>/ratings_train.csv` and `<outDir>/ratings_test.csv`. */
export async function splitRatings(
  input: string,
  outDir: string,
  options: SplitOptions,
): Promise<SplitResult> {
  await Deno.mkdir(outDir, { recursive: true });
  let size = 0;
  try {
    size = (await Deno.stat(input)).size;
  } catch { /* readRatingsTable names the path */ }
  const bar = new Progress("split", size, { unit: "MB", scale: 1e6, enabled: options.progress });
  const { table, stats, duplicates } = await readRatingsTable(input, {
    skipInvalid: options.skipInvalid,
    separator: options.separator,
    duplicates: options.duplicates,
    warn: options.warn,
    onChunk: (read) => bar.update(read),
  });
  bar.finish();
  const threshold = Math.floor(options.testRatio * 4294967296);
  const { users, movies, ratings, timestamps, length: n } = table;
  const train = new OutBuffer(), test = new OutBuffer();
  let trainCount = 0, testCount = 0;
  await withAtomicFile(
    `${outDir}/ratings_train.csv`,
    (trainFile) =>
      withAtomicFile(`${outDir}/ratings_test.csv`, async (testFile) => {
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
    out: { type: "string", required: true, arg: "<dir>", doc: "output directory" },
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
    console.log(`wrote ${f.out}/ratings_train.csv and ${f.out}/ratings_test.csv`);
  },
});
