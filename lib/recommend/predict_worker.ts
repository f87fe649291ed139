/**
 * Worker side of `predict`: a chunk is a range of dense users; for each,
 * the candidates the model can score (lib/predictors.ts) are ranked
 * (lib/top_n.ts) and printed as `userId,movieId,prediction` lines into one
 * byte buffer per chunk, prediction with 6 decimals from its integer key.
 */
import { serveChunks } from "../worker_pool.ts";
import type { RatingMatrix } from "../rating_matrix.ts";
import {
  CandidateScratch,
  type NeighborGraph,
  type ReverseNeighborGraph,
  scoreItemBasedCandidates,
  scoreUserBasedCandidates,
} from "../predictors.ts";
import { selectTopN, TopN } from "../top_n.ts";
import { writeUintBytes } from "../decimal_bytes.ts";
import type { Mode } from "../mode.ts";

export interface PredictInit {
  model: Mode;
  matrix: RatingMatrix;
  graph: NeighborGraph;
  /** Item-based only. */
  reverse: ReverseNeighborGraph | null;
  userMean: Float64Array;
  k: number;
  /** Lines per user; 0 = every candidate. */
  top: number;
  usersPerChunk: number;
}

export interface PredictChunkResult {
  /** The chunk's lines (transferred, not copied). */
  bytes: Uint8Array;
  users: number;
  lines: number;
  /** Users with no candidate. */
  empty: number;
}

interface State {
  init: PredictInit;
  cand: CandidateScratch;
  topN: TopN;
  out: LineBuffer;
}

/** A growable byte buffer with integer printing (no string per line). */
class LineBuffer {
  bytes = new Uint8Array(1 << 16);
  used = 0;
  reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n));
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
  }
  /** Non-negative integer, at most 10 digits (caller reserved room). */
  int(v: number): void {
    this.used = writeUintBytes(this.bytes, this.used, v);
  }
  byte(c: number): void {
    this.bytes[this.used++] = c;
  }
  /** A positive key `round(p · 10^6)` printed as `p` with 6 decimals. */
  fixed6(key: number): void {
    const whole = Math.floor(key / 1e6);
    this.int(whole);
    this.byte(46);
    let frac = key - whole * 1e6;
    const b = this.bytes;
    for (let d = 5; d >= 0; d--) {
      b[this.used + d] = 48 + (frac % 10);
      frac = Math.floor(frac / 10);
    }
    this.used += 6;
  }
}

function prepare(init: PredictInit): State {
  const items = init.matrix.itemIds.length;
  return {
    init,
    cand: new CandidateScratch(items),
    topN: new TopN(init.top > 0 ? init.top : 1024),
    out: new LineBuffer(),
  };
}

function compute(s: State, chunk: number): PredictChunkResult {
  const { init, cand, topN, out } = s;
  const m = init.matrix;
  const nUsers = m.userIds.length;
  const from = chunk * init.usersPerChunk;
  const to = Math.min(nUsers, from + init.usersPerChunk);
  out.used = 0;
  let lines = 0, empty = 0;
  for (let u = from; u < to; u++) {
    cand.load(m, u);
    if (init.model === "user") {
      scoreUserBasedCandidates(m, init.graph, init.userMean, u, init.k, cand);
    } else scoreItemBasedCandidates(m, init.reverse!, u, init.k, cand);
    selectTopN(cand.items, cand.preds, cand.count, init.top, topN);
    cand.unload(m, u);
    if (topN.count === 0) empty++;
    // userId ≤ 10 digits + ',' + movieId ≤ 10 + ',' + "5.000000" + '\n' ≤ 32 bytes.
    out.reserve(topN.count * 32);
    const userId = m.userIds[u];
    for (let r = 0; r < topN.count; r++) {
      out.int(userId);
      out.byte(44);
      out.int(m.itemIds[topN.items[r]]);
      out.byte(44);
      out.fixed6(topN.keys[r]);
      out.byte(10);
    }
    lines += topN.count;
  }
  return { bytes: out.bytes.slice(0, out.used), users: to - from, lines, empty };
}

serveChunks<PredictInit, State, PredictChunkResult>(prepare, compute, (r) => [r.bytes.buffer]);
