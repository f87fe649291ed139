/**
 * What `eval` of a classic model (user-cosine, item-cosine over a neighbor
 * file) holds (eval/evaluate.ts fills it, eval/report.tsx renders it,
 * `--json` writes it as is): RMSE, MAE and coverage per K, the same with the
 * bias baseline filling gaps, the baselines, the error histogram and the
 * ranking metrics.
 */
import type { Mode } from "../lib/mode.ts";

export interface ModelMetrics {
  rmse: number;
  mae: number;
  coverage: number;
  predicted: number;
}

export interface EvalResult {
  model: Mode;
  /** The K of the headline numbers (the largest evaluated). */
  k: number;
  rmse: number;
  mae: number;
  coverage: number;
  predicted: number;
  total: number;
  seconds: number;
  options: Record<string, unknown>;
  /** One row per K, ascending. */
  byK: Array<ModelMetrics & { k: number }>;
  /** CF with the bias baseline where CF has no prediction (100 % coverage), at the headline K. */
  fallback: (ModelMetrics & { byK: Array<{ k: number; rmse: number; mae: number }> }) | null;
  baselines: {
    globalMean: ModelMetrics;
    userMean: ModelMetrics;
    itemMean: ModelMetrics;
    bias: ModelMetrics & { regUser: number; regItem: number; iterations: number };
  };
  /** CF errors (prediction − rating) at the headline K. */
  histogram: { min: number; width: number; counts: number[] };
  ranking: {
    n: number;
    k: number;
    relevantThreshold: number;
    /** Test users known in training. */
    testUsers: number;
    /** Users scored (a deterministic sample when fewer than testUsers). */
    sampledUsers: number;
    sampled: boolean;
    /** Sampled users with at least one relevant test rating (the averages' denominator). */
    usersWithRelevant: number;
    precision: number;
    recall: number;
    ndcg: number;
    hitRate: number;
    map: number;
    catalogCoverage: number;
    meanCandidates: number;
    candidates: string;
  };
  neighborsDropped: number;
  /** Wall seconds: reading inputs, fitting baselines and grouping, scoring on the workers. */
  phases: { load: number; prepare: number; score: number };
}
