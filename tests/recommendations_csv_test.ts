import assert from "node:assert/strict";
import {
  parseRecommendations,
  RecommendationsFormatError,
} from "../lib/store/recommendations_csv.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

function rows(text: string): [number, number, number][] {
  const r = parseRecommendations(bytes(text), "r.csv");
  return Array.from({ length: r.length }, (_, i) => [r.users[i], r.movies[i], r.predictions[i]]);
}

function failsAt(text: string, line: number): void {
  assert.throws(() => parseRecommendations(bytes(text), "r.csv"), (err: unknown) => {
    assert.ok(err instanceof RecommendationsFormatError, String(err));
    assert.deepEqual([err.file, err.line], ["r.csv", line]);
    return true;
  });
}

Deno.test("recommendations file", async (t) => {
  await t.step("reads rows after the header, predictions exactly as Number() does", () => {
    assert.deepEqual(rows("userId,movieId,prediction\n1,10,4.5\n1,7,3.123456\n2,5,-0.25\n"), [
      [1, 10, 4.5],
      [1, 7, 3.123456],
      [2, 5, -0.25],
    ]);
  });

  await t.step("accepts a BOM, CRLF and no final newline", () => {
    assert.deepEqual(rows("\ufeffuserId,movieId,prediction\r\n3,4,5\r\n3,6,4.0"), [
      [3, 4, 5],
      [3, 6, 4],
    ]);
  });

  await t.step("accepts a header-only file", () => {
    assert.deepEqual(rows("userId,movieId,prediction\n"), []);
  });

  await t.step("rejects a missing or different header", () => {
    failsAt("1,10,4.5\n", 1);
    failsAt("", 1);
  });

  await t.step("reads id 0 like any other id (the ratings parser accepts it)", () => {
    const r = parseRecommendations(
      new TextEncoder().encode("userId,movieId,prediction\n0,0,4.5\n"),
      "r.csv",
    );
    assert.deepEqual([r.users[0], r.movies[0]], [0, 0]);
  });
  await t.step("rejects malformed lines naming the line", () => {
    failsAt("userId,movieId,prediction\n1,10,4.5\n1,x,4.5\n", 3);
    failsAt("userId,movieId,prediction\n1,10\n", 2);
    failsAt("userId,movieId,prediction\n1,10,4.5,9\n", 2);
    failsAt("userId,movieId,prediction\n-1,10,4.5\n", 2);
    failsAt("userId,movieId,prediction\n1,10,4.5e0\n", 2);
    failsAt("userId,movieId,prediction\n1,10,4.5\n\n1,11,3\n", 3);
  });
});
