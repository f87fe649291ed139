/** Worker side of lib/models/bayes_mf.ts: samples chunks of rows of one side per phase. */
import { servePhases } from "../worker_pool.ts";
import { prepareGibbs, sampleRows } from "./bayes_mf.ts";

servePhases(prepareGibbs, sampleRows);
