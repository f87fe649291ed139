/**
 * Worker side of lib/models/item_cooccurrence.ts: claims row blocks and
 * returns each block's top-k rows, buffers transferred.
 */
import { serveChunks } from "../worker_pool.ts";
import {
  type BlockRows,
  cooccurrenceBlock,
  type CooccurrenceInit,
  prepareCooccurrence,
} from "./item_cooccurrence.ts";

serveChunks<CooccurrenceInit, ReturnType<typeof prepareCooccurrence>, BlockRows>(
  prepareCooccurrence,
  cooccurrenceBlock,
  (r) => [r.sizes.buffer, r.items.buffer, r.values.buffer],
);
