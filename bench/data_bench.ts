/**
 * Bench entries of the data stage: `parse` and `parse-dat` (the ratings
 * parser on the CSV and on ml-1m/ml-10m's `::` layout), `split` and `synth`.
 */
import { withAtomicFile } from "../lib/atomic_file.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { synthesize } from "../tools/synth.ts";
import { splitRatings } from "../tools/split.ts";
import type { BenchEntry, BenchMeasure } from "./context.ts";

/** Times reading `path` into columns; throughput in MB/s. */
async function timeParse(path: string): Promise<BenchMeasure> {
  const bytes = (await Deno.stat(path)).size;
  const t0 = performance.now();
  const { table } = await readRatingsTable(path);
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, work: bytes / 1e6, unit: "MB", extra: { ratings: table.length } };
}

/**
 * Times `work` on a fresh temporary directory inside the bench directory,
 * removed afterwards; `work` returns the ratings it handled.
 */
async function timeInTempDir(
  dir: string,
  prefix: string,
  work: (out: string) => Promise<number>,
): Promise<BenchMeasure> {
  const out = await Deno.makeTempDir({ dir, prefix });
  try {
    const t0 = performance.now();
    const ratings = await work(out);
    return { seconds: (performance.now() - t0) / 1000, work: ratings, unit: "ratings" };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

export const parseEntry: BenchEntry = {
  name: "parse",
  description: "parse ratings.csv into typed-array columns (target >= 300 MB/s)",
  run: (ctx) => timeParse(`${ctx.dir}/ratings.csv`),
};

/**
 * The same ratings in ml-1m/ml-10m's `::` layout (target: within 1.5× of
 * `parse`). `ratings.dat` is made once from ratings.csv by a byte copy that
 * drops the header and doubles each comma.
 */
export const parseDatEntry: BenchEntry = {
  name: "parse-dat",
  description: "parse the same ratings as ratings.dat ('::', ml-1m/ml-10m layout) into columns",
  async run(ctx) {
    const path = await ctx.ensure("ratings.dat", (out) =>
      withAtomicFile(out, async (w) => {
        using input = await Deno.open(`${ctx.dir}/ratings.csv`, { read: true });
        const buf = new Uint8Array(1 << 20), outBuf = new Uint8Array(2 << 20);
        let header = true;
        for (;;) {
          const n = await input.read(buf);
          if (n === null) break;
          let o = 0;
          for (let i = 0; i < n; i++) {
            const c = buf[i];
            if (header) {
              header = c !== 10;
              continue;
            }
            outBuf[o++] = c === 44 ? 58 : c;
            if (c === 44) outBuf[o++] = 58;
          }
          await w.write(outBuf, 0, o);
        }
      }));
    return await timeParse(path);
  },
};

export const splitEntry: BenchEntry = {
  name: "split",
  description: "80/20 split of ratings.csv (target < 15 s at scale 1)",
  run: (ctx) =>
    timeInTempDir(ctx.dir, "split-bench-", async (out) => {
      const r = await splitRatings(`${ctx.dir}/ratings.csv`, out, {
        testRatio: 0.2,
        seed: 42,
        skipInvalid: false,
      });
      return r.train + r.test;
    }),
};

export const synthEntry: BenchEntry = {
  name: "synth",
  description: "generate the synthetic data set (target < 3 min at scale 1)",
  run: (ctx) =>
    timeInTempDir(ctx.dir, "synth-bench-", async (out) => {
      return (await synthesize(out, { scale: ctx.scale, seed: 1 })).ratings;
    }),
};
