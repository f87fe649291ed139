/**
 * The public entry of the `eval` stage: what `main.ts`, `tools/pipeline.ts`
 * and `bench/` use. Nothing outside `eval/` (tests aside) imports another
 * module of this folder.
 *
 * - the `eval` and `accuracy` commands;
 * - the seed models' evaluation ({@link evaluateModel}, its result and its
 *   terminal summary);
 * - the models' comparison ({@link formatCompare}, {@link scoreRatings});
 * - the pipeline's model steps (`rating-model`, `ranking-model`, `serve`).
 */
export { evalCommand } from "./eval_command.ts";
export { type EvalOptions, type EvalResult, evaluateModel, formatEvalSummary } from "./evaluate.ts";
export { accuracyCommand } from "./accuracy.ts";
export { type CompareResult, formatCompare, scoreRatings } from "./compare.ts";
export {
  runRankingModelStep,
  runRatingModelStep,
  runServeStep,
  type ServeStats,
} from "./model_steps.ts";
