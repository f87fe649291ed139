/**
 * `bench`: named benchmarks on synthetic MovieLens-shaped data.
 *
 * Data for a scale is generated once into `.cache/bench/scale-<S>/`
 * (bench/context.ts). Each entry runs in its own child process (this module
 * run as a script) under GNU `time`, so its peak RSS (max resident set,
 * Workers included) is its own; Deno cannot read `/proc/self` without
 * `--allow-all`. The table is printed and `bench/results.json` is updated
 * (entries of other names or scales are kept).
 *
 * Timings are measurements for notes and the README, never assertions.
 */
import { defineCommand } from "../lib/command.ts";
import { writeFileAtomic } from "../lib/atomic_file.ts";
import { benchContext, type BenchEntry, type BenchMeasure, DEFAULT_BENCH_ROOT } from "./context.ts";
import { parseDatEntry, parseEntry, splitEntry, synthEntry } from "./data_bench.ts";
import { neighborsEntry } from "./neighbors_bench.ts";
import { importMysqlEntry, importSqliteEntry } from "./import_bench.ts";
import { evalItemEntry, evalUserEntry, predictTop100Entry } from "./eval_bench.ts";
import { MODEL_BENCHMARKS } from "./model_bench.ts";
import { webDashboardEntry } from "./web_bench.ts";
import { peerEaseEntry } from "./peer_bench.ts";
import { pipelineEntry } from "./pipeline_bench.ts";
import { searchEntry } from "./search_bench.ts";
import { webFoldInEntry, webFoldInShapeEntry } from "./fold_in_bench.ts";

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
  peerEaseEntry,
  webDashboardEntry,
  webFoldInEntry,
  webFoldInShapeEntry,
  searchEntry,
  pipelineEntry,
];

/** One row of `bench/results.json`. */
export interface BenchRow extends BenchMeasure {
  name: string;
  scale: number;
  peakRssMiB: number;
  date: string;
}

/** Child-process side: runs one entry and prints its row as JSON on the last line. */
async function runEntryHere(name: string, scale: number, root: string): Promise<void> {
  const entry = BENCHMARKS.find((e) => e.name === name);
  if (!entry) throw new Error(`unknown benchmark '${name}'`);
  const ctx = await benchContext(scale, root);
  const m = await entry.run(ctx);
  console.log(JSON.stringify(m));
}

const GNU_TIME = "/usr/bin/time";

/** What an entry's child process may do: the `bench` task's permissions, the web entry's loopback. */
const CHILD_PERMISSIONS = "--allow-read --allow-write --allow-env --allow-run --allow-sys " +
  "--allow-net=127.0.0.1";

async function runEntryChild(name: string, scale: number, root: string): Promise<BenchRow> {
  const hasTime = await Deno.stat(GNU_TIME).then(() => true, () => false);
  const rssFile = await Deno.makeTempFile({ prefix: "bench-rss-" });
  const script = import.meta.url.replace("file://", "");
  const denoArgs = ["run", ...CHILD_PERMISSIONS.split(" "), script, name, String(scale), root];
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

/** Where `bench` keeps every row it measured. */
export const RESULTS_FILE = "bench/results.json";

export interface RunBenchmarksOptions {
  scale: number;
  /** Entry names, run in this order. */
  names: readonly string[];
  /** Where the data of each scale is cached. @default ".cache/bench" */
  root?: string;
  /** The rows file to update. @default "bench/results.json" */
  results?: string;
}

/**
 * Runs each named entry in its own child process and merges the rows into
 * the results file (rows of other names or scales are kept; sorted by name,
 * then scale). Returns the new rows in run order.
 */
export async function runBenchmarks(options: RunBenchmarksOptions): Promise<BenchRow[]> {
  const { scale, names, root = DEFAULT_BENCH_ROOT, results = RESULTS_FILE } = options;
  for (const n of names) {
    if (!BENCHMARKS.some((b) => b.name === n)) {
      throw new Error(`bench: unknown benchmark '${n}' (see --list)`);
    }
  }
  await benchContext(scale, root);
  const rows: BenchRow[] = [];
  for (const n of names) {
    console.error(`bench: ${n} at scale ${scale} ...`);
    rows.push(await runEntryChild(n, scale, root));
  }
  const dir = results.lastIndexOf("/");
  if (dir > 0) await Deno.mkdir(results.slice(0, dir), { recursive: true });
  let previous: BenchRow[] = [];
  try {
    previous = JSON.parse(await Deno.readTextFile(results));
  } catch { /* first run */ }
  const kept = previous.filter((p) => !rows.some((r) => r.name === p.name && r.scale === p.scale));
  const all = [...kept, ...rows].sort((a, b) => a.name.localeCompare(b.name) || a.scale - b.scale);
  await writeFileAtomic(results, JSON.stringify(all, null, 2) + "\n");
  return rows;
}

/** The `bench` command's flags. */
const BENCH_FLAGS = {
  scale: {
    type: "number",
    default: 0.1,
    above: 0,
    max: 4,
    doc: "synthetic data size (1 = ML-32M)",
  },
  only: { type: "string", arg: "<name,...>", doc: "run only these benchmarks (comma-separated)" },
  list: { type: "boolean", doc: "list the benchmarks and exit" },
} as const;

export const benchCommand = defineCommand({
  name: "bench",
  summary: "run benchmarks on synthetic data; prints a table, writes bench/results.json",
  flags: BENCH_FLAGS,
  details: "Benchmarks: " + BENCHMARKS.map((b) => b.name).join(", "),
  async run(f) {
    if (f.list) {
      const width = Math.max(...BENCHMARKS.map((b) => b.name.length));
      for (const b of BENCHMARKS) console.log(`${b.name.padEnd(width)}  ${b.description}`);
      return;
    }
    const names = f.only ? f.only.split(",").map((s) => s.trim()) : BENCHMARKS.map((b) => b.name);
    const rows = await runBenchmarks({ scale: f.scale, names });
    printTable(rows);
    console.log(`wrote ${RESULTS_FILE}`);
  },
});

if (import.meta.main) await runEntryHere(Deno.args[0], Number(Deno.args[1]), Deno.args[2]);
