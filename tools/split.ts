/**
 * `split`: a reproducible per-rating train/test split of a ratings file.
 *
 * Each rating goes to the test set when `hash3(seed, userId, movieId)` falls
 * below `testRatio · 2^32` (lib/hash.ts), so the split depends only on the
 * seed and the rating's ids, never on line order, and the MR pipeline can
 * make the same decision. Output lines are the input lines' bytes (without
 * header and CR), header-less, written atomically.
 */
import { defineCommand } from "../lib/command.ts";
import { withAtomicFile } from "../lib/atomic_file.ts";
import { hash3 } from "../lib/hash.ts";
import {
  parseRatingsFile,
  type RatingSink,
  type RatingsParseStats,
} from "../lib/ratings_parser.ts";
import { Progress } from "../lib/progress.ts";

export interface SplitOptions {
  /** Fraction of ratings sent to the test set, in (0, 1). Changes output. @default 0.2 */
  testRatio: number;
  /** Hash seed. Changes output. @default 42 */
  seed: number;
  /** Skip and count malformed lines. @default false */
  skipInvalid: boolean;
  /** Show a progress bar (on a terminal). */
  progress?: boolean;
}

export interface SplitResult {
  train: number;
  test: number;
  stats: RatingsParseStats;
}

/** Appends each rating's line to the train or test buffer; flushed per chunk. */
class SplitSink implements RatingSink {
  train = new OutBuffer();
  test = new OutBuffer();
  trainCount = 0;
  testCount = 0;
  #seed: number;
  #threshold: number;
  constructor(seed: number, testRatio: number) {
    this.#seed = seed;
    this.#threshold = Math.floor(testRatio * 4294967296);
  }
  rating(
    user: number,
    movie: number,
    _r: number,
    _t: number,
    buf: Uint8Array,
    start: number,
    end: number,
  ) {
    if (hash3(this.#seed, user, movie) < this.#threshold) {
      this.test.appendLine(buf, start, end);
      this.testCount++;
    } else {
      this.train.appendLine(buf, start, end);
      this.trainCount++;
    }
  }
}

/** A growable byte buffer of complete lines. */
class OutBuffer {
  bytes = new Uint8Array(6 << 20);
  used = 0;
  appendLine(src: Uint8Array, start: number, end: number): void {
    const n = end - start + 1;
    if (this.used + n > this.bytes.length) {
      const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n));
      bigger.set(this.bytes.subarray(0, this.used));
      this.bytes = bigger;
    }
    this.bytes.set(src.subarray(start, end), this.used);
    this.used += n;
    this.bytes[this.used - 1] = 10;
  }
}

/** Splits `input` into `<outDir>/ratings_train.csv` and `<outDir>/ratings_test.csv`. */
export async function splitRatings(
  input: string,
  outDir: string,
  options: SplitOptions,
): Promise<SplitResult> {
  await Deno.mkdir(outDir, { recursive: true });
  const size = (await Deno.stat(input)).size;
  const sink = new SplitSink(options.seed, options.testRatio);
  const bar = new Progress("split", size, { unit: "MB", scale: 1e6, enabled: options.progress });
  const stats = await withAtomicFile(
    `${outDir}/ratings_train.csv`,
    (train) =>
      withAtomicFile(`${outDir}/ratings_test.csv`, (test) =>
        parseRatingsFile(input, sink, {
          skipInvalid: options.skipInvalid,
          onChunk: async (read) => {
            await train.write(sink.train.bytes, 0, sink.train.used);
            await test.write(sink.test.bytes, 0, sink.test.used);
            sink.train.used = 0;
            sink.test.used = 0;
            bar.update(read);
          },
        })),
  );
  bar.finish();
  return { train: sink.trainCount, test: sink.testCount, stats };
}

export const splitCommand = defineCommand({
  name: "split",
  summary: "80/20 train/test split of ratings.csv, reproducible by seed",
  flags: {
    input: {
      type: "string",
      required: true,
      arg: "<ratings.csv>",
      doc: "ratings file (header optional)",
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
  },
  details: "Writes <out>/ratings_train.csv and <out>/ratings_test.csv (header-less, LF).",
  async run(f) {
    const t0 = performance.now();
    const r = await splitRatings(f.input, f.out, f);
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
