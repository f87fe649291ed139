/**
 * The public entry of the MR stage: what `main.ts`, `pipeline` and the bench
 * use. The local runner of the Hadoop Streaming jobs and the `mr` command;
 * everything else in mr/ is the stage's own.
 */
export { mrCommand } from "./command.ts";
export {
  type JobStats,
  type MrOptions,
  type MrStats,
  MrTaskError,
  runLocalMr,
} from "./local_runner.ts";
