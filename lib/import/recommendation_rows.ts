/**
 * The model's recommendation list as store rows, checked against the ratings:
 * the serving list
 * (`serving_recommendations.csv`) ordered by (user, rank) after checking that
 * ranks run 1, 2, 3, … per user, no rated movie is listed and every
 * "because" movie is one the user rated with those stars ({@link servingRows}).
 */
import { countingOrder, maxOf } from "../counting_order.ts";
import { RecommendationsFormatError } from "../store/recommendations_csv.ts";
import type { ServingColumns } from "../store/serving_csv.ts";
import type { TableData } from "../store/loader.ts";
import type { RatedMovies } from "./rated_movies.ts";

/**
 * The serving list as `user_recommendations` rows, ordered by (user, rank),
 * after checking it against the ratings (module doc). The file's columns are
 * reused when it is already in that order, as the pipeline writes it.
 */
export function servingRows(
  sv: ServingColumns,
  rated: RatedMovies,
  ratingFiles: readonly string[],
  file: string,
): TableData {
  const n = sv.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    sorted = sv.users[i] > sv.users[i - 1] ||
      (sv.users[i] === sv.users[i - 1] && sv.ranks[i] > sv.ranks[i - 1]);
  }
  let c = sv;
  if (!sorted) {
    const order = countingOrder(
      sv.users,
      countingOrder(sv.ranks, null, maxOf(sv.ranks)),
      maxOf(sv.users),
    );
    const pick = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const o = new (a.constructor as { new (n: number): T })(n);
      for (let j = 0; j < n; j++) o[j] = a[order[j]];
      return o;
    };
    c = {
      length: n,
      users: pick(sv.users),
      ranks: pick(sv.ranks),
      movies: pick(sv.movies),
      scores: pick(sv.scores),
      predictions: pick(sv.predictions),
      becauseMovies: pick(sv.becauseMovies),
      becauseRatings2: pick(sv.becauseRatings2),
      lines: pick(sv.lines),
    };
  }
  const seen = new Int32Array(maxOf(c.movies) + 1);
  let expected = 1;
  const fail = (i: number, reason: string) =>
    new RecommendationsFormatError(file, c.lines[i], `userId ${c.users[i]}: ${reason}`);
  for (let i = 0; i < n; i++) {
    const u = c.users[i], m = c.movies[i];
    if (i === 0 || u !== c.users[i - 1]) {
      rated.mark(u);
      expected = 1;
    }
    if (c.ranks[i] !== expected) {
      throw fail(
        i,
        `rank ${c.ranks[i]} where ${expected} was expected (ranks run 1, 2, 3, … once)`,
      );
    }
    expected++;
    if (rated.ratingOf(m) !== 0) {
      throw fail(
        i,
        `movieId ${m} is rated in ${ratingFiles[rated.splitOf(m)]}; rated movies are never served`,
      );
    }
    // Stamped with row + 1 per user: a repeat within the user's rows matches.
    if (seen[m] > 0 && c.users[seen[m] - 1] === u) throw fail(i, `movieId ${m} listed twice`);
    seen[m] = i + 1;
    const bm = c.becauseMovies[i];
    if (bm === 0) continue;
    const r2 = rated.ratingOf(bm);
    if (r2 === 0) throw fail(i, `becauseMovieId ${bm} is not a movie the user rated`);
    if (r2 !== c.becauseRatings2[i]) {
      throw fail(
        i,
        `becauseRating ${c.becauseRatings2[i] / 2} but the user rated movieId ${bm} ${r2 / 2}`,
      );
    }
  }
  // pos is 0-based, as in user_item_predictions; ranks are checked to be 1..n per user.
  const pos = c.ranks;
  for (let i = 0; i < n; i++) pos[i]--;
  // No "because": 0 in both columns, as parsed (lib/store/schema.ts says why not NULL).
  return {
    table: "user_recommendations",
    length: n,
    columns: [
      c.users,
      pos,
      c.movies,
      c.scores,
      c.predictions,
      c.becauseMovies,
      c.becauseRatings2,
    ],
  };
}
