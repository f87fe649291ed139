import assert from "node:assert/strict";
import { parseServing } from "../lib/store/serving_csv.ts";
import { CSV_HEADERS } from "../lib/run_dir.ts";

const SERVING_HEADER = CSV_HEADERS.serving;
import { RecommendationsFormatError } from "../lib/store/recommendations_csv.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const HEAD = SERVING_HEADER + "\n";

function rows(text: string): number[][] {
  const r = parseServing(bytes(text), "s.csv");
  return Array.from({ length: r.length }, (_, i) => [
    r.users[i],
    r.ranks[i],
    r.movies[i],
    r.scores[i],
    r.predictions[i],
    r.becauseMovies[i],
    r.becauseRatings2[i],
    r.lines[i],
  ]);
}

function failsAt(text: string, line: number, reason?: RegExp): void {
  assert.throws(() => parseServing(bytes(text), "s.csv"), (err: unknown) => {
    assert.ok(err instanceof RecommendationsFormatError, String(err));
    assert.deepEqual([err.file, err.line], ["s.csv", line]);
    if (reason) assert.match(err.reason, reason);
    return true;
  });
}

Deno.test("serving recommendations file", async (t) => {
  await t.step("reads rows, an empty 'because' as 0, half stars as integers × 2", () => {
    assert.deepEqual(
      rows(HEAD + "1,1,2571,0.834512,4.512345,1196,4.5\n1,2,318,0.80001,4.390000,,\n"),
      [
        [1, 1, 2571, 0.834512, 4.512345, 1196, 9, 2],
        [1, 2, 318, 0.80001, 4.39, 0, 0, 3],
      ],
    );
  });

  await t.step("accepts a BOM, CRLF, no final newline and a header-only file", () => {
    assert.deepEqual(rows("\ufeff" + SERVING_HEADER + "\r\n2,1,5,-0.5,3,7,0.5"), [
      [2, 1, 5, -0.5, 3, 7, 1, 2],
    ]);
    assert.deepEqual(rows(HEAD), []);
  });

  await t.step("rejects a missing or different header", () => {
    failsAt("1,1,2,0.5,4.0,,\n", 1, /expected header/);
    failsAt("userId,movieId,prediction\n", 1);
    failsAt("", 1);
  });

  await t.step("rejects malformed lines naming the line", () => {
    failsAt(HEAD + "1,1,2,0.5,4.0,,\n1,2,x,0.5,4.0,,\n", 3, /movieId/);
    failsAt(HEAD + "1,0,2,0.5,4.0,,\n", 2, /rank/);
    failsAt(HEAD + "1,1,2,0.5,4.0,\n", 2, /7 fields/);
    failsAt(HEAD + "1,1,2,0.5,4.0,,,\n", 2, /7 fields/);
    failsAt(HEAD + "1,1,2,,4.0,,\n", 2, /score/);
    failsAt(HEAD + "1,1,2,0.5,four,,\n", 2, /prediction/);
    failsAt(HEAD + "1,1,2,0.5,4.0,\n\n1,2,3,0.5,4.0,,\n", 2);
    failsAt(HEAD + "1,1,2,0.5,4.0,,\n\n1,2,3,0.5,4.0,,\n", 3, /blank/);
  });

  await t.step("rejects a 'because' half given or off the half-star scale", () => {
    failsAt(HEAD + "1,1,2,0.5,4.0,3,\n", 2, /both/);
    failsAt(HEAD + "1,1,2,0.5,4.0,,4.0\n", 2, /both/);
    failsAt(HEAD + "1,1,2,0.5,4.0,3,4.2\n", 2, /becauseRating/);
    failsAt(HEAD + "1,1,2,0.5,4.0,3,0\n", 2, /becauseRating/);
    failsAt(HEAD + "1,1,2,0.5,4.0,3,5.5\n", 2, /becauseRating/);
    failsAt(HEAD + "1,1,2,0.5,4.0,0,4.0\n", 2, /becauseMovieId/);
  });
});
