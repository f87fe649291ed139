/**
 * What a comparison of models on one split holds (eval/compare.ts fills it,
 * eval/compare_report.tsx renders it, `--json` writes it as is): per model
 * its rating metrics (RMSE, MAE, coverage) or ranking metrics (NDCG@N,
 * P@N, recall@N, MAP@N, catalog coverage), fit time and whether it loses to
 * its baseline.
 */
import type { RankingResult } from "../lib/models/rank.ts";

export interface RatingRow {
  name: string;
  summary: string;
  scales: boolean;
  fitSeconds: number;
  rmse: number;
  mae: number;
  /** Share of test ratings predicted (1: rating models always answer). */
  coverage: number;
  losesToBaseline: boolean;
  /** What the fit learned for a refit (lib/models/model.ts), e.g. a blend's weights. */
  learned?: Record<string, unknown>;
}

export interface RankingRow extends RankingResult {
  name: string;
  summary: string;
  scales: boolean;
  fitSeconds: number;
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
