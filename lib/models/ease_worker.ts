/** Worker side of lib/models/ease.ts: one range of rows of G = XᵀX. */
import { serveChunks } from "../worker_pool.ts";
import { type GramInit, gramRows } from "./ease.ts";

serveChunks((init: GramInit) => init, gramRows);
