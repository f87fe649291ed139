/**
 * The public entry of the MR stage: what `main.ts`, `pipeline` and the bench
 * use. The runners of the Hadoop Streaming jobs (`runMr`: Hadoop's local job
 * runner, a one-machine YARN cluster, or the local imitation) and the `mr`
 * command; everything else in mr/ is the stage's own.
 */
export { mrCommand } from "./command.ts";
export { runMr, type RunMrOptions, type Runner, RUNNERS } from "./run.ts";
export {
  HadoopJobError,
  type HadoopJobStats,
  type HadoopMrStats,
  HadoopSetupError,
} from "./hadoop_runner.ts";
export {
  type JobStats,
  type MrOptions,
  type MrStats,
  MrTaskError,
  runLocalMr,
} from "./local_runner.ts";
