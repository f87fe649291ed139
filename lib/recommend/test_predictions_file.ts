/**
 * `test_predictions.csv` (docs/ARCHITECTURE.md, "Pipeline outputs"): header
 * `userId,movieId,prediction`, then one line for every line of
 * `ratings_test.csv`, in its order, the rating model's prediction with 6
 * decimals. Written through lib/atomic_file.ts. Cost: one prediction per
 * test rating.
 *
 * Apart from lib/recommend/model_files.ts (the ranking files) so that the
 * rating-model step's code fingerprint (lib/code_fingerprint.ts) does not
 * reach the ranking code.
 */
import { AtomicFileWriter } from "../atomic_file.ts";
import { denseIndexOf, type RatingMatrix } from "../rating_matrix.ts";
import { CSV_HEADERS } from "../run_dir.ts";
import type { RatingsTable } from "../ratings_table.ts";
import type { RatingModel } from "../models/model.ts";

/** Writes `test_predictions.csv` for every line of `test`; returns the line count. */
export async function writeTestPredictions(
  model: RatingModel,
  m: RatingMatrix,
  test: RatingsTable,
  out: string,
): Promise<number> {
  const w = await AtomicFileWriter.open(out);
  try {
    await w.writeString(CSV_HEADERS.testPredictions + "\n");
    let buf = "";
    for (let k = 0; k < test.length; k++) {
      const u = denseIndexOf(m.userIndex, test.users[k]);
      const i = denseIndexOf(m.itemIndex, test.movies[k]);
      buf += `${test.users[k]},${test.movies[k]},${model.predict(u, i).toFixed(6)}\n`;
      if (buf.length > 1 << 16) {
        await w.writeString(buf);
        buf = "";
      }
    }
    await w.writeString(buf);
    await w.commit();
  } catch (err) {
    await w.abort();
    throw err;
  }
  return test.length;
}
