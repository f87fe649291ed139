/**
 * `recsys mr`: the neighbor file of `neighbors`, computed by the Hadoop
 * Streaming jobs MR1–MR4 run locally (mr/local_runner.ts), one line per job
 * printed as it finishes; its subcommands `emr-plan` (mr/emr_plan.ts) and
 * `build` (mr/build.ts) prepare a run on AWS EMR.
 */
import { defineCommand, requiredFlag } from "../lib/command.ts";
import { MODE_FLAG, NEIGHBOR_FLAGS } from "../lib/neighbors/options.ts";
import { buildEmrCommand } from "./build.ts";
import { emrPlanCommand } from "./emr_plan.ts";
import { type JobStats, runLocalMr } from "./local_runner.ts";

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

export const mrCommand = defineCommand({
  name: "mr",
  summary: "neighbor files via the Hadoop Streaming jobs MR1–MR4, run locally",
  subcommands: [emrPlanCommand, buildEmrCommand],
  flags: {
    train: requiredFlag("<ratings_train.csv>", "training ratings"),
    mode: MODE_FLAG,
    out: requiredFlag("<file>", "neighbor file to write"),
    ...NEIGHBOR_FLAGS,
    reducers: { type: "integer", default: 4, min: 1, doc: "reduce tasks (partitions) per job" },
    maps: { type: "integer", default: 4, min: 1, doc: "map tasks (input splits) per job" },
    workers: {
      type: "integer",
      default: navigator.hardwareConcurrency,
      min: 1,
      doc: "tasks run at once",
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
  details: "Same output bytes as `neighbors` with the same options. Build an artifact with " +
    "`deno task build:emr`. Subcommands: emr-plan, build.",
  async run(f) {
    const stats = await runLocalMr(f.train, f.out, {
      ...f,
      onJob: (s) => console.log(formatJobStats(s)),
    });
    console.log(
      `wrote ${f.out}: ${stats.lines} lines, ${mb(stats.bytes)} in ${stats.seconds.toFixed(1)}s`,
    );
    if (stats.workDir) console.log(`intermediate files kept in ${stats.workDir}`);
  },
});
