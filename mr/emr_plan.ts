/**
 * `mr emr-plan`: the AWS EMR steps for MR1–MR4 (mr/jobs.ts) as a
 * `steps.json` for `aws emr add-steps` (or `create-cluster --steps`), the
 * bootstrap action installing Deno when the artifact is the bundle
 * (`bootstrap-actions.json` for `create-cluster --bootstrap-actions`), and
 * the shell commands of a whole run (build, upload, create cluster, fetch and
 * merge the result). Both files are in the AWS CLI's own shapes, and
 * `tests/mr_test.ts` has the CLI's parameter validation check them.
 *
 * Layout under `--bucket s3://BUCKET/prefix`: `bin/` (the artifact, shipped to
 * every task with `-files`, and `install-deno.sh`), `input/ratings_train.csv`,
 * `logs/`, and `output/<mode>/` (MR4's part files). MR1–MR3 write to the
 * cluster's HDFS (`hdfs:///recsys/<mode>/mrN`): the pair explosion of MR1
 * never touches S3. Map output is compressed (it is mostly digits).
 */
import { writeFileAtomic } from "../lib/atomic_file.ts";
import { defineCommand, requiredFlag, UsageError } from "../lib/command.ts";
import { MODE_FLAG, NEIGHBOR_FLAGS } from "../lib/neighbors/options.ts";
import { neighborFileName, RUN_FILE_NAMES } from "../lib/run_dir.ts";
import { PINNED_DENO } from "./deno_install.ts";
import { planJobs } from "./jobs.ts";
import { rowKeySkew } from "./partitioner.ts";
import type { TaskOptions } from "./stages.ts";
import { artifactKind, baseName, streamingArgs } from "./streaming.ts";

export interface EmrPlanOptions extends TaskOptions {
  /** `s3://bucket/prefix` holding the artifact, input, logs and output. */
  bucket: string;
  /** Reduce tasks per job. Changes only speed. */
  reducers: number;
  /**
   * The built artifact (mr/build.ts): `dist/recsys-mr.js` (the bundle, run by
   * the Deno of the bootstrap action) or `dist/recsys-mr` (the binary).
   * Changes how tasks start, never output. @default "dist/recsys-mr.js"
   */
  artifact: string;
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

/** One entry of `aws emr create-cluster --bootstrap-actions file://bootstrap-actions.json`. */
export interface EmrBootstrapAction {
  Name: string;
  Path: string;
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
  const jobs = planJobs(options, options.strict);
  let input = `${bucket}/input/${RUN_FILE_NAMES.train}`;
  return jobs.map((job, i) => {
    const output = i === jobs.length - 1
      ? `${bucket}/output/${options.mode}`
      : `hdfs:///recsys/${options.mode}/${job.name}`;
    const args = streamingArgs(job, {
      artifact: `${bucket}/bin/${baseName(options.artifact)}`,
      input,
      output,
      reducers: options.reducers,
      jobName: `recsys ${job.name} (${options.mode}): ${job.title}`,
    });
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

/** The bootstrap actions the artifact needs: Deno for the bundle, none for the binary. */
export function emrBootstrapActions(options: Pick<EmrPlanOptions, "bucket" | "artifact">) {
  if (artifactKind(options.artifact) === "binary") return [];
  return [{
    Name: `install Deno ${PINNED_DENO.version}`,
    Path: `${normalizeBucket(options.bucket)}/bin/install-deno.sh`,
    Args: [],
  }] satisfies EmrBootstrapAction[];
}

export interface EmrClusterOptions {
  /** Local training file to upload. */
  train: string;
  /** Where steps.json is written. */
  steps: string;
  /** Where the bootstrap actions are written (bundle only). */
  bootstrap: string;
  /** Core node instance type; a Graviton type (m7g, r7g…) needs `build:emr --arm64` for the binary. */
  instanceType: string;
  coreNodes: number;
}

/** `aws emr create-cluster` for the plan (without `--endpoint-url`: the real one). */
export function createClusterArgs(options: EmrPlanOptions & EmrClusterOptions): string[] {
  const bucket = normalizeBucket(options.bucket);
  const args = [
    "emr",
    "create-cluster",
    "--name",
    `recsys32m-${options.mode}`,
    "--release-label",
    "emr-7.5.0",
    "--applications",
    "Name=Hadoop",
    "--use-default-roles",
    "--log-uri",
    `${bucket}/logs/`,
    "--instance-groups",
    `InstanceGroupType=MASTER,InstanceCount=1,InstanceType=${options.instanceType}`,
    `InstanceGroupType=CORE,InstanceCount=${options.coreNodes},InstanceType=${options.instanceType}`,
    "--auto-terminate",
  ];
  if (emrBootstrapActions(options).length > 0) {
    args.push("--bootstrap-actions", `file://${options.bootstrap}`);
  }
  args.push("--steps", `file://${options.steps}`);
  return args;
}

/** The shell commands of a whole EMR run, in order. */
export function emrCommands(options: EmrPlanOptions & EmrClusterOptions): string[] {
  const bucket = normalizeBucket(options.bucket);
  const graviton = /^[a-z]+\d+g[a-z]*\./.test(options.instanceType);
  const file = neighborFileName(options.mode);
  const bundle = artifactKind(options.artifact) === "bundle";
  const dir = options.artifact.includes("/")
    ? options.artifact.slice(0, options.artifact.lastIndexOf("/"))
    : ".";
  const outDir = dir === "dist" ? "" : ` --out-dir ${dir}`;
  const build = bundle
    ? [`deno task build:emr --bundle${outDir}`]
    : [`DENORT_BIN=/path/to/denort deno task build:emr${graviton ? " --arm64" : ""}${outDir}`];
  const upload = [`aws s3 cp ${options.artifact} ${bucket}/bin/${baseName(options.artifact)}`];
  if (bundle) upload.push(`aws s3 cp ${dir}/install-deno.sh ${bucket}/bin/install-deno.sh`);
  return [
    ...build,
    ...upload,
    `aws s3 cp ${options.train} ${bucket}/input/${RUN_FILE_NAMES.train}`,
    ["aws", ...createClusterArgs(options)].join(" "),
    `# or, on a running cluster${bundle ? " started with those bootstrap actions" : ""}: ` +
    `aws emr add-steps --cluster-id j-XXXXXXXX --steps file://${options.steps}`,
    `aws s3 cp --recursive ${bucket}/output/${options.mode}/ mr-output-${options.mode}/`,
    `sort -m -t "$(printf '\\t')" -k1,1n mr-output-${options.mode}/part-* > ${file}`,
  ];
}

export const emrPlanCommand = defineCommand({
  name: "emr-plan",
  summary: "write steps.json (and the Deno bootstrap action) and print the commands of an EMR run",
  flags: {
    bucket: requiredFlag("<s3://bucket/prefix>", "S3 location"),
    mode: MODE_FLAG,
    reducers: { type: "integer", default: 4, min: 1, doc: "reduce tasks per job" },
    ...NEIGHBOR_FLAGS,
    strict: { type: "boolean", doc: "tasks fail on a malformed line instead of counting it" },
    artifact: {
      type: "string",
      default: "dist/recsys-mr.js",
      arg: "<file>",
      doc: "built artifact to ship: the bundle (recsys-mr.js) or the binary (recsys-mr)",
    },
    train: {
      type: "string",
      default: `data/${RUN_FILE_NAMES.train}`,
      arg: "<file>",
      doc: "training ratings to upload",
    },
    steps: { type: "string", default: "steps.json", arg: "<file>", doc: "steps file to write" },
    bootstrap: {
      type: "string",
      default: "bootstrap-actions.json",
      arg: "<file>",
      doc: "bootstrap actions file to write (bundle only)",
    },
    instanceType: { type: "string", default: "r6i.2xlarge", doc: "EMR instance type" },
    coreNodes: { type: "integer", default: 4, min: 1, doc: "core nodes" },
  },
  details: "See mr/README.md for instance types, reducer counts, --max-raters and cost.",
  async run(f) {
    const steps = emrSteps(f);
    await writeFileAtomic(f.steps, JSON.stringify(steps, null, 2) + "\n");
    console.log(`wrote ${f.steps} (${steps.length} steps)`);
    const actions = emrBootstrapActions(f);
    if (actions.length > 0) {
      await writeFileAtomic(f.bootstrap, JSON.stringify(actions, null, 2) + "\n");
      console.log(`wrote ${f.bootstrap} (${actions.map((a) => a.Name).join(", ")})`);
    }
    console.log();
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
