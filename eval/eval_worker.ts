/**
 * Worker side of `eval` (see eval/evaluate.ts for the chunk layout).
 *
 * Rating chunks are ranges of test-rating groups: with the user-based model
 * a group is one item i (the scratch holds i's raters, so `r_vi` is one
 * array read), with the item-based model one user u (the scratch holds u's
 * ratings). Each chunk returns error sums per K, histograms and baseline
 * sums; ranking chunks are ranges of sampled users and return ranking sums.
 */
import { serveChunks } from "../lib/worker_pool.ts";
import type { RatingMatrix } from "../lib/rating_matrix.ts";
import {
  CandidateScratch,
  type NeighborGraph,
  predictItemBasedKs,
  predictUserBasedKs,
  type ReverseNeighborGraph,
  scoreItemBasedCandidates,
  scoreUserBasedCandidates,
} from "../lib/predictors.ts";
import {
  type Baselines,
  biasPrediction,
  itemMeanPrediction,
  userMeanPrediction,
} from "../lib/baselines.ts";
import {
  addError,
  addRankedList,
  emptyErrors,
  emptyRanking,
  type ErrorPartial,
  HISTOGRAM,
  histogramBin,
  isRelevant,
  type RankingPartial,
} from "../lib/metrics.ts";
import { selectTopN, TopN } from "../lib/top_n.ts";
import type { Mode } from "../lib/mode.ts";

/** Test ratings permuted so each group's ratings are contiguous. */
export interface GroupedTest {
  /** Group g's ratings are at `offsets[g]..offsets[g+1]`; the last group holds unknown group ids. */
  offsets: Int32Array;
  /** Dense user, −1 when unknown in training. */
  users: Int32Array;
  /** Dense item, −1 when unknown in training. */
  items: Int32Array;
  /** `rating*2`. */
  ratings: Uint8Array;
}

/** The sampled users for ranking and their test ratings. */
export interface RankingSample {
  users: Int32Array;
  /** User `users[s]`'s test ratings are at `offsets[s]..offsets[s+1]`. */
  offsets: Int32Array;
  /** Dense item or −1 (unknown items can be relevant but never recommended). */
  items: Int32Array;
  ratings: Uint8Array;
}

export interface EvalInit {
  model: Mode;
  matrix: RatingMatrix;
  graph: NeighborGraph;
  /** Item-based candidates only. */
  reverse: ReverseNeighborGraph | null;
  baselines: Baselines;
  /** Ascending. */
  ks: number[];
  test: GroupedTest;
  /** Rating chunk c covers groups `groupCuts[c]..groupCuts[c+1]`. */
  groupCuts: Int32Array;
  sample: RankingSample;
  /** Ranking chunk r covers sample users `userCuts[r]..userCuts[r+1]`. */
  userCuts: Int32Array;
  rankK: number;
  top: number;
}

export interface RatingChunkResult {
  kind: "ratings";
  total: number;
  /** Per K: CF errors over covered ratings. */
  cf: ErrorPartial[];
  /** Per K: CF with the bias baseline filling gaps. */
  fallback: ErrorPartial[];
  /** Per K: histogram of CF errors. */
  histograms: number[][];
  globalMean: ErrorPartial;
  userMean: ErrorPartial;
  itemMean: ErrorPartial;
  bias: ErrorPartial;
}

export interface RankingChunkResult {
  kind: "ranking";
  ranking: RankingPartial;
  /** Users scored (with or without relevant items). */
  users: number;
  /** Σ candidates scored per user. */
  candidates: number;
  /** Distinct recommended dense items in this chunk. */
  recommended: Int32Array;
}

export type EvalChunkResult = RatingChunkResult | RankingChunkResult;

interface State {
  init: EvalInit;
  scratch: Uint8Array;
  out: Float64Array;
  cand: CandidateScratch;
  topN: TopN;
  relevance: Uint8Array;
  relMark: Uint8Array;
  recMark: Uint8Array;
}

function prepare(init: EvalInit): State {
  const nUsers = init.matrix.userIds.length, nItems = init.matrix.itemIds.length;
  return {
    init,
    scratch: new Uint8Array(init.model === "user" ? nUsers : nItems),
    out: new Float64Array(init.ks.length),
    cand: new CandidateScratch(nItems),
    topN: new TopN(init.top),
    relevance: new Uint8Array(init.top),
    relMark: new Uint8Array(nItems),
    recMark: new Uint8Array(nItems),
  };
}

function ratingChunk(s: State, chunk: number): RatingChunkResult {
  const { init, scratch, out } = s;
  const { matrix: m, graph, baselines: b, ks, test } = init;
  const nk = ks.length;
  const res: RatingChunkResult = {
    kind: "ratings",
    total: 0,
    cf: ks.map(emptyErrors),
    fallback: ks.map(emptyErrors),
    histograms: ks.map(() => new Array<number>(HISTOGRAM.bins).fill(0)),
    globalMean: emptyErrors(),
    userMean: emptyErrors(),
    itemMean: emptyErrors(),
    bias: emptyErrors(),
  };
  const known = test.offsets.length - 2;
  const userModel = init.model === "user";
  // Column (user model) or row (item model) of group g, as (index, rating2) pairs.
  const gOffsets = userModel ? m.itemOffsets : m.userOffsets;
  const gIdx = userModel ? m.itemUsers : m.userItems;
  const gRat = userModel ? m.itemRatings : m.userRatings;
  for (let g = init.groupCuts[chunk]; g < init.groupCuts[chunk + 1]; g++) {
    const inTraining = g < known;
    if (inTraining) {
      for (let p = gOffsets[g]; p < gOffsets[g + 1]; p++) scratch[gIdx[p]] = gRat[p];
    }
    for (let t = test.offsets[g]; t < test.offsets[g + 1]; t++) {
      const u = test.users[t], i = test.items[t];
      const r = test.ratings[t] * 0.5;
      res.total++;
      addError(res.globalMean, b.globalMean, r);
      addError(res.userMean, userMeanPrediction(b, u), r);
      addError(res.itemMean, itemMeanPrediction(b, i), r);
      const bias = biasPrediction(b, u, i);
      addError(res.bias, bias, r);
      if (u >= 0 && i >= 0) {
        if (userModel) predictUserBasedKs(graph, b.userMean, u, scratch, ks, out);
        else predictItemBasedKs(graph, i, scratch, ks, out);
      } else out.fill(NaN);
      for (let k = 0; k < nk; k++) {
        const p = out[k];
        if (Number.isNaN(p)) addError(res.fallback[k], bias, r);
        else {
          addError(res.cf[k], p, r);
          addError(res.fallback[k], p, r);
          res.histograms[k][histogramBin(p - r)]++;
        }
      }
    }
    if (inTraining) { for (let p = gOffsets[g]; p < gOffsets[g + 1]; p++) scratch[gIdx[p]] = 0; }
  }
  return res;
}

function rankingChunk(s: State, chunk: number): RankingChunkResult {
  const { init, cand, topN, relevance, relMark, recMark } = s;
  const { matrix: m, sample } = init;
  const ranking = emptyRanking();
  const recommended: number[] = [];
  let users = 0, candidates = 0;
  for (let x = init.userCuts[chunk]; x < init.userCuts[chunk + 1]; x++) {
    const u = sample.users[x];
    cand.load(m, u);
    if (init.model === "user") {
      scoreUserBasedCandidates(m, init.graph, init.baselines.userMean, u, init.rankK, cand);
    } else scoreItemBasedCandidates(m, init.reverse!, u, init.rankK, cand);
    candidates += cand.count;
    users++;
    selectTopN(cand.items, cand.preds, cand.count, init.top, topN);
    cand.unload(m, u);
    let relevant = 0;
    for (let p = sample.offsets[x]; p < sample.offsets[x + 1]; p++) {
      if (!isRelevant(sample.ratings[p])) continue;
      relevant++;
      if (sample.items[p] >= 0) relMark[sample.items[p]] = 1;
    }
    for (let k = 0; k < topN.count; k++) {
      const i = topN.items[k];
      relevance[k] = relMark[i];
      if (recMark[i] === 0) {
        recMark[i] = 1;
        recommended.push(i);
      }
    }
    addRankedList(ranking, relevance.subarray(0, topN.count), relevant, init.top);
    for (let p = sample.offsets[x]; p < sample.offsets[x + 1]; p++) {
      if (sample.items[p] >= 0) relMark[sample.items[p]] = 0;
    }
  }
  for (const i of recommended) recMark[i] = 0;
  return { kind: "ranking", ranking, users, candidates, recommended: Int32Array.from(recommended) };
}

serveChunks<EvalInit, State, EvalChunkResult>(prepare, (s, chunk) => {
  const ratingChunks = s.init.groupCuts.length - 1;
  return chunk < ratingChunks ? ratingChunk(s, chunk) : rankingChunk(s, chunk - ratingChunks);
});
