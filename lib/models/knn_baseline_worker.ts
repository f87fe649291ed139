/** Worker side of lib/models/knn_baseline.ts: sums one range of rows' pairs into its lists. */
import { serveChunks } from "../worker_pool.ts";
import { type SimilarityInit, similarityRange } from "./knn_baseline.ts";

serveChunks((init: SimilarityInit) => init, similarityRange);
