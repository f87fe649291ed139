/** Worker side of lib/recommend/ranked_users.ts: ranks blocks of users with the shared model. */
import { serveChunks } from "../worker_pool.ts";
import { prepareRanking, rankBlock, type RankedBlock } from "./ranked_users.ts";

serveChunks(
  prepareRanking,
  rankBlock,
  (
    b: RankedBlock,
  ) => [b.sizes.buffer, b.items.buffer, b.scores.buffer, ...(b.because ? [b.because.buffer] : [])],
);
