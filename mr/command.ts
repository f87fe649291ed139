/**
 * `recsys mr`: the neighbor file of `neighbors`, computed by the Hadoop
 * Streaming jobs MR1–MR4, one line per job printed as it finishes. `--runner`
 * picks who runs them: `hadoop` (Apache Hadoop's local job runner, or an
 * installation's cluster), `hadoop-yarn` (a one-machine HDFS + YARN cluster
 * started for the run; both mr/hadoop_runner.ts) or `local`, this project's
 * imitation of Hadoop Streaming (mr/local_runner.ts, no Java needed). Its
 * subcommands `emr-plan` (mr/emr_plan.ts) and `build` (mr/build.ts) prepare a
 * run on AWS EMR.
 */
import { defineCommand, requiredFlag } from "../lib/command.ts";
import { MODE_FLAG, NEIGHBOR_FLAGS } from "../lib/neighbors/options.ts";
import { buildEmrCommand } from "./build.ts";
import { emrPlanCommand } from "./emr_plan.ts";
import { formatCounters } from "./hadoop_log.ts";
import { type HadoopJobStats, runMr, RUNNERS } from "./run.ts";
import { type JobStats, localCounters } from "./local_runner.ts";

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** One line per job: tasks, records and bytes per phase, time, counters. */
export function formatJobStats(s: JobStats): string {
  const counters = Object.entries(s.counters).map(([k, v]) => ` ${k}=${v}`).join("");
  const combine = s.combineOutputRecords !== s.mapOutputRecords
    ? ` → combine ${s.combineOutputRecords} rec ${mb(s.combineOutputBytes)}`
    : "";
  return `${s.name} (${s.title}): ${s.mapTasks} maps, ${s.reduceTasks} reduces; ` +
    `in ${mb(s.inputBytes)}; map out ${s.mapOutputRecords} rec ${mb(s.mapOutputBytes)}` +
    `${combine}; out ${s.outputRecords} rec ${mb(s.outputBytes)}; ${s.seconds.toFixed(1)}s` +
    counters;
}

/** One line per Hadoop job: time and Hadoop's counters. */
export function formatHadoopJobStats(s: HadoopJobStats): string {
  return `${s.name} (${s.title}): ${s.seconds.toFixed(1)}s; counters: ${
    formatCounters(s.counters)
  }`;
}

export const mrCommand = defineCommand({
  name: "mr",
  summary: "neighbor files via the Hadoop Streaming jobs MR1–MR4, on Hadoop or locally",
  subcommands: [emrPlanCommand, buildEmrCommand],
  flags: {
    train: requiredFlag("<ratings_train.csv>", "training ratings"),
    mode: MODE_FLAG,
    out: requiredFlag("<file>", "neighbor file to write"),
    ...NEIGHBOR_FLAGS,
    runner: {
      type: "string",
      default: "local",
      choices: RUNNERS,
      doc: "hadoop: Apache Hadoop's local job runner (or the installation of $HADOOP_HOME / " +
        "`hadoop` on PATH); hadoop-yarn: a one-machine HDFS + YARN cluster for the run; " +
        "local: this project's imitation of Hadoop Streaming, no Java",
    },
    reducers: {
      type: "integer",
      default: 4,
      min: 1,
      doc: "reduce tasks per job (Hadoop's -numReduceTasks), every runner",
    },
    maps: {
      type: "integer",
      default: 4,
      min: 1,
      doc: "map tasks per job (local: splits; Hadoop: the mapreduce.job.maps hint)",
    },
    workers: {
      type: "integer",
      default: navigator.hardwareConcurrency,
      min: 1,
      doc: "tasks run at once (local runner)",
    },
    log: {
      type: "string",
      arg: "<file>",
      doc: "Hadoop's log (default: <out>.hadoop.log)",
    },
    workDir: { type: "string", arg: "<dir>", doc: "intermediate files (default: a temp dir)" },
    keep: { type: "boolean", doc: "keep intermediate files" },
    strict: { type: "boolean", doc: "tasks fail on a malformed line instead of counting it" },
    artifact: {
      type: "string",
      arg: "<file>",
      doc: "run the tasks from a built artifact (dist/recsys-mr.js or dist/recsys-mr) as " +
        "Hadoop Streaming starts them (default: deno run mr/task.ts)",
    },
  },
  details: "Same output bytes as `neighbors` with the same options, whatever the runner; " +
    "the sidecar <out>.meta.json adds the jobs' Hadoop counters. The Hadoop runners need " +
    "Java 17 and Maven (mr/hadoop/setup.sh brings Hadoop from Maven Central on first use) and " +
    "run the bundle (built for the run unless --artifact). Build an artifact with " +
    "`deno task build:emr`. Subcommands: emr-plan, build.",
  async run(f) {
    const stats = await runMr(f.train, f.out, {
      ...f,
      onJob: (s) => {
        console.log(formatJobStats(s));
        console.log(`  counters: ${formatCounters(localCounters(s))}`);
      },
      onHadoopJob: (s) => console.log(formatHadoopJobStats(s)),
    });
    const where = "runner" in stats ? ` on Hadoop (${stats.target}; log ${stats.log})` : "";
    console.log(
      `wrote ${f.out}: ${stats.lines} lines, ${mb(stats.bytes)} in ` +
        `${stats.seconds.toFixed(1)}s${where}`,
    );
    if (stats.workDir) console.log(`intermediate files kept in ${stats.workDir}`);
  },
});
