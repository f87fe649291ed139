/**
 * `mr emr-plan`: the AWS EMR steps for MR1–MR4 (mr/jobs.ts) as a
 * `steps.json` for `aws emr add-steps`, plus the shell commands of a whole
 * run (upload, create cluster, add steps, fetch and merge the result).
 *
 * Layout under `--bucket s3://BUCKET/prefix`: `bin/recsys-mr` (the binary,
 * shipped to every task with `-files`), `input/ratings_train.csv`,
 * `logs/`, and `output/<mode>/` (MR4's part files). MR1–MR3 write to the
 * cluster's HDFS (`hdfs:///recsys/<mode>/mrN`): the pair explosion of MR1
 * never touches S3. Map output is compressed (it is mostly digits).
 */
import { writeFileAtomic } from "../lib/atomic_file.ts";
import { defineCommand, UsageError } from "../lib/command.ts";
import { planJobs } from "./jobs.ts";
import { rowKeySkew } from "./partitioner.ts";
import { TASK_FLAGS, type TaskOptions } from "./stages.ts";

export interface EmrPlanOptions extends TaskOptions {
  /** `s3://bucket/prefix` holding the binary, input, logs and output. */
  bucket: string;
  /** Reduce tasks per job. Changes only speed. */
  reducers: number;
  /** Tasks fail on a malformed line. @default false */
  strict?: boolean;
}

/** One entry of `aws emr add-steps --steps file://steps.json`. */
export interface EmrStep {
  Name: string;
  ActionOnFailure: "CANCEL_AND_WAIT";
  Type: "CUSTOM_JAR";
  Jar: "command-runner.jar";
  Args: string[];
}

/** The bucket without a trailing slash; a {@link UsageError} unless it is `s3://…`. */
export function normalizeBucket(bucket: string): string {
  const b = bucket.replace(/\/+$/, "");
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/.test(b)) {
    throw new UsageError(`emr-plan: --bucket must look like s3://BUCKET/prefix, got '${bucket}'`);
  }
  return b;
}

/** The four hadoop-streaming steps, each reading the previous one's output. */
export function emrSteps(options: EmrPlanOptions): EmrStep[] {
  const bucket = normalizeBucket(options.bucket);
  const binary = "recsys-mr";
  const jobs = planJobs(options, options.strict);
  let input = `${bucket}/input/ratings_train.csv`;
  return jobs.map((job, i) => {
    const last = i === jobs.length - 1;
    const output = last
      ? `${bucket}/output/${options.mode}`
      : `hdfs:///recsys/${options.mode}/${job.name}`;
    const args = [
      "hadoop-streaming",
      "-files",
      `${bucket}/bin/${binary}`,
      "-D",
      `mapreduce.job.name=recsys ${job.name} (${options.mode}): ${job.title}`,
      "-D",
      "mapreduce.map.output.compress=true",
      "-mapper",
      [binary, ...job.mapper].join(" "),
    ];
    if (job.combiner) args.push("-combiner", [binary, ...job.combiner].join(" "));
    if (job.reducer) args.push("-reducer", [binary, ...job.reducer].join(" "));
    args.push("-numReduceTasks", job.reducer ? String(options.reducers) : "0");
    args.push("-input", input, "-output", output);
    input = output;
    return {
      Name: `recsys ${job.name} ${options.mode}: ${job.title}`,
      ActionOnFailure: "CANCEL_AND_WAIT",
      Type: "CUSTOM_JAR",
      Jar: "command-runner.jar",
      Args: args,
    };
  });
}

export interface EmrClusterOptions {
  /** Local training file to upload. */
  train: string;
  /** Where steps.json is written. */
  steps: string;
  /** Core node instance type; a Graviton type (m7g, r7g…) needs `build:emr --arm64`. */
  instanceType: string;
  coreNodes: number;
}

/** The shell commands of a whole EMR run, in order. */
export function emrCommands(options: EmrPlanOptions & EmrClusterOptions): string[] {
  const bucket = normalizeBucket(options.bucket);
  const graviton = /^[a-z]+\d+g[a-z]*\./.test(options.instanceType);
  const file = options.mode === "user" ? "user_topk_neighbors.txt" : "item_topk_neighbors.txt";
  return [
    graviton ? "deno task build:emr --arm64" : "deno task build:emr",
    `aws s3 cp dist/recsys-mr ${bucket}/bin/recsys-mr`,
    `aws s3 cp ${options.train} ${bucket}/input/ratings_train.csv`,
    `aws emr create-cluster --name recsys32m-${options.mode} --release-label emr-7.5.0 ` +
    `--applications Name=Hadoop --use-default-roles --log-uri ${bucket}/logs/ ` +
    `--instance-groups InstanceGroupType=MASTER,InstanceCount=1,InstanceType=${options.instanceType} ` +
    `InstanceGroupType=CORE,InstanceCount=${options.coreNodes},InstanceType=${options.instanceType} ` +
    `--auto-terminate --steps file://${options.steps}`,
    `# or, on a running cluster: aws emr add-steps --cluster-id j-XXXXXXXX --steps file://${options.steps}`,
    `aws s3 cp --recursive ${bucket}/output/${options.mode}/ mr-output-${options.mode}/`,
    `sort -m -t "$(printf '\\t')" -k1,1n mr-output-${options.mode}/part-* > ${file}`,
  ];
}

export const emrPlanCommand = defineCommand({
  name: "emr-plan",
  summary: "write steps.json for aws emr add-steps and print the commands of an EMR run",
  flags: {
    bucket: { type: "string", required: true, arg: "<s3://bucket/prefix>", doc: "S3 location" },
    mode: TASK_FLAGS.mode,
    reducers: { type: "integer", default: 4, min: 1, doc: "reduce tasks per job" },
    k: TASK_FLAGS.k,
    minCommon: TASK_FLAGS.minCommon,
    similarity: TASK_FLAGS.similarity,
    shrink: TASK_FLAGS.shrink,
    maxRaters: TASK_FLAGS.maxRaters,
    strict: { type: "boolean", doc: "tasks fail on a malformed line instead of counting it" },
    train: {
      type: "string",
      default: "data/ratings_train.csv",
      arg: "<file>",
      doc: "training ratings to upload",
    },
    steps: { type: "string", default: "steps.json", arg: "<file>", doc: "steps file to write" },
    instanceType: { type: "string", default: "r6i.2xlarge", doc: "EMR instance type" },
    coreNodes: { type: "integer", default: 4, min: 1, doc: "core nodes" },
  },
  details: "See mr/README.md for instance types, reducer counts, --max-raters and cost.",
  async run(f) {
    const steps = emrSteps(f);
    await writeFileAtomic(f.steps, JSON.stringify(steps, null, 2) + "\n");
    console.log(`wrote ${f.steps} (${steps.length} steps)\n`);
    for (const c of emrCommands(f)) console.log(c);
    const skew = rowKeySkew(f.reducers);
    if (skew > 1.2) {
      console.log(
        `\nwarning: with --reducers ${f.reducers}, Hadoop's hash partitioner gives one reducer ` +
          `${skew.toFixed(1)}× the mean share of zero-padded ids (MR3/MR4 keys); ` +
          `counts such as 24, 40, 48 or 100 balance within 5% (mr/README.md).`,
      );
    }
  },
});
