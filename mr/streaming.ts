/**
 * The `hadoop-streaming` command line of one job, written once and read
 * back: {@link streamingArgs} builds the arguments of an EMR step
 * (mr/emr_plan.ts) and of a local run of a built artifact (mr/local_runner.ts),
 * and {@link parseStreamingArgs} reads them the way Hadoop Streaming does,
 * so the local runner starts exactly the mapper, combiner and reducer
 * command lines the cluster would.
 *
 * Two artifacts (mr/build.ts) ship the tasks with `-files`:
 * - `recsys-mr`, the compiled binary: `recsys-mr mr1-map --mode user`;
 * - `recsys-mr.js`, the bundle, run by the Deno the bootstrap action
 *   installed: `deno run --quiet --no-config recsys-mr.js mr1-map --mode user`,
 *   with `-cmdenv` giving Deno a cache inside the task's working directory
 *   (YARN sets HOME to a directory tasks cannot write) and no update check.
 *
 * Hadoop resolves a command's program as PipeMapRed does: an absolute path
 * as is, otherwise the first match in the task's working directory (where
 * `-files` are linked by name), then on PATH.
 */
import type { JobSpec } from "./jobs.ts";

export type ArtifactKind = "binary" | "bundle";

/** The artifact's kind from its file name: a `.js` file is the bundle. */
export function artifactKind(path: string): ArtifactKind {
  return path.endsWith(".js") ? "bundle" : "binary";
}

/** The file name part of a local path or an `s3://` / `hdfs://` URI. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Environment of every bundle task (`-cmdenv`); relative DENO_DIR is the task's own directory. */
export const BUNDLE_TASK_ENV: Readonly<Record<string, string>> = {
  DENO_DIR: ".deno",
  DENO_NO_UPDATE_CHECK: "1",
};

/** The command line Hadoop runs for one task's argv (`mr1-map --mode user`). */
export function taskCommand(artifact: string, argv: readonly string[]): string {
  const name = baseName(artifact);
  const program = artifactKind(artifact) === "bundle"
    ? ["deno", "run", "--quiet", "--no-config", name]
    : [name];
  return [...program, ...argv].join(" ");
}

/** Where a job's files are, as URIs of the cluster (or local paths for a local run). */
export interface StreamingLocations {
  /** The artifact shipped with `-files`. */
  artifact: string;
  input: string;
  output: string;
  /** Reduce tasks; a map-only job gets 0 whatever this says. */
  reducers: number;
  /** `mapreduce.job.name`. */
  jobName: string;
}

/** The `hadoop-streaming` arguments of `job` (generic options first, as Hadoop requires). */
export function streamingArgs(job: JobSpec, at: StreamingLocations): string[] {
  const args = [
    "hadoop-streaming",
    "-files",
    at.artifact,
    "-D",
    `mapreduce.job.name=${at.jobName}`,
    "-D",
    "mapreduce.map.output.compress=true",
  ];
  if (artifactKind(at.artifact) === "bundle") {
    for (const [k, v] of Object.entries(BUNDLE_TASK_ENV)) args.push("-cmdenv", `${k}=${v}`);
  }
  args.push("-mapper", taskCommand(at.artifact, job.mapper));
  if (job.combiner) args.push("-combiner", taskCommand(at.artifact, job.combiner));
  if (job.reducer) args.push("-reducer", taskCommand(at.artifact, job.reducer));
  args.push("-numReduceTasks", job.reducer ? String(at.reducers) : "0");
  args.push("-input", at.input, "-output", at.output);
  return args;
}

/** What Hadoop Streaming reads from a step's arguments. */
export interface StreamingJob {
  /** `-files` entries: URI and the name it is linked under in each task's directory. */
  files: { uri: string; name: string }[];
  /** `-D name=value` job properties. */
  properties: Record<string, string>;
  /** `-cmdenv` variables of every task. */
  env: Record<string, string>;
  mapper: string[];
  combiner?: string[];
  reducer?: string[];
  numReduceTasks: number;
  input: string[];
  output: string;
}

/** An argument list Hadoop Streaming would reject (or one this project never writes). */
export class StreamingArgsError extends Error {
  readonly arg: string;
  constructor(arg: string, message: string) {
    super(`hadoop-streaming ${arg}: ${message}`);
    this.name = "StreamingArgsError";
    this.arg = arg;
  }
}

/**
 * Splits a streaming command at spaces, as Hadoop's `splitArgs` does for
 * unquoted text. Quotes are refused: no command written here has one.
 */
export function splitCommand(command: string): string[] {
  if (/["'\\]/.test(command)) {
    throw new StreamingArgsError(command, "quoted command lines are not supported");
  }
  const argv = command.split(" ").filter((a) => a !== "");
  if (argv.length === 0) throw new StreamingArgsError(command, "empty command");
  return argv;
}

/** Reads `hadoop-streaming` arguments (the command-runner step's `Args`). */
export function parseStreamingArgs(args: readonly string[]): StreamingJob {
  if (args[0] !== "hadoop-streaming") {
    throw new StreamingArgsError(String(args[0]), "the first argument must be hadoop-streaming");
  }
  const job: Partial<StreamingJob> & Pick<StreamingJob, "files" | "properties" | "env" | "input"> =
    { files: [], properties: {}, env: {}, input: [] };
  let streamingStarted = false;
  for (let i = 1; i < args.length; i += 2) {
    const option = args[i], value = args[i + 1];
    if (value === undefined) throw new StreamingArgsError(option, "missing value");
    const generic = option === "-files" || option === "-D";
    if (generic && streamingStarted) {
      throw new StreamingArgsError(option, "generic options must come before streaming options");
    }
    streamingStarted ||= !generic;
    switch (option) {
      case "-files":
        for (const uri of value.split(",")) {
          const hash = uri.indexOf("#");
          job.files.push(
            hash >= 0
              ? { uri: uri.slice(0, hash), name: uri.slice(hash + 1) }
              : { uri, name: baseName(uri) },
          );
        }
        break;
      case "-D":
      case "-cmdenv": {
        const eq = value.indexOf("=");
        if (eq <= 0) throw new StreamingArgsError(option, `expected name=value, got '${value}'`);
        (option === "-D" ? job.properties : job.env)[value.slice(0, eq)] = value.slice(eq + 1);
        break;
      }
      case "-mapper":
        job.mapper = splitCommand(value);
        break;
      case "-combiner":
        job.combiner = splitCommand(value);
        break;
      case "-reducer":
        job.reducer = splitCommand(value);
        break;
      case "-numReduceTasks":
        if (!/^\d+$/.test(value)) throw new StreamingArgsError(option, `not a count: '${value}'`);
        job.numReduceTasks = Number(value);
        break;
      case "-input":
        job.input.push(value);
        break;
      case "-output":
        job.output = value;
        break;
      default:
        throw new StreamingArgsError(option, "unknown option");
    }
  }
  if (!job.mapper) throw new StreamingArgsError("-mapper", "missing");
  if (job.output === undefined) throw new StreamingArgsError("-output", "missing");
  if (job.input.length === 0) throw new StreamingArgsError("-input", "missing");
  return { numReduceTasks: 1, ...job } as StreamingJob;
}
