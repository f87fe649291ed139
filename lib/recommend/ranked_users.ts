/**
 * Every training user's top-N list (the protocol of lib/models/rank.ts), in
 * blocks of consecutive users, on Workers when the model can be shared
 * with them: the ranking-model and serve steps' one ranking pass
 * (lib/recommend/model_files.ts writes the files from its blocks).
 *
 * Users are independent: block c holds users `c·BLOCK ..` and its lists do
 * not depend on which thread ranked it, so the blocks, handed to `onBlock`
 * in block order, are the same for any worker count. A model is shared when
 * its parameters live in SharedArrayBuffers and a Worker can rebuild it
 * around them ({@link shareRanker}: EASE); any other model ranks on the
 * calling thread through the same block function.
 *
 * A block: `sizes[k]` entries for its k-th user, then the entries of all its
 * users in `items` (dense), `scores`, and with `explain` the dense item of
 * the explanation in `because` (−1 when the model has none): the rated movie
 * the user liked (lib/models/fold_in.ts `isLiked`) contributing most.
 *
 * Time: one `scoreUser` and one selection per user (lib/models/rank.ts),
 * split over the workers. Memory per thread: the {@link RankScratch}; per
 * block in flight: BLOCK · N · 16 bytes.
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import type { RankingModel } from "../models/model.ts";
import { EaseModel } from "../models/ease.ts";
import { RankScratch, topNForUser } from "../models/rank.ts";
import { runChunks } from "../worker_pool.ts";
import { isLiked } from "../models/fold_in.ts";

/** The lists of one block of users. */
export interface RankedBlock {
  /** Dense index of the block's first user. */
  first: number;
  /** Entries per user of the block. */
  sizes: Int32Array;
  /** Dense items, user after user, best first. */
  items: Int32Array;
  scores: Float64Array;
  /** The explaining dense item per entry, −1 for none; null without `explain`. */
  because: Int32Array | null;
}

/** What a Worker needs to rebuild a shared model (typed arrays on SharedArrayBuffers). */
export interface SharedRanker {
  kind: "ease";
  cols: Int32Array;
  colItems: Int32Array;
  b: Float32Array;
  lowRatingWeight: number;
}

/** The model's shared form, or null when it must rank on the calling thread. */
export function shareRanker(model: RankingModel): SharedRanker | null {
  if (model instanceof EaseModel && model.b.buffer instanceof SharedArrayBuffer) {
    const { cols, colItems, b, lowRatingWeight } = model;
    return { kind: "ease", cols, colItems, b, lowRatingWeight };
  }
  return null;
}

/** The model a Worker ranks with, rebuilt around the shared arrays. */
export function rebuildRanker(s: SharedRanker, m: RatingMatrix): RankingModel {
  return new EaseModel(m, s.cols, s.colItems, s.b, s.lowRatingWeight);
}

/** Everything a block computation reads. */
export interface RankInit {
  matrix: RatingMatrix;
  ranker: SharedRanker | null;
  top: number;
  explain: boolean;
  block: number;
}

/** Per-thread state: the model and the scratch buffers. */
export interface RankState {
  init: RankInit;
  model: RankingModel;
  scratch: RankScratch;
  /** The current user's liked movies, the only ones an explanation cites. */
  liked: Uint8Array;
}

export function prepareRanking(init: RankInit, model?: RankingModel): RankState {
  const m = init.matrix;
  return {
    init,
    model: model ?? rebuildRanker(init.ranker!, m),
    scratch: new RankScratch(m.itemIds.length, init.top),
    liked: new Uint8Array(m.itemIds.length),
  };
}

/**
 * {@link topNForUser} for EASE, over its M modelled columns instead of every
 * item (the others score −∞ and are never candidates): the same candidates,
 * scores and order (columns ascend with items), so the same list.
 */
function easeTopN(
  model: EaseModel,
  m: RatingMatrix,
  u: number,
  n: number,
  scratch: RankScratch,
): Int32Array {
  const row = model.scoreColumns(u), cols = model.cols, colItems = model.colItems;
  for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
    const c = cols[m.userItems[p]];
    if (c >= 0) row[c] = -Infinity;
  }
  const top = scratch.top;
  top.reset(n);
  for (let c = 0; c < row.length; c++) {
    const v = row[c];
    if (v === -Infinity || v !== v) continue;
    top.push(v, colItems[c]);
  }
  return top.ids.subarray(0, top.drain());
}

/** The lists of block `chunk` (see module doc). */
export function rankBlock(s: RankState, chunk: number): RankedBlock {
  const { matrix: m, top, explain, block } = s.init;
  const first = chunk * block, end = Math.min(m.userIds.length, first + block);
  const sizes = new Int32Array(end - first);
  const cap = (end - first) * top;
  const items = new Int32Array(cap), scores = new Float64Array(cap);
  const because = explain ? new Int32Array(cap) : null;
  let at = 0;
  const ease = s.model instanceof EaseModel ? s.model : null;
  for (let u = first; u < end; u++) {
    const list = ease
      ? easeTopN(ease, m, u, top, s.scratch)
      : topNForUser(s.model, m, u, top, s.scratch);
    const n = list.length;
    items.set(list, at);
    scores.set(s.scratch.topScores.subarray(0, n), at);
    if (because) {
      const a = m.userOffsets[u], b = m.userOffsets[u + 1], liked = s.liked;
      let sum = 0;
      for (let p = a; p < b; p++) sum += m.userRatings[p];
      const mean = b > a ? sum / (2 * (b - a)) : 0;
      for (let p = a; p < b; p++) {
        liked[m.userItems[p]] = isLiked(m.userRatings[p] / 2, mean) ? 1 : 0;
      }
      for (let r = 0; r < n; r++) because[at + r] = s.model.explain(u, list[r], liked)?.item ?? -1;
      for (let p = a; p < b; p++) liked[m.userItems[p]] = 0;
    }
    sizes[u - first] = n;
    at += n;
  }
  return {
    first,
    sizes,
    items: items.slice(0, at),
    scores: scores.slice(0, at),
    because: because ? because.slice(0, at) : null,
  };
}

/** Users per block: small enough for dynamic claiming to balance heavy users. */
const BLOCK = 256;

export interface RankUsersOptions {
  /** List length N. Changes output. */
  top: number;
  /** Also find each entry's explanation (`because`). */
  explain: boolean;
  /** Worker count; 0 or 1, or a model that cannot be shared, ranks on this thread. Changes only speed. */
  workers: number;
  /** Receives every block, in block order. */
  onBlock: (block: RankedBlock) => void | Promise<void>;
}

/** Ranks every user of `m` with `model` (see module doc); resolves when every block was handed over. */
export async function rankUsers(
  model: RankingModel,
  m: RatingMatrix,
  options: RankUsersOptions,
): Promise<void> {
  const shared = options.workers > 1 && m.userItems.buffer instanceof SharedArrayBuffer
    ? shareRanker(model)
    : null;
  const init: RankInit = {
    matrix: m,
    ranker: shared,
    top: options.top,
    explain: options.explain,
    block: BLOCK,
  };
  const chunks = Math.ceil(m.userIds.length / BLOCK);
  if (!shared) {
    const state = prepareRanking(init, model);
    for (let c = 0; c < chunks; c++) await options.onBlock(rankBlock(state, c));
    return;
  }
  // Blocks complete out of order; each is handed over once all before it were.
  const pending = new Map<number, RankedBlock>();
  let next = 0;
  let chain = Promise.resolve();
  await runChunks<RankInit, RankedBlock>({
    worker: new URL("./ranked_users_worker.ts", import.meta.url),
    init,
    chunks,
    workers: options.workers,
    keepResults: false,
    onChunk(chunk, block) {
      pending.set(chunk, block);
      while (pending.has(next)) {
        const b = pending.get(next)!;
        pending.delete(next++);
        chain = chain.then(() => options.onBlock(b));
        // Rejections surface at the final await; this keeps one from being "unhandled" before it.
        chain.catch(() => {});
      }
    },
  });
  await chain;
}
