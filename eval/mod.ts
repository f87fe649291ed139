/**
 * The public entry of the `eval` stage: what `main.ts`, `tools/pipeline.ts`
 * and `bench/` use. Nothing outside `eval/` (tests aside) imports another
 * module of this folder.
 *
 * - the `eval` and `accuracy` commands;
 * - the classic models' evaluation ({@link evaluateModel}, its result and its
 *   terminal summary);
 * - the models' comparison ({@link formatCompare}, {@link scoreRatings}) and
 *   its library form ({@link evaluate}, re-exported by `mod.ts`);
 * - the pipeline's model steps (`rating-model`, `ranking-model`, `serve`).
 */
export { evalCommand } from "./eval_command.ts";
export { type EvalOptions, type EvalResult, evaluateModel, formatEvalSummary } from "./evaluate.ts";
export { accuracyCommand } from "./accuracy.ts";
export {
  type CompareResult,
  evaluate,
  type Evaluation,
  type EvaluationOptions,
  formatCompare,
  type RankingRow,
  type RatingRow,
  scoreRatings,
} from "./compare.ts";
/**
 * The modules behind the pipeline's eval steps, for their code fingerprint
 * (lib/code_fingerprint.ts): the classic models' evaluation, the rating-model step (and the
 * helpers both model steps share), the ranking-model step, the serve step.
 */
export const EVAL_MODULES = {
  classic: new URL("./evaluate.ts", import.meta.url).href,
  modelSteps: new URL("./model_steps.ts", import.meta.url).href,
  rankingStep: new URL("./ranking_step.ts", import.meta.url).href,
  serveStep: new URL("./serve_step.ts", import.meta.url).href,
} as const;
export { runRatingModelStep } from "./model_steps.ts";
export { runRankingModelStep } from "./ranking_step.ts";
export { runServeStep, type ServeStats } from "./serve_step.ts";
