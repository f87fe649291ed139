/**
 * The local Hadoop Streaming runner ({@link runLocalMr}, behind `recsys mr`
 * and `pipeline --engine mr`): runs MR1–MR4 (mr/jobs.ts) on one
 * machine with Hadoop's contract, using real task processes, so a job that
 * only works with one reducer or one map split fails here too.
 *
 * Tasks come from the source tree (`deno run mr/task.ts <task>`) unless
 * `artifact` names a built artifact (mr/build.ts). Then each job is the
 * `hadoop-streaming` argument list of its EMR step (mr/streaming.ts, with
 * local paths for the URIs), read back as Hadoop reads it, and every task
 * starts as on a cluster node: the `-files` are copied once into a file
 * cache (mode 0555) and linked by name into the task's own working
 * directory; the program of the `-mapper`/`-combiner`/`-reducer` command line
 * is found in that directory, then on PATH (Hadoop's PipeMapRed); the
 * environment is cleared except PATH (this Deno's directory, standing in for
 * the bootstrap action, then /usr/local/bin:/usr/bin:/bin), a HOME that does
 * not exist (YARN sets `/home/`), and the `-cmdenv` variables. Nothing of
 * the source tree is reachable: the task runs from its directory, and the
 * artifact runs without permissions.
 *
 * Per job:
 * 1. the input files are cut into `maps` splits at line boundaries (like
 *    FileInputFormat), and one mapper process runs per split;
 * 2. map output is hash-partitioned by key exactly as Hadoop's
 *    HashPartitioner does for streaming's Text keys
 *    (`(hashBytes(key) & MAX_INT) % reducers`, hashBytes = Java's
 *    `31·h + byte` over the key bytes up to the first TAB);
 * 3. each map partition is sorted bytewise by key, then run through the
 *    combiner if the job has one;
 * 4. reducer p gets the bytewise merge of partition p of every map task on
 *    stdin and writes `part-r-0000p`; a map-only job's mappers write
 *    `part-m-0000i` directly.
 * The part files of one job are the next job's input. The last job's parts
 * (each sorted by zero-padded row id) are merged numerically into the
 * neighbor file, written atomically.
 *
 * Sorting uses the system `sort` with `LC_ALL=C -t TAB -k1,1 -s` (a bytewise
 * key order identical to Hadoop's Text comparator, stable): it spills to
 * disk, so intermediate data far larger than memory (the pair explosion)
 * sorts in bounded RAM, and `sort -m` is the reduce-side merge. An in-memory
 * JS sort would hold every line as a string. The partitioner is the one hot
 * loop in this process and works on bytes in 1 MiB buffers.
 */
import { withAtomicFile } from "../lib/atomic_file.ts";
import { writeNeighborMeta } from "../lib/neighbor_meta.ts";
import type { NeighborsOptions } from "../lib/neighbors/options.ts";
import { planJobs } from "./jobs.ts";
import { hadoopPartition } from "./partitioner.ts";
import {
  parseStreamingArgs,
  streamingArgs,
  StreamingArgsError,
  type StreamingJob,
} from "./streaming.ts";

/**
 * Options of a local MR run: the `neighbors` options (same meaning, same
 * output; `workers` is the number of task processes run at once and
 * `progress` is unused, since the runner prints one line per job) plus the
 * Hadoop shape of the run.
 */
export type MrOptions = NeighborsOptions & {
  /** Reduce tasks (partitions) per job. Changes only speed. @default 4 */
  reducers: number;
  /** Map splits per job. Changes only speed. @default 4 */
  maps?: number;
  /** Directory for intermediate files (kept with `keep`). @default a new temp dir */
  workDir?: string;
  /** Keep intermediate files. @default false */
  keep?: boolean;
  /** Tasks fail on a malformed line instead of counting it. @default false */
  strict?: boolean;
  /**
   * Run the tasks from this built artifact (`dist/recsys-mr.js` or
   * `dist/recsys-mr`) as Hadoop Streaming starts them. Changes how tasks
   * start, never output. @default none: the source tree
   */
  artifact?: string;
  /** Without `artifact`: the task executable and leading args. @default `deno run mr/task.ts` */
  executable?: string[];
  /** Called as each job finishes. */
  onJob?: (stats: JobStats) => void;
};

/** Volumes and time of one job. */
export interface JobStats {
  name: string;
  title: string;
  mapTasks: number;
  reduceTasks: number;
  inputBytes: number;
  mapOutputRecords: number;
  mapOutputBytes: number;
  /** Combiner output (equals map output when the job has no combiner). */
  combineOutputRecords: number;
  combineOutputBytes: number;
  /** Reducer output, or mapper output for a map-only job. */
  outputRecords: number;
  outputBytes: number;
  seconds: number;
  /** Hadoop counters the tasks reported (`recsys` group). */
  counters: Record<string, number>;
  /** Lines the mappers read (Hadoop's "Map input records"). */
  mapInputRecords: number;
  /** Whether the job has a combiner. */
  combiner: boolean;
}

export interface MrStats {
  jobs: JobStats[];
  /** Lines and bytes of the neighbor file. */
  lines: number;
  bytes: number;
  seconds: number;
  /** Where intermediate files are, when kept. */
  workDir?: string;
}

/** A task process that exited non-zero. */
export class MrTaskError extends Error {
  /** e.g. `mr2 reduce 1`. */
  readonly task: string;
  readonly code: number;
  /** The last lines the task wrote on stderr. */
  readonly stderr: string;
  constructor(task: string, code: number, stderr: string) {
    super(`task ${task} failed (exit ${code})${stderr ? `:\n${stderr}` : ""}`);
    this.name = "MrTaskError";
    this.task = task;
    this.code = code;
    this.stderr = stderr;
  }
}

const NL = 10, TAB = 9;
const SORT_ENV = { LC_ALL: "C" };

/** How one task process starts. */
interface Launch {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  clearEnv?: boolean;
}

/** One job as the runner executes it. */
interface RunnableJob {
  name: string;
  title: string;
  mapper: string[];
  combiner?: string[];
  reducer?: string[];
  /** 0 for a map-only job. */
  reducers: number;
  /** Input files, or directories whose part files are read. */
  input: string[];
  /** The process for command line `argv` of task `taskId` (`m-00000`, `r-00001`). */
  launch(taskId: string, argv: string[]): Promise<Launch>;
}

/** The jobs with tasks from the source tree (or `options.executable`). */
function sourceJobs(trainPath: string, options: MrOptions, workDir: string): RunnableJob[] {
  const exe = options.executable ??
    [Deno.execPath(), "run", "--quiet", new URL("./task.ts", import.meta.url).pathname];
  let input = trainPath;
  return planJobs(options, options.strict).map((job) => {
    const runnable: RunnableJob = {
      ...job,
      reducers: job.reducer ? options.reducers : 0,
      input: [input],
      launch: (_, argv) => Promise.resolve({ argv: [...exe, ...argv] }),
    };
    input = `${workDir}/${job.name}/out`;
    return runnable;
  });
}

/**
 * The jobs as Hadoop Streaming runs `artifact`: each job's step arguments
 * (with local paths), parsed back, each task in its own directory.
 */
async function artifactJobs(
  trainPath: string,
  artifact: string,
  options: MrOptions,
  runDir: string,
): Promise<RunnableJob[]> {
  // Absolute, so that the links in task directories resolve.
  const workDir = await Deno.realPath(runDir);
  const cache = `${workDir}/filecache`;
  await Deno.mkdir(cache, { recursive: true });
  const localized = new Set<string>();
  const taskPath = [
    Deno.execPath().slice(0, Deno.execPath().lastIndexOf("/")),
    "/usr/local/bin",
    "/usr/bin",
    "/bin",
  ];
  let input = await Deno.realPath(trainPath);
  const absArtifact = await Deno.realPath(artifact);
  const jobs: RunnableJob[] = [];
  for (const job of planJobs(options, options.strict)) {
    const dir = `${workDir}/${job.name}`;
    const streaming: StreamingJob = parseStreamingArgs(streamingArgs(job, {
      artifact: absArtifact,
      input,
      output: `${dir}/out`,
      reducers: options.reducers,
      jobName: `recsys ${job.name} (${options.mode}): ${job.title}`,
    }));
    for (const f of streaming.files) {
      if (localized.has(f.name)) continue;
      await Deno.copyFile(f.uri.replace(/^file:\/\//, ""), `${cache}/${f.name}`);
      await Deno.chmod(`${cache}/${f.name}`, 0o555);
      localized.add(f.name);
    }
    if (streaming.numReduceTasks > 0 && !streaming.reducer) {
      // Hadoop would run its identity reducer; no job here has one.
      throw new StreamingArgsError("-reducer", `missing in ${job.name} with reduce tasks`);
    }
    const env = { PATH: taskPath.join(":"), HOME: `${workDir}/no-home`, ...streaming.env };
    jobs.push({
      name: job.name,
      title: job.title,
      mapper: streaming.mapper,
      combiner: streaming.combiner,
      reducer: streaming.numReduceTasks > 0 ? streaming.reducer : undefined,
      reducers: streaming.numReduceTasks,
      input: streaming.input,
      async launch(taskId, argv) {
        const cwd = `${dir}/task-${taskId}`;
        try {
          await Deno.mkdir(cwd);
          for (const f of streaming.files) {
            await Deno.symlink(`${cache}/${f.name}`, `${cwd}/${f.name}`);
          }
        } catch (err) {
          // The combiner runs in its map task's directory.
          if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
        }
        return {
          argv: [await findProgram(argv[0], cwd, taskPath), ...argv.slice(1)],
          cwd,
          env,
          clearEnv: true,
        };
      },
    });
    input = `${dir}/out`;
  }
  return jobs;
}

/** Hadoop's lookup of a command's program: absolute as is, else the task directory, then PATH. */
async function findProgram(program: string, cwd: string, path: string[]): Promise<string> {
  if (program.startsWith("/")) return program;
  for (const dir of [cwd, ...path]) {
    try {
      if ((await Deno.stat(`${dir}/${program}`)).isFile) return `${dir}/${program}`;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return program;
}

/** The files of a job's input: files as given, directories' part files in name order. */
async function inputFiles(input: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of input) {
    if (!(await Deno.stat(path)).isDirectory) {
      files.push(path);
      continue;
    }
    const names: string[] = [];
    for await (const e of Deno.readDir(path)) {
      // FileInputFormat skips hidden files (`_SUCCESS`, `.crc`).
      if (e.isFile && !e.name.startsWith("_") && !e.name.startsWith(".")) names.push(e.name);
    }
    files.push(...names.sort().map((n) => `${path}/${n}`));
  }
  return files;
}

/** Runs MR1–MR4 locally on `trainPath` and writes the neighbor file `outPath`. */
export async function runLocalMr(
  trainPath: string,
  outPath: string,
  options: MrOptions,
): Promise<MrStats> {
  const t0 = performance.now();
  const ownDir = options.workDir === undefined;
  const workDir = options.workDir ?? await Deno.makeTempDir({ prefix: "recsys-mr-" });
  await Deno.mkdir(workDir, { recursive: true });
  const ctx: RunContext = {
    workDir,
    maps: options.maps ?? 4,
    workers: Math.max(1, options.workers),
    sortMemory: sortMemory(options.workers),
  };
  const jobs: JobStats[] = [];
  try {
    const runnable = options.artifact
      ? await artifactJobs(trainPath, options.artifact, options, workDir)
      : sourceJobs(trainPath, options, workDir);
    let parts: string[] = [];
    let previous: string | null = null;
    for (const job of runnable) {
      const { stats, outputs } = await runJob(ctx, job);
      jobs.push(stats);
      options.onJob?.(stats);
      // A job's output is only needed by the next job.
      if (previous !== null && !options.keep) await Deno.remove(previous, { recursive: true });
      previous = `${workDir}/${job.name}`;
      parts = outputs;
    }
    const { lines, bytes } = await mergeByRowId(parts, outPath);
    await writeNeighborMeta(outPath, trainPath, options, {
      runner: "local",
      jobs: Object.fromEntries(jobs.map((j) => [j.name, localCounters(j)])),
    });
    return {
      jobs,
      lines,
      bytes,
      seconds: (performance.now() - t0) / 1000,
      workDir: options.keep ? workDir : undefined,
    };
  } finally {
    if (!options.keep) {
      const dirs = ownDir
        ? [workDir]
        : ["mr1", "mr2", "mr3", "mr4", "filecache"].map((j) => `${workDir}/${j}`);
      for (const d of dirs) await Deno.remove(d, { recursive: true }).catch(() => {});
    }
  }
}

/**
 * The job's figures under Hadoop's counter names, for those this runner
 * measures the way Hadoop counts them (not "Reduce input groups", "Spilled
 * Records" or "Map output bytes", which Hadoop counts in its serialized form).
 * A combiner here runs once per map task, as a Hadoop combiner does at most
 * each spill: its input is the map output.
 */
export function localCounters(s: JobStats): Record<string, number> {
  const c: Record<string, number> = {
    "Launched map tasks": s.mapTasks,
    "Launched reduce tasks": s.reduceTasks,
    "Map input records": s.mapInputRecords,
    "Map output records": s.mapOutputRecords,
  };
  c["Combine input records"] = s.combiner ? s.mapOutputRecords : 0;
  c["Combine output records"] = s.combiner ? s.combineOutputRecords : 0;
  if (s.reduceTasks > 0) {
    c["Reduce input records"] = s.combineOutputRecords;
    c["Reduce output records"] = s.outputRecords;
  }
  c["Bytes Written"] = s.outputBytes;
  for (const [k, v] of Object.entries(s.counters)) c[`recsys.${k}`] = v;
  return c;
}

interface RunContext {
  workDir: string;
  maps: number;
  workers: number;
  /** `sort -S` value. */
  sortMemory: string;
}

/** A quarter of RAM split among concurrent sorts, 64 MiB..1 GiB each. */
function sortMemory(workers: number): string {
  const total = Deno.systemMemoryInfo().total;
  const mib = Math.floor(total / 4 / Math.max(1, workers) / (1 << 20));
  return `${Math.min(1024, Math.max(64, mib))}M`;
}

interface Range {
  path: string;
  start: number;
  end: number;
}

/** One map task's input: byte ranges of one or more files (small files are combined). */
interface Split {
  ranges: Range[];
  bytes: number;
}

/**
 * Cuts the concatenation of `files` into at most `n` splits of about equal
 * size, each range ending at a line boundary (like CombineFileInputFormat).
 */
async function makeSplits(files: string[], n: number): Promise<Split[]> {
  const sizes = await Promise.all(files.map(async (f) => (await Deno.stat(f)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  const target = Math.max(1, Math.ceil(total / n));
  const splits: Split[] = [];
  let current: Split = { ranges: [], bytes: 0 };
  for (let i = 0; i < files.length; i++) {
    using file = await Deno.open(files[i], { read: true });
    let pos = 0;
    while (pos < sizes[i]) {
      const want = target - current.bytes;
      const end = pos + want >= sizes[i]
        ? sizes[i]
        : await lineEndAfter(file, pos + want, sizes[i]);
      current.ranges.push({ path: files[i], start: pos, end });
      current.bytes += end - pos;
      pos = end;
      if (current.bytes >= target) {
        splits.push(current);
        current = { ranges: [], bytes: 0 };
      }
    }
  }
  if (current.bytes > 0 || splits.length === 0) splits.push(current);
  return splits;
}

/** The offset just past the first newline at or after `pos - 1` (`size` if none). */
async function lineEndAfter(file: Deno.FsFile, pos: number, size: number): Promise<number> {
  const buf = new Uint8Array(64 << 10);
  let at = pos - 1;
  while (at < size) {
    await file.seek(at, Deno.SeekMode.Start);
    const n = await file.read(buf);
    if (n === null) break;
    const nl = buf.subarray(0, n).indexOf(NL);
    if (nl >= 0) return at + nl + 1;
    at += n;
  }
  return size;
}

/** Byte ranges of files, one after another, as one stream. */
function rangesStream(ranges: Range[]): ReadableStream<Uint8Array> {
  let index = 0;
  let file: Deno.FsFile | null = null;
  let pos = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (index === ranges.length) {
          controller.close();
          return;
        }
        const r = ranges[index];
        if (file === null) {
          file = await Deno.open(r.path, { read: true });
          await file.seek(r.start, Deno.SeekMode.Start);
          pos = r.start;
        }
        const want = Math.min(1 << 20, r.end - pos);
        const buf = new Uint8Array(Math.max(1, want));
        const n = want > 0 ? await file.read(buf) : null;
        if (n === null) {
          file.close();
          file = null;
          index++;
          continue;
        }
        pos += n;
        controller.enqueue(buf.subarray(0, n));
        return;
      }
    },
    cancel() {
      file?.close();
    },
  });
}

/** Whole files, one after another, as one stream. */
async function filesStream(paths: string[]): Promise<ReadableStream<Uint8Array>> {
  const ranges = await Promise.all(
    paths.map(async (path) => ({ path, start: 0, end: (await Deno.stat(path)).size })),
  );
  return rangesStream(ranges);
}

/** Writes chunks to a file, counting records (newlines) and bytes. */
class CountingFile {
  records = 0;
  bytes = 0;
  #file: Deno.FsFile;
  constructor(file: Deno.FsFile) {
    this.#file = file;
  }
  static async create(path: string): Promise<CountingFile> {
    return new CountingFile(await Deno.open(path, { write: true, create: true, truncate: true }));
  }
  async write(chunk: Uint8Array): Promise<void> {
    for (let p = chunk.indexOf(NL); p >= 0; p = chunk.indexOf(NL, p + 1)) this.records++;
    this.bytes += chunk.length;
    let off = 0;
    while (off < chunk.length) off += await this.#file.write(chunk.subarray(off));
  }
  close(): void {
    this.#file.close();
  }
}

/**
 * Spawns `launch` with `input` on stdin, hands stdout chunks to `onOutput`,
 * adds `reporter:counter:recsys,NAME,N` lines from stderr to `counters`, and
 * throws {@link MrTaskError} (with the other stderr lines) on a non-zero exit.
 */
async function runProcess(
  label: string,
  launch: Launch,
  input: ReadableStream<Uint8Array> | null,
  onOutput: ((chunk: Uint8Array) => Promise<void>) | null,
  counters: Record<string, number>,
): Promise<void> {
  const child = new Deno.Command(launch.argv[0], {
    args: launch.argv.slice(1),
    cwd: launch.cwd,
    env: launch.env,
    clearEnv: launch.clearEnv,
    stdin: input ? "piped" : "null",
    stdout: onOutput ? "piped" : "null",
    stderr: "piped",
  }).spawn();
  const feeding = input
    ? input.pipeTo(child.stdin).catch(() => {/* the exit status tells why */})
    : Promise.resolve();
  const reading = onOutput
    ? (async () => {
      for await (const chunk of child.stdout) await onOutput(chunk);
    })()
    : Promise.resolve();
  const errText = new Response(child.stderr).text();
  const [status, , , text] = await Promise.all([child.status, feeding, reading, errText]);
  const other: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^reporter:counter:recsys,([^,]+),(\d+)$/.exec(line);
    if (m) counters[m[1]] = (counters[m[1]] ?? 0) + Number(m[2]);
    else if (line.startsWith("reporter:")) continue;
    else if (line !== "") other.push(line);
  }
  if (!status.success) throw new MrTaskError(label, status.code, other.slice(-20).join("\n"));
  for (const line of other.slice(0, 5)) console.error(`  [${label}] ${line}`);
}

/**
 * Runs `tasks` with at most `limit` at once. After a failure no new task
 * starts; running ones finish (no orphaned processes), then the first
 * failure is thrown.
 */
async function runAll(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const lane = async () => {
    while (next < tasks.length && failures.length === 0) {
      try {
        await tasks[next++]();
      } catch (err) {
        failures.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  if (failures.length > 0) throw failures[0];
}

/**
 * Splits map output lines into per-reducer files by {@link hadoopPartition}
 * of the key, through 1 MiB buffers (a line spanning chunks is carried).
 */
class Partitioner {
  records = 0;
  bytes = 0;
  #files: Deno.FsFile[];
  #bufs: Uint8Array[];
  #used: Int32Array;
  #carry = new Uint8Array(0);

  constructor(files: Deno.FsFile[]) {
    this.#files = files;
    this.#bufs = files.map(() => new Uint8Array(1 << 20));
    this.#used = new Int32Array(files.length);
  }

  async push(chunk: Uint8Array): Promise<void> {
    this.bytes += chunk.length;
    let data = chunk;
    if (this.#carry.length > 0) {
      data = new Uint8Array(this.#carry.length + chunk.length);
      data.set(this.#carry);
      data.set(chunk, this.#carry.length);
    }
    const last = data.lastIndexOf(NL);
    this.#carry = data.slice(last + 1);
    if (last >= 0) await this.#lines(data, last + 1);
  }

  async #lines(data: Uint8Array, to: number): Promise<void> {
    const r = this.#files.length;
    let p = 0;
    while (p < to) {
      const nl = data.indexOf(NL, p);
      let keyEnd = data.indexOf(TAB, p);
      if (keyEnd < 0 || keyEnd > nl) keyEnd = nl;
      const part = r === 1 ? 0 : hadoopPartition(data, p, keyEnd, r);
      const len = nl + 1 - p;
      if (this.#used[part] + len > this.#bufs[part].length) {
        await this.#flush(part);
        if (len > this.#bufs[part].length) this.#bufs[part] = new Uint8Array(len);
      }
      this.#bufs[part].set(data.subarray(p, nl + 1), this.#used[part]);
      this.#used[part] += len;
      this.records++;
      p = nl + 1;
    }
  }

  async #flush(part: number): Promise<void> {
    const data = this.#bufs[part].subarray(0, this.#used[part]);
    let off = 0;
    while (off < data.length) off += await this.#files[part].write(data.subarray(off));
    this.#used[part] = 0;
  }

  /** Writes out everything (a final line without newline gets one) and closes the files. */
  async finish(): Promise<void> {
    if (this.#carry.length > 0) {
      const line = new Uint8Array(this.#carry.length + 1);
      line.set(this.#carry);
      line[line.length - 1] = NL;
      this.#carry = new Uint8Array(0);
      this.bytes++;
      await this.#lines(line, line.length);
    }
    for (let part = 0; part < this.#files.length; part++) {
      await this.#flush(part);
      this.#files[part].close();
    }
  }
}

function sortArgs(ctx: RunContext, extra: string[]): string[] {
  return [
    "sort",
    "-t",
    "\t",
    "-k1,1",
    "-s",
    "-S",
    ctx.sortMemory,
    "-T",
    ctx.workDir,
    ...extra,
  ];
}

const part = (kind: "m" | "r", i: number) => `part-${kind}-${String(i).padStart(5, "0")}`;

/** Runs one job; returns its stats and output part files. */
async function runJob(
  ctx: RunContext,
  job: RunnableJob,
): Promise<{ stats: JobStats; outputs: string[] }> {
  const t0 = performance.now();
  const splits = await makeSplits(await inputFiles(job.input), ctx.maps);
  const dir = `${ctx.workDir}/${job.name}`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${dir}/out`, { recursive: true });
  const reducers = job.reducers;
  const counters: Record<string, number> = {};
  const stats: JobStats = {
    name: job.name,
    title: job.title,
    mapTasks: splits.length,
    reduceTasks: reducers,
    inputBytes: splits.reduce((a, s) => a + s.bytes, 0),
    mapOutputRecords: 0,
    mapOutputBytes: 0,
    combineOutputRecords: 0,
    combineOutputBytes: 0,
    outputRecords: 0,
    outputBytes: 0,
    seconds: 0,
    counters,
    mapInputRecords: 0,
    combiner: job.combiner !== undefined,
  };
  const outputs: string[] = [];

  const openParts = (base: string) =>
    Promise.all(
      Array.from(
        { length: reducers },
        (_, p) => Deno.open(`${base}${p}`, { write: true, create: true, truncate: true }),
      ),
    );
  const mapTasks = splits.map((split, i) => async () => {
    const taskId = part("m", i).slice(5);
    const mapper = await job.launch(taskId, job.mapper);
    const label = `${job.name} map ${i}`;
    const input = rangesStream(split.ranges).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          for (let p = chunk.indexOf(NL); p >= 0; p = chunk.indexOf(NL, p + 1)) {
            stats.mapInputRecords++;
          }
          controller.enqueue(chunk);
        },
      }),
    );
    if (reducers === 0) {
      const out = await CountingFile.create(`${dir}/out/${part("m", i)}`);
      try {
        await runProcess(label, mapper, input, (c) => out.write(c), counters);
      } finally {
        out.close();
      }
      stats.mapOutputRecords += out.records;
      stats.mapOutputBytes += out.bytes;
      return;
    }
    const mapDir = `${dir}/map-${i}`;
    await Deno.mkdir(mapDir);
    const partitioner = new Partitioner(await openParts(`${mapDir}/raw-`));
    await runProcess(label, mapper, input, (c) => partitioner.push(c), counters);
    await partitioner.finish();
    stats.mapOutputRecords += partitioner.records;
    stats.mapOutputBytes += partitioner.bytes;
    const sorted = (p: number) => `${mapDir}/${job.combiner ? "sorted-" : ""}${p}`;
    for (let p = 0; p < reducers; p++) {
      await runProcess(
        `${label} sort ${p}`,
        { argv: sortArgs(ctx, ["-o", sorted(p), `${mapDir}/raw-${p}`]), env: SORT_ENV },
        null,
        null,
        {},
      );
      await Deno.remove(`${mapDir}/raw-${p}`);
    }
    if (job.combiner) {
      // One combiner process per map task sees its sorted partitions one
      // after another (keys never repeat across partitions) and keeps key
      // order, so re-partitioning its output leaves each partition sorted.
      const sortedParts = Array.from({ length: reducers }, (_, p) => sorted(p));
      const combined = new Partitioner(await openParts(`${mapDir}/`));
      await runProcess(
        `${label} combine`,
        await job.launch(taskId, job.combiner),
        await filesStream(sortedParts),
        (c) => combined.push(c),
        counters,
      );
      await combined.finish();
      for (const f of sortedParts) await Deno.remove(f);
      stats.combineOutputRecords += combined.records;
      stats.combineOutputBytes += combined.bytes;
    }
  });
  await runAll(mapTasks, ctx.workers);
  if (!job.combiner) {
    stats.combineOutputRecords = stats.mapOutputRecords;
    stats.combineOutputBytes = stats.mapOutputBytes;
  }

  if (reducers === 0) {
    for (let i = 0; i < splits.length; i++) outputs.push(`${dir}/out/${part("m", i)}`);
    stats.outputRecords = stats.mapOutputRecords;
    stats.outputBytes = stats.mapOutputBytes;
  } else {
    const reducer = job.reducer!;
    const reduceTasks = Array.from({ length: reducers }, (_, p) => async () => {
      const path = `${dir}/out/${part("r", p)}`;
      outputs[p] = path;
      const parts = splits.map((_, i) => `${dir}/map-${i}/${p}`);
      const merge = new Deno.Command("sort", {
        args: sortArgs(ctx, ["-m", ...parts]).slice(1),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: SORT_ENV,
      }).spawn();
      const mergeErr = new Response(merge.stderr).text();
      const out = await CountingFile.create(path);
      let failure: unknown = null;
      try {
        await runProcess(
          `${job.name} reduce ${p}`,
          await job.launch(part("r", p).slice(5), reducer),
          merge.stdout,
          (c) => out.write(c),
          counters,
        );
      } catch (err) {
        failure = err;
      } finally {
        out.close();
      }
      // A failed reducer closed its stdin, so the merge ends too (broken pipe).
      const [status, text] = await Promise.all([merge.status, mergeErr]);
      if (failure !== null) throw failure;
      if (!status.success) throw new MrTaskError(`${job.name} merge ${p}`, status.code, text);
      stats.outputRecords += out.records;
      stats.outputBytes += out.bytes;
    });
    await runAll(reduceTasks, ctx.workers);
  }
  stats.seconds = (performance.now() - t0) / 1000;
  return { stats, outputs };
}

/**
 * Merges the last job's part files (each sorted by row id, since their keys
 * were zero-padded) into one file ordered by numeric row id, atomically.
 */
export async function mergeByRowId(parts: string[], outPath: string) {
  const merge = new Deno.Command("sort", {
    args: ["-m", "-t", "\t", "-k1,1n", ...parts],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: SORT_ENV,
  }).spawn();
  const errText = new Response(merge.stderr).text();
  let lines = 0;
  const bytes = await withAtomicFile(outPath, async (out) => {
    for await (const chunk of merge.stdout) {
      for (let p = chunk.indexOf(NL); p >= 0; p = chunk.indexOf(NL, p + 1)) lines++;
      await out.write(chunk);
    }
    const status = await merge.status;
    if (!status.success) throw new MrTaskError("final merge", status.code, await errText);
    return out.bytes;
  });
  return { lines, bytes };
}
