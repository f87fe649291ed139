/**
 * What a comparison of models on one split holds (eval/compare.ts fills it,
 * eval/compare_report.tsx renders it, `--json` writes it as is): per model
 * its rating metrics (RMSE, MAE, coverage) or ranking metrics (NDCG@N,
 * P@N, recall@N, MAP@N, catalog coverage), fit time and whether it loses to
 * its baseline.
 */
import type { RankingResult } from "../lib/models/rank.ts";

/**
 * A rating model's row.
 *
 * @example
 * ```ts
 * const best: RatingRow = evaluation.rating.reduce((a, b) => (b.rmse < a.rmse ? b : a));
 * ```
 */
export interface RatingRow {
  /** The model as written (`blend`, `bias:regUser=25`). */
  name: string;
  /** One line on what it is. */
  summary: string;
  /** Whether it fits ML-32M's shape within the targets. */
  scales: boolean;
  /** Seconds the fit took. */
  fitSeconds: number;
  /** sqrt(Σe² / n) over the test ratings, e = prediction − rating. */
  rmse: number;
  /** Σ|e| / n. */
  mae: number;
  /** Share of test ratings predicted (1: rating models always answer). */
  coverage: number;
  /** Not better than the baseline (bias): RMSE not lower. */
  losesToBaseline: boolean;
  /** What the fit learned for a refit (lib/models/model.ts), e.g. a blend's weights. */
  learned?: Record<string, unknown>;
}

/**
 * A ranking model's row: its metrics at N and what it is.
 *
 * @example
 * ```ts
 * for (const r of evaluation.ranking) console.log(r.name, r.ndcg.toFixed(3));
 * ```
 */
export interface RankingRow extends RankingResult {
  /** The model as written (`ease-weighted`, `ease:lambda=300`). */
  name: string;
  /** One line on what it is. */
  summary: string;
  /** Whether it fits ML-32M's shape within the targets. */
  scales: boolean;
  /** Seconds the fit took. */
  fitSeconds: number;
  /** Not better than the baseline (popularity): NDCG@N not higher. */
  losesToBaseline: boolean;
}

export interface CompareResult {
  train: string;
  test: string;
  trainRatings: number;
  testRatings: number;
  n: number;
  rating: RatingRow[];
  ranking: RankingRow[];
  warnings: string[];
  protocol: string;
}

export type ComparePart = Omit<CompareResult, "train" | "test">;
