/**
 * MR1–MR4 on Apache Hadoop itself ({@link runHadoopMr}, behind
 * `recsys mr --runner hadoop|hadoop-yarn` and `pipeline --engine …`):
 *
 * - `hadoop`: `org.apache.hadoop.streaming.HadoopStreaming` in local mode
 *   (`mapreduce.framework.name=local`, the local file system), one JVM per
 *   job, as Hadoop's own TestStreaming runs it. With an installation
 *   (`HADOOP_HOME`, or `hadoop` on PATH) the jobs go to it instead through
 *   `hadoop jar <hadoop-streaming jar>`, the input copied in and the result
 *   out with `hadoop fs`: whatever cluster it is configured for runs them.
 * - `hadoop-yarn`: a one-machine cluster started for the run
 *   (mr/hadoop/src/main/java/recsys/MiniCluster.java: MiniDFSCluster +
 *   MiniMRYarnCluster), tasks in NodeManager containers, the input and the
 *   artifact copied into HDFS and MR4's output out of it.
 *
 * Every job's arguments are those of its EMR step (mr/streaming.ts
 * `streamingArgs`, the function behind `steps.json`), with local or HDFS
 * locations in place of S3 and a few `-D` settings of the runner in front
 * (framework, file system, map split hint). The tasks are the built bundle
 * `recsys-mr.js` (mr/build.ts; built into the work directory unless
 * `artifact` names one), shipped with `-files` and run by this machine's Deno.
 *
 * Java: Hadoop comes from Maven Central through mr/hadoop/setup.sh (run here
 * when needed; quick when done); the JVMs get the `--add-opens` options
 * Hadoop's launch scripts pass on Java 17, and so do the YARN containers.
 * Hadoop's log goes to `<out>.hadoop.log`; its job counters are printed per
 * job and kept in the neighbor file's sidecar (`counters`). A failed job
 * throws {@link HadoopJobError}: one line naming the job, the task attempt
 * and the first line of that task's stderr.
 */
import { writeNeighborMeta } from "../lib/neighbor_meta.ts";
import { buildEmr } from "./build.ts";
import { planJobs } from "./jobs.ts";
import {
  assignedContainers,
  failedAttempt,
  failedTask,
  firstErrorMessage,
  firstTaskErrorLine,
  localTaskFailure,
  parseJobCounters,
  type TaskFailure,
} from "./hadoop_log.ts";
import { mergeByRowId, type MrOptions } from "./local_runner.ts";
import { streamingArgs } from "./streaming.ts";

/** The runners of `recsys mr --runner`. */
export const RUNNERS = ["local", "hadoop", "hadoop-yarn"] as const;
export type Runner = typeof RUNNERS[number];
export type HadoopRunner = Exclude<Runner, "local">;

/**
 * `--add-opens` of Hadoop's launch scripts (hadoop-functions.sh, Java 17+):
 * without them Hadoop's reflection fails with InaccessibleObjectException.
 */
export const JAVA_ADD_OPENS: readonly string[] = [
  "java.io",
  "java.lang",
  "java.lang.reflect",
  "java.math",
  "java.net",
  "java.text",
  "java.util",
  "java.util.concurrent",
  "java.util.zip",
  "sun.security.util",
  "sun.security.x509",
].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`);

/** One finished Hadoop job. */
export interface HadoopJobStats {
  name: string;
  title: string;
  seconds: number;
  /** Hadoop's job counters (mr/hadoop_log.ts {@link parseJobCounters}). */
  counters: Record<string, number>;
}

export interface HadoopMrStats {
  runner: HadoopRunner;
  /** Where the jobs ran: `local mode`, `mini cluster`, or the installation's `hadoop`. */
  target: string;
  jobs: HadoopJobStats[];
  lines: number;
  bytes: number;
  seconds: number;
  /** Hadoop's log. */
  log: string;
  workDir?: string;
}

export type HadoopMrOptions = MrOptions & {
  runner: HadoopRunner;
  /** Hadoop's log. @default `<out>.hadoop.log` */
  log?: string;
  /** Called as each job finishes. */
  onHadoopJob?: (stats: HadoopJobStats) => void;
  /** `hadoop-yarn`: run on this cluster instead of starting one. */
  cluster?: MiniCluster;
};

/** A Hadoop job that failed: the job, the failed task attempt and its first stderr line. */
export class HadoopJobError extends Error {
  readonly job: string;
  readonly attempt: string | null;
  readonly stderrLine: string | null;
  readonly log: string;
  constructor(job: string, failure: TaskFailure, log: string) {
    super(
      `hadoop job ${job} failed: task attempt ${failure.attempt ?? "(none reported)"}: ` +
        `${failure.line ?? "(no task output; see the log)"} (log: ${log})`,
    );
    this.name = "HadoopJobError";
    this.job = job;
    this.attempt = failure.attempt;
    this.stderrLine = failure.line;
    this.log = log;
  }
}

/** Java, Maven or Hadoop's setup is missing or failed. */
export class HadoopSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HadoopSetupError";
  }
}

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const SETUP = `${ROOT}/mr/hadoop/setup.sh`;
const CACHE = `${ROOT}/.cache/hadoop`;

/** The classpath of Hadoop (and the mini-cluster launcher), set up on first use. */
export async function hadoopClasspath(): Promise<string> {
  const out = await new Deno.Command("bash", {
    args: [SETUP],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const err = new TextDecoder().decode(out.stderr);
  if (!out.success) {
    throw new HadoopSetupError(
      (err.trim().split("\n").filter((l) => l.startsWith("hadoop setup:")).pop() ??
        err.trim()) || `${SETUP} failed`,
    );
  }
  if (!text.includes("up to date")) console.error(text.trim());
  const cp = (await Deno.readTextFile(`${CACHE}/classpath.txt`)).trim();
  return `${cp}:${CACHE}/target/recsys-hadoop-1.jar`;
}

function javaPath(): string {
  const home = Deno.env.get("JAVA_HOME");
  return home ? `${home}/bin/java` : "java";
}

/** log4j 1 (reload4j) configuration: everything at INFO on stderr, which the runner files. */
const LOG4J = [
  "log4j.rootLogger=INFO,console",
  "log4j.appender.console=org.apache.log4j.ConsoleAppender",
  "log4j.appender.console.target=System.err",
  "log4j.appender.console.layout=org.apache.log4j.PatternLayout",
  "log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %p %c{2}: %m%n",
  "",
].join("\n");

/** An installation: `hadoop` and its streaming jar. */
export interface HadoopInstallation {
  hadoop: string;
  streamingJar: string;
}

/** The installation named by `HADOOP_HOME` or found as `hadoop` on PATH, or null. */
export async function findHadoopInstallation(
  env: { get(name: string): string | undefined } = Deno.env,
): Promise<HadoopInstallation | null> {
  const homes: string[] = [];
  const home = env.get("HADOOP_HOME");
  let hadoop: string | null = home ? `${home}/bin/hadoop` : null;
  if (home) homes.push(home);
  else {
    for (const dir of (env.get("PATH") ?? "").split(":")) {
      if (dir === "") continue;
      try {
        const real = await Deno.realPath(`${dir}/hadoop`);
        hadoop = `${dir}/hadoop`;
        homes.push(real.replace(/\/bin\/hadoop$/, ""));
        break;
      } catch {
        // not here
      }
    }
  }
  if (hadoop === null) return null;
  const dirs = [
    ...homes.map((h) => `${h}/share/hadoop/tools/lib`),
    "/usr/lib/hadoop-mapreduce", // EMR, Bigtop
  ];
  for (const dir of dirs) {
    try {
      for await (const e of Deno.readDir(dir)) {
        if (/^hadoop-streaming(-[\d.]+)?\.jar$/.test(e.name)) {
          return { hadoop, streamingJar: `${dir}/${e.name}` };
        }
      }
    } catch {
      // no such directory
    }
  }
  throw new HadoopSetupError(
    `found ${hadoop} but no hadoop-streaming jar in ${dirs.join(" or ")}`,
  );
}

/** `java` with Hadoop's options, logging configured, on Hadoop's classpath. */
async function jvmArgs(dir: string): Promise<string[]> {
  await Deno.writeTextFile(`${dir}/log4j.properties`, LOG4J);
  return [
    javaPath(),
    ...JAVA_ADD_OPENS,
    `-Dlog4j.configuration=file:${dir}/log4j.properties`,
    `-Dhadoop.log.dir=${dir}/logs`,
    "-cp",
    await hadoopClasspath(),
  ];
}

function writeAll(log: Deno.FsFile, text: string) {
  const bytes = new TextEncoder().encode(text);
  for (let off = 0; off < bytes.length;) off += log.writeSync(bytes.subarray(off));
}

function spawn(
  argv: string[],
  cwd: string,
  stdin = false,
  env?: Record<string, string>,
): Deno.ChildProcess {
  try {
    return new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd,
      env,
      stdin: stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new HadoopSetupError(`${argv[0]} not found: install Java 17 (or set JAVA_HOME)`);
    }
    throw err;
  }
}

/** A Java (or `hadoop`) process whose stdout and stderr go to the log, read line by line. */
async function runLogged(
  argv: string[],
  cwd: string,
  log: Deno.FsFile,
  onLine: (line: string) => void,
  env?: Record<string, string>,
): Promise<number> {
  const child = spawn(argv, cwd, false, env);
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    let carry = "";
    for await (const chunk of stream) {
      for (let off = 0; off < chunk.length;) off += log.writeSync(chunk.subarray(off));
      const text = carry + decoder.decode(chunk, { stream: true });
      const lines = text.split("\n");
      carry = lines.pop()!;
      for (const l of lines) onLine(l);
    }
    if (carry !== "") onLine(carry);
  };
  const [status] = await Promise.all([child.status, pump(child.stdout), pump(child.stderr)]);
  return status.code;
}

/** Part files of a job's output directory, in name order. */
async function partFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.startsWith("part-")) names.push(e.name);
  return names.sort().map((n) => `${dir}/${n}`);
}

/** Runs MR1–MR4 on Hadoop and writes the neighbor file `outPath` with its sidecar. */
export async function runHadoopMr(
  trainPath: string,
  outPath: string,
  options: HadoopMrOptions,
): Promise<HadoopMrStats> {
  const t0 = performance.now();
  const ownDir = options.workDir === undefined;
  const workDir = await Deno.realPath(
    options.workDir ?? await Deno.makeTempDir({ prefix: "recsys-hadoop-" }),
  ).catch(async () => {
    await Deno.mkdir(options.workDir!, { recursive: true });
    return Deno.realPath(options.workDir!);
  });
  const logPath = options.log ?? `${outPath}.hadoop.log`;
  const log = await Deno.open(logPath, { write: true, create: true, truncate: true });
  try {
    const train = await Deno.realPath(trainPath);
    const artifact = options.artifact
      ? await Deno.realPath(options.artifact)
      : (await buildEmr({ bundle: true, arm64: false, outDir: `${workDir}/dist` })).path;
    const installation = options.runner === "hadoop" ? await findHadoopInstallation() : null;
    const ctx: RunCtx = { options, train, artifact, workDir, log, logPath };
    const run = installation
      ? await runOnInstallation(ctx, installation)
      : options.runner === "hadoop"
      ? await runLocalMode(ctx)
      : await runMiniCluster(ctx);
    const { lines, bytes } = await mergeByRowId(await partFiles(run.mr4), outPath);
    await writeNeighborMeta(outPath, trainPath, options, { bytes, rows: lines }, {
      runner: options.runner,
      jobs: Object.fromEntries(run.jobs.map((j) => [j.name, j.counters])),
    });
    return {
      runner: options.runner,
      target: run.target,
      jobs: run.jobs,
      lines,
      bytes,
      seconds: (performance.now() - t0) / 1000,
      log: logPath,
      workDir: options.keep ? workDir : undefined,
    };
  } finally {
    log.close();
    if (!options.keep) {
      const dirs = ownDir ? [workDir] : [
        ...["mr1", "mr2", "mr3", "mr4", "dist", "cluster", "hadoop", "logs"].map((d) =>
          `${workDir}/${d}`
        ),
      ];
      for (const d of dirs) await Deno.remove(d, { recursive: true }).catch(() => {});
    }
  }
}

interface RunCtx {
  options: HadoopMrOptions;
  train: string;
  artifact: string;
  workDir: string;
  log: Deno.FsFile;
  logPath: string;
}

interface RunResult {
  target: string;
  jobs: HadoopJobStats[];
  /** Local directory holding MR4's part files. */
  mr4: string;
}

/** The job arguments (without the leading `hadoop-streaming`), runner settings first. */
function jobArgs(
  ctx: RunCtx,
  locate: (name: string, i: number) => { input: string; output: string; artifact: string },
  extra: Record<string, string>,
) {
  const { options } = ctx;
  return planJobs(options, options.strict).map((job, i) => {
    const at = locate(job.name, i);
    const step = streamingArgs(job, {
      ...at,
      reducers: options.reducers,
      jobName: `recsys ${job.name} (${options.mode}): ${job.title}`,
    });
    const settings = { ...extra, "mapreduce.job.maps": String(options.maps ?? 4) };
    return {
      job,
      args: [
        ...Object.entries(settings).flatMap(([k, v]) => ["-D", `${k}=${v}`]),
        ...step.slice(1),
      ],
    };
  });
}

function header(ctx: RunCtx, text: string) {
  writeAll(ctx.log, `\n==== recsys: ${text}\n`);
}

/** One JVM per job: `java … HadoopStreaming <args>` with the local job runner. */
async function runLocalMode(ctx: RunCtx): Promise<RunResult> {
  const { workDir } = ctx;
  const cwd = `${workDir}/hadoop`;
  await Deno.mkdir(cwd, { recursive: true });
  const jobs = jobArgs(ctx, (name, i) => ({
    artifact: ctx.artifact,
    input: i === 0 ? `file://${ctx.train}` : `file://${workDir}/mr${i}`,
    output: `file://${workDir}/${name}`,
  }), { "mapreduce.framework.name": "local", "fs.defaultFS": "file:///" });
  const done: HadoopJobStats[] = [];
  for (const { job, args } of jobs) {
    await Deno.remove(`${workDir}/${job.name}`, { recursive: true }).catch(() => {});
    const argv = [
      ...(await jvmArgs(workDir)),
      "org.apache.hadoop.streaming.HadoopStreaming",
      ...args,
    ];
    await header(ctx, `${job.name}: ${argv.join(" ")}`);
    const t = performance.now();
    const lines: string[] = [];
    // LocalDistributedCacheManager links the -files into the JVM's working directory.
    const code = await runLogged(argv, cwd, ctx.log, (l) => lines.push(l));
    const text = lines.join("\n");
    if (code !== 0) throw new HadoopJobError(job.name, localTaskFailure(text), ctx.logPath);
    finished(ctx, done, job, t, text);
  }
  return { target: "local mode", jobs: done, mr4: `${workDir}/mr4` };
}

function finished(
  ctx: RunCtx,
  done: HadoopJobStats[],
  job: { name: string; title: string },
  t: number,
  text: string,
) {
  const stats = {
    name: job.name,
    title: job.title,
    seconds: (performance.now() - t) / 1000,
    counters: parseJobCounters(text),
  };
  done.push(stats);
  ctx.options.onHadoopJob?.(stats);
}

/** `hadoop jar <streaming jar>` per job on an installation, data in and out with `hadoop fs`. */
async function runOnInstallation(ctx: RunCtx, inst: HadoopInstallation): Promise<RunResult> {
  const { workDir, options } = ctx;
  const base = `recsys-mr/${options.mode}-${Date.now()}`;
  // The launch script's console logger at INFO, where the job client prints its counters.
  const env = { HADOOP_ROOT_LOGGER: "INFO,console" };
  const fs = async (...args: string[]) => {
    await header(ctx, `hadoop fs ${args.join(" ")}`);
    const lines: string[] = [];
    const code = await runLogged(
      [inst.hadoop, "fs", ...args],
      workDir,
      ctx.log,
      (l) => lines.push(l),
    );
    if (code !== 0) {
      throw new HadoopSetupError(
        `hadoop fs ${args[0]} failed: ${firstErrorMessage(lines.join("\n")) ?? lines.pop()}`,
      );
    }
  };
  await fs("-mkdir", "-p", `${base}/input`);
  await fs("-put", "-f", ctx.train, `${base}/input/ratings_train.csv`);
  const jobs = jobArgs(ctx, (name, i) => ({
    artifact: ctx.artifact,
    input: i === 0 ? `${base}/input/ratings_train.csv` : `${base}/mr${i}`,
    output: `${base}/${name}`,
  }), {});
  const done: HadoopJobStats[] = [];
  for (const { job, args } of jobs) {
    const argv = [inst.hadoop, "jar", inst.streamingJar, ...args];
    await header(ctx, `${job.name}: ${argv.join(" ")}`);
    const t = performance.now();
    const lines: string[] = [];
    const code = await runLogged(argv, workDir, ctx.log, (l) => lines.push(l), env);
    const text = lines.join("\n");
    if (code !== 0) {
      const attempt = failedAttempt(text);
      const failure = attempt
        ? { attempt, line: /\nError: (.*)/.exec(text)?.[1] ?? firstErrorMessage(text) }
        : localTaskFailure(text);
      throw new HadoopJobError(job.name, failure, ctx.logPath);
    }
    finished(ctx, done, job, t, text);
  }
  await Deno.remove(`${workDir}/mr4`, { recursive: true }).catch(() => {});
  await fs("-get", `${base}/mr4`, `${workDir}/mr4`);
  if (!options.keep) await fs("-rm", "-r", "-f", "-skipTrash", base);
  return { target: inst.hadoop, jobs: done, mr4: `${workDir}/mr4` };
}

/**
 * A running one-machine cluster (mr/hadoop/src/main/java/recsys/MiniCluster.java):
 * MiniDFSCluster + MiniMRYarnCluster in one JVM, serving commands on stdin.
 * `runHadoopMr` starts one per run unless given one (`cluster`), so several
 * runs (tests) can share its start-up.
 */
export class MiniCluster {
  readonly base: string;
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #sink: Deno.FsFile;
  readonly #home: Deno.FsFile;
  #lines: string[] = [];
  #waiting: ((rc: number) => void) | null = null;
  #exited: Promise<number>;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(base: string, child: Deno.ChildProcess, sink: Deno.FsFile) {
    this.base = base;
    this.#child = child;
    this.#sink = sink;
    this.#home = sink;
    this.#stdin = child.stdin.getWriter();
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      let carry = "";
      for await (const chunk of stream) {
        for (let off = 0; off < chunk.length;) off += this.#sink.writeSync(chunk.subarray(off));
        const lines = (carry + decoder.decode(chunk, { stream: true })).split("\n");
        carry = lines.pop()!;
        for (const l of lines) this.#line(l);
      }
    };
    this.#exited = Promise.all([child.status, pump(child.stdout), pump(child.stderr)]).then(
      ([status]) => {
        this.#waiting?.(-1);
        return status.code;
      },
    );
  }

  #line(line: string) {
    const m = /^recsys-minicluster: (up|done (-?\d+))/.exec(line);
    if (m && this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = null;
      resolve(m[1] === "up" ? 0 : Number(m[2]));
    } else this.#lines.push(line);
  }

  /** Starts the cluster under `base` (created), its log into `log` until {@link logTo} says otherwise. */
  static async start(base: string, log: Deno.FsFile): Promise<MiniCluster> {
    await Deno.mkdir(base, { recursive: true });
    base = await Deno.realPath(base);
    await Deno.writeTextFile(`${base}/log4j.properties`, LOG4J);
    const argv = [
      ...(await jvmArgs(base)),
      `-Dtest.build.data=${base}/yarn`,
      "recsys.MiniCluster",
      "--base",
      base,
      "--task-opts",
      JAVA_ADD_OPENS.join(" "),
    ];
    writeAll(log, `\n==== recsys: mini cluster: ${argv.join(" ")}\n`);
    const child = spawn(argv, base, true);
    const cluster = new MiniCluster(base, child, log);
    const rc = await new Promise<number>((resolve) => (cluster.#waiting = resolve));
    if (rc !== 0) {
      throw new HadoopSetupError(
        `the mini cluster did not start: ${
          firstErrorMessage(cluster.#lines.join("\n")) ?? "see the log"
        }`,
      );
    }
    return cluster;
  }

  /** Where Hadoop's log goes from now on (back to the start-up log without one). */
  logTo(log?: Deno.FsFile) {
    this.#sink = log ?? this.#home;
  }

  /** Runs one command; its exit status and the log lines it produced. */
  command(...fields: string[]): Promise<{ rc: number; text: string }> {
    const run = this.#queue.then(async () => {
      this.#lines = [];
      const done = new Promise<number>((resolve) => (this.#waiting = resolve));
      await this.#stdin.write(new TextEncoder().encode(fields.join("\t") + "\n"));
      const rc = await done;
      return { rc, text: this.#lines.join("\n") };
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Stops the cluster and waits for its JVM. */
  async close(): Promise<void> {
    await this.#queue;
    await this.#stdin.write(new TextEncoder().encode("quit\n")).catch(() => {});
    await this.#stdin.close().catch(() => {});
    await this.#exited;
  }

  /** Kills the JVM (after a failure of ours, so nothing is left running). */
  kill() {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

let runCounter = 0;

/** All jobs on a mini cluster (the one given, or one started and stopped for this run). */
async function runMiniCluster(ctx: RunCtx): Promise<RunResult> {
  const { workDir, options } = ctx;
  const own = options.cluster === undefined;
  const cluster = options.cluster ?? await MiniCluster.start(`${workDir}/cluster`, ctx.log);
  cluster.logTo(ctx.log);
  try {
    const root = `/recsys/run-${Deno.pid}-${++runCounter}`;
    const name = ctx.artifact.slice(ctx.artifact.lastIndexOf("/") + 1);
    const must = async (...fields: string[]) => {
      const r = await cluster.command(...fields);
      if (r.rc !== 0) {
        throw new HadoopSetupError(
          `mini cluster ${fields[0]} failed: ${firstErrorMessage(r.text) ?? "see the log"}`,
        );
      }
    };
    await must("put", ctx.artifact, `${root}/bin/${name}`);
    await must("put", ctx.train, `${root}/input/ratings_train.csv`);
    const jobs = jobArgs(ctx, (job, i) => ({
      artifact: `hdfs://${root}/bin/${name}`,
      input: i === 0
        ? `hdfs://${root}/input/ratings_train.csv`
        : `hdfs://${root}/${options.mode}/mr${i}`,
      output: `hdfs://${root}/${options.mode}/${job}`,
    }), {});
    const done: HadoopJobStats[] = [];
    for (const { job, args } of jobs) {
      const file = `${workDir}/${job.name}.args`;
      await Deno.writeTextFile(file, args.join("\n") + "\n");
      await header(ctx, `${job.name}: hadoop-streaming ${args.join(" ")}`);
      const t = performance.now();
      const r = await cluster.command("job", file);
      if (r.rc !== 0) {
        throw new HadoopJobError(
          job.name,
          await yarnTaskFailure(cluster.base, r.text),
          ctx.logPath,
        );
      }
      finished(ctx, done, job, t, r.text);
    }
    await Deno.remove(`${workDir}/mr4`, { recursive: true }).catch(() => {});
    await must("get", `${root}/${options.mode}/mr4`, `${workDir}/mr4`);
    if (!options.keep) await must("rm", root);
    return { target: "mini cluster", jobs: done, mr4: `${workDir}/mr4` };
  } catch (err) {
    if (own) cluster.kill();
    throw err;
  } finally {
    cluster.logTo();
    if (own) await cluster.close();
  }
}

/**
 * The failed attempt (from the client's `Task Id : …, Status : FAILED`, or
 * the last attempt of the `Task failed task_…`), its container (from the
 * application master's log) and that container's first stderr line.
 */
export async function yarnTaskFailure(cluster: string, clientLog: string): Promise<TaskFailure> {
  const reported = failedAttempt(clientLog);
  const task = failedTask(clientLog);
  const clientError = /\nError: (.*)/.exec(clientLog)?.[1] ?? firstErrorMessage(clientLog);
  const prefix = reported ?? (task ? `${task.replace(/^task_/, "attempt_")}_` : null);
  if (prefix === null) return { attempt: null, line: clientError };
  // A NodeManager has several log directories; a container's may appear in more than one.
  const containers = new Map<string, string[]>();
  const syslogs: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) {
        if (e.name.startsWith("container_")) {
          containers.set(e.name, [...(containers.get(e.name) ?? []), path]);
        }
        await walk(path);
      } else if (e.name === "syslog" && dir.includes("container_")) syslogs.push(path);
    }
  };
  await walk(cluster).catch(() => {});
  let found: { attempt: string; container: string } | null = null;
  for (const syslog of syslogs) {
    for (const a of assignedContainers(await Deno.readTextFile(syslog))) {
      if (reported ? a.attempt === reported : a.attempt.startsWith(prefix)) found = a;
    }
  }
  let line: string | null = null;
  for (const dir of found ? containers.get(found.container) ?? [] : []) {
    line ??= firstTaskErrorLine(await Deno.readTextFile(`${dir}/stderr`).catch(() => ""));
  }
  return { attempt: found?.attempt ?? reported, line: line ?? clientError };
}
