/**
 * One entry for every runner of MR1–MR4 ({@link runMr}): `local`, this
 * project's imitation of Hadoop Streaming (mr/local_runner.ts), or Apache
 * Hadoop itself, `hadoop` and `hadoop-yarn` (mr/hadoop_runner.ts). All write
 * the neighbor file of `neighbors`, byte for byte, and its sidecar.
 */
import {
  type HadoopJobStats,
  type HadoopMrOptions,
  type HadoopMrStats,
  type HadoopRunner,
  runHadoopMr,
  type Runner,
  RUNNERS,
} from "./hadoop_runner.ts";
import { type MrOptions, type MrStats, runLocalMr } from "./local_runner.ts";

export { type HadoopJobStats, type Runner, RUNNERS };

/** Options of any runner: `runner` picks it. @default runner "local" */
export type RunMrOptions =
  & MrOptions
  & Partial<Omit<HadoopMrOptions, keyof MrOptions | "runner">>
  & { runner?: Runner };

/** Runs MR1–MR4 with `options.runner` and writes `outPath` with its sidecar. */
export function runMr(
  trainPath: string,
  outPath: string,
  options: RunMrOptions,
): Promise<MrStats | HadoopMrStats> {
  const runner = options.runner ?? "local";
  if (!(RUNNERS as readonly string[]).includes(runner)) {
    throw new RangeError(`unknown MR runner '${runner}' (${RUNNERS.join(", ")})`);
  }
  return runner === "local"
    ? runLocalMr(trainPath, outPath, options)
    : runHadoopMr(trainPath, outPath, { ...options, runner: runner as HadoopRunner });
}
