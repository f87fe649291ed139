/**
 * `bench`: named benchmarks on synthetic MovieLens-shaped data.
 *
 * Data for a scale is generated once into `.cache/bench/scale-<S>/`
 * (`ratings.csv`, `movies.csv`, `links.csv`, and the split's
 * `ratings_train.csv` / `ratings_test.csv`); entries that need more (neighbor
 * files, recommendations) build it there on first use through
 * {@link BenchContext.ensure}. Each entry runs in its own child process
 * under GNU `time`, so its peak RSS (max resident set, Workers included) is
 * its own; Deno cannot read `/proc/self` without `--allow-all`. The
 * table is printed and `bench/results.json` is updated (entries of other
 * names or scales are kept).
 *
 * Timings are measurements for notes and the README, never assertions.
 */
import { defineCommand } from "../lib/command.ts";
import { withAtomicFile, writeFileAtomic } from "../lib/atomic_file.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { synthesize } from "./synth.ts";
import { splitRatings } from "./split.ts";
import { importMysqlEntry, importSqliteEntry } from "./import_bench.ts";
import { evalItemEntry, evalUserEntry, predictTop100Entry } from "../eval/eval_bench.ts";
import { MODEL_BENCHMARKS } from "../bench/model_bench.ts";
import { webDashboardEntry } from "./web_bench.ts";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import { defaultWorkers } from "../lib/worker_pool.ts";
import process from "node:process";

/** What one entry measured. */
export interface BenchMeasure {
  /** Wall seconds of the measured work (excluding data preparation). */
  seconds: number;
  /** Work done, in `unit`s, for the throughput column. */
  work: number;
  unit: string;
  /** Anything else worth recording (pairs kept, rows/s, …). */
  extra?: Record<string, number | string>;
}

/** Shared, cached inputs for entries at one scale. */
export interface BenchContext {
  scale: number;
  /** `.cache/bench/scale-<S>` with ratings.csv, movies.csv, links.csv, ratings_{train,test}.csv. */
  dir: string;
  /**
   * Returns `<dir>/<name>`, creating it with `make(path)` the first time
   * (written atomically by `make`; a crash leaves nothing half-made).
   */
  ensure(name: string, make: (path: string) => Promise<void>): Promise<string>;
}

export interface BenchEntry {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchMeasure>;
}

const parseEntry: BenchEntry = {
  name: "parse",
  description: "parse ratings.csv into typed-array columns (target >= 300 MB/s)",
  async run(ctx) {
    const path = `${ctx.dir}/ratings.csv`;
    const bytes = (await Deno.stat(path)).size;
    const t0 = performance.now();
    const { table } = await readRatingsTable(path);
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, work: bytes / 1e6, unit: "MB", extra: { ratings: table.length } };
  },
};

/**
 * The same ratings in ml-1m/ml-10m's `::` layout (target: within 1.5× of
 * `parse`). `ratings.dat` is made once from ratings.csv by a byte copy that
 * drops the header and doubles each comma.
 */
const parseDatEntry: BenchEntry = {
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
    const bytes = (await Deno.stat(path)).size;
    const t0 = performance.now();
    const { table } = await readRatingsTable(path);
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, work: bytes / 1e6, unit: "MB", extra: { ratings: table.length } };
  },
};

const splitEntry: BenchEntry = {
  name: "split",
  description: "80/20 split of ratings.csv (target < 15 s at scale 1)",
  async run(ctx) {
    const out = await Deno.makeTempDir({ dir: ctx.dir, prefix: "split-bench-" });
    try {
      const t0 = performance.now();
      const r = await splitRatings(`${ctx.dir}/ratings.csv`, out, {
        testRatio: 0.2,
        seed: 42,
        skipInvalid: false,
      });
      const seconds = (performance.now() - t0) / 1000;
      return { seconds, work: r.train + r.test, unit: "ratings" };
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
};

const synthEntry: BenchEntry = {
  name: "synth",
  description: "generate the synthetic data set (target < 3 min at scale 1)",
  async run(ctx) {
    const out = await Deno.makeTempDir({ dir: ctx.dir, prefix: "synth-bench-" });
    try {
      const t0 = performance.now();
      const r = await synthesize(out, { scale: ctx.scale, seed: 1 });
      const seconds = (performance.now() - t0) / 1000;
      return { seconds, work: r.ratings, unit: "ratings" };
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
};

/**
 * Top-50 neighbors of ratings_train.csv, in-process; throughput in pairs evaluated/s. Cosine
 * without shrinkage is the design's definition (`neighbors-<mode>`); pearson with shrinkage
 * 100 is what `pipeline` and `demo` compute (`neighbors-<mode>-pearson`).
 */
function neighborsEntry(
  mode: "user" | "item",
  similarity: "cosine" | "pearson",
  target: string,
): BenchEntry {
  const shrink = similarity === "pearson" ? 100 : 0;
  return {
    name: similarity === "pearson" ? `neighbors-${mode}-pearson` : `neighbors-${mode}`,
    description: `${mode}-${mode} top-50 ${similarity} neighbors` +
      (shrink ? `, shrinkage ${shrink}` : "") + `, in-process (target ${target} at scale 1)`,
    async run(ctx) {
      const out = `${ctx.dir}/.bench-neighbors-${mode}-${Deno.pid}.txt`;
      try {
        const workers = defaultWorkers();
        const t0 = performance.now();
        // CPU seconds of the process (Workers included): wall time on a shared machine varies.
        const cpu0 = process.cpuUsage();
        const s = await computeNeighborsFile(`${ctx.dir}/ratings_train.csv`, out, {
          mode,
          k: 50,
          minCommon: 5,
          similarity,
          shrink,
          maxRaters: 0,
          workers,
          progress: false,
        });
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const { load, build, compute, write } = s.seconds;
        return {
          seconds,
          work: s.pairsEvaluated,
          unit: "pairs",
          extra: {
            workers,
            cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
            entities: s.entities,
            updates: s.updates,
            updatesPerSec: Math.round(s.updates / compute),
            coRatedPairs: s.coRatedPairs,
            pairsEvaluated: s.pairsEvaluated,
            pairsKept: s.pairsKept,
            phases: `load ${load.toFixed(2)}s build ${build.toFixed(2)}s ` +
              `compute ${compute.toFixed(2)}s write ${write.toFixed(2)}s`,
          },
        };
      } finally {
        await Deno.remove(out).catch(() => {});
      }
    },
  };
}

/** Every benchmark, in run order. Later issues append their entries here. */
export const BENCHMARKS: readonly BenchEntry[] = [
  parseEntry,
  parseDatEntry,
  splitEntry,
  synthEntry,
  neighborsEntry("item", "cosine", "< 60 s"),
  neighborsEntry("user", "cosine", "< 10 min"),
  neighborsEntry("item", "pearson", "< 60 s"),
  neighborsEntry("user", "pearson", "< 10 min"),
  importSqliteEntry,
  importMysqlEntry,
  evalUserEntry,
  evalItemEntry,
  predictTop100Entry,
  ...MODEL_BENCHMARKS,
  webDashboardEntry,
];

/** Prepares (or reuses) the synthetic data for a scale. */
export async function benchContext(scale: number, root = ".cache/bench"): Promise<BenchContext> {
  const dir = `${root}/scale-${scale}`;
  await Deno.mkdir(dir, { recursive: true });
  const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
  if (!(await exists(`${dir}/links.csv`)) || !(await exists(`${dir}/ratings.csv`))) {
    console.error(`bench: generating synthetic data at scale ${scale} into ${dir}`);
    await synthesize(dir, { scale, seed: 1, progress: true });
  }
  if (!(await exists(`${dir}/ratings_test.csv`))) {
    await splitRatings(`${dir}/ratings.csv`, dir, {
      testRatio: 0.2,
      seed: 42,
      skipInvalid: false,
      progress: true,
    });
  }
  return {
    scale,
    dir,
    async ensure(name, make) {
      const path = `${dir}/${name}`;
      if (!(await exists(path))) await make(path);
      return path;
    },
  };
}

interface BenchRow extends BenchMeasure {
  name: string;
  scale: number;
  peakRssMiB: number;
  date: string;
}

/** Child-process side: runs one entry and prints its row as JSON on the last line. */
async function runEntryHere(name: string, scale: number): Promise<void> {
  const entry = BENCHMARKS.find((e) => e.name === name);
  if (!entry) throw new Error(`unknown benchmark '${name}'`);
  const ctx = await benchContext(scale);
  const m = await entry.run(ctx);
  console.log(JSON.stringify(m));
}

const GNU_TIME = "/usr/bin/time";

async function runEntryChild(name: string, scale: number): Promise<BenchRow> {
  const hasTime = await Deno.stat(GNU_TIME).then(() => true, () => false);
  const rssFile = await Deno.makeTempFile({ prefix: "bench-rss-" });
  const denoArgs = [
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-run",
    "--allow-sys",
    "--allow-net=127.0.0.1",
    import.meta.url.replace("file://", ""),
    name,
    String(scale),
  ];
  const cmd = hasTime
    ? new Deno.Command(GNU_TIME, {
      args: ["-o", rssFile, "-f", "%M", Deno.execPath(), ...denoArgs],
      stdout: "piped",
      stderr: "inherit",
    })
    : new Deno.Command(Deno.execPath(), { args: denoArgs, stdout: "piped", stderr: "inherit" });
  const out = await cmd.output();
  const text = new TextDecoder().decode(out.stdout).trim();
  const rssKiB = hasTime
    ? Number((await Deno.readTextFile(rssFile)).trim().split("\n").at(-1))
    : NaN;
  await Deno.remove(rssFile);
  if (!out.success) throw new Error(`benchmark ${name} failed (exit ${out.code})\n${text}`);
  if (!hasTime) {
    console.error(`bench: ${GNU_TIME} not found; peak RSS not measured (apt-get install time)`);
  }
  const m: BenchMeasure = JSON.parse(text.split("\n").at(-1)!);
  return {
    name,
    scale,
    ...m,
    peakRssMiB: Math.round(rssKiB / 1024),
    date: new Date().toISOString(),
  };
}

function printTable(rows: BenchRow[]): void {
  const header = ["name", "scale", "seconds", "throughput", "peak RSS MiB"];
  const body = rows.map((r) => [
    r.name,
    String(r.scale),
    r.seconds.toFixed(2),
    `${formatRate(r.work / r.seconds)} ${r.unit}/s`,
    String(r.peakRssMiB),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(fmt(b));
  for (const r of rows) if (r.extra) console.log(`  ${r.name}: ${JSON.stringify(r.extra)}`);
}

function formatRate(x: number): string {
  if (x >= 1e6) return (x / 1e6).toFixed(2) + "M";
  if (x >= 1e3) return (x / 1e3).toFixed(1) + "k";
  return x.toFixed(1);
}

export const benchCommand = defineCommand({
  name: "bench",
  summary: "run benchmarks on synthetic data; prints a table, writes bench/results.json",
  flags: {
    scale: {
      type: "number",
      default: 0.1,
      above: 0,
      max: 4,
      doc: "synthetic data size (1 = ML-32M)",
    },
    only: { type: "string", arg: "<name,...>", doc: "run only these benchmarks (comma-separated)" },
    list: { type: "boolean", doc: "list the benchmarks and exit" },
  },
  details: "Benchmarks: " + BENCHMARKS.map((b) => b.name).join(", "),
  async run(f) {
    if (f.list) {
      const width = Math.max(...BENCHMARKS.map((b) => b.name.length));
      for (const b of BENCHMARKS) console.log(`${b.name.padEnd(width)}  ${b.description}`);
      return;
    }
    const names = f.only ? f.only.split(",").map((s) => s.trim()) : BENCHMARKS.map((b) => b.name);
    for (const n of names) {
      if (!BENCHMARKS.some((b) => b.name === n)) {
        throw new Error(`bench: unknown benchmark '${n}' (see --list)`);
      }
    }
    await benchContext(f.scale);
    const rows: BenchRow[] = [];
    for (const n of names) {
      console.error(`bench: ${n} at scale ${f.scale} ...`);
      rows.push(await runEntryChild(n, f.scale));
    }
    printTable(rows);
    await Deno.mkdir("bench", { recursive: true });
    let previous: BenchRow[] = [];
    try {
      previous = JSON.parse(await Deno.readTextFile("bench/results.json"));
    } catch { /* first run */ }
    const kept = previous.filter((p) =>
      !rows.some((r) => r.name === p.name && r.scale === p.scale)
    );
    const all = [...kept, ...rows].sort((a, b) =>
      a.name.localeCompare(b.name) || a.scale - b.scale
    );
    await writeFileAtomic("bench/results.json", JSON.stringify(all, null, 2) + "\n");
    console.log("wrote bench/results.json");
  },
});

if (import.meta.main) await runEntryHere(Deno.args[0], Number(Deno.args[1]));
