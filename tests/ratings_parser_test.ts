import assert from "node:assert/strict";
import { type RatingSink, RatingsParser } from "../lib/ratings_parser.ts";
import { RatingsFormatError } from "../lib/ratings_error.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";

type Row = [number, number, number, number, string];

/** Collects parsed rows and each line's verbatim text. */
class Collect implements RatingSink {
  rows: Row[] = [];
  rating(u: number, m: number, r: number, t: number, buf: Uint8Array, s: number, e: number) {
    this.rows.push([u, m, r, t, new TextDecoder().decode(buf.subarray(s, e))]);
  }
}

/** Parses `text` fed in chunks of `chunk` bytes (to exercise lines spanning chunks). */
function parse(text: string, chunk = 1 << 20, skipInvalid = false) {
  const sink = new Collect();
  const parser = new RatingsParser(sink, { file: "r.csv", skipInvalid });
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += chunk) parser.push(bytes.subarray(i, i + chunk));
  const stats = parser.finish();
  return { rows: sink.rows, stats };
}

function parseError(text: string): RatingsFormatError {
  try {
    parse(text);
  } catch (err) {
    assert.ok(err instanceof RatingsFormatError, `expected RatingsFormatError, got ${err}`);
    return err;
  }
  assert.fail("expected a RatingsFormatError");
}

Deno.test("ratings parser", async (t) => {
  await t.step("reads a header and LF lines into half-star integers", () => {
    const { rows, stats } = parse(
      "userId,movieId,rating,timestamp\n1,10,4.0,964982703\n2,20,0.5,5\n",
    );
    assert.deepEqual(rows, [
      [1, 10, 8, 964982703, "1,10,4.0,964982703"],
      [2, 20, 1, 5, "2,20,0.5,5"],
    ]);
    assert.equal(stats.records, 2);
  });

  await t.step("accepts a file without header", () => {
    assert.deepEqual(parse("7,8,3.5,1\n").rows, [[7, 8, 7, 1, "7,8,3.5,1"]]);
  });

  await t.step("accepts CRLF line ends and strips the CR from the line", () => {
    assert.deepEqual(parse("userId,movieId,rating,timestamp\r\n1,2,5.0,3\r\n").rows, [[
      1,
      2,
      10,
      3,
      "1,2,5.0,3",
    ]]);
  });

  await t.step("accepts a UTF-8 BOM before the header", () => {
    assert.equal(parse("\ufeffuserId,movieId,rating,timestamp\n1,2,1.0,3\n").rows.length, 1);
  });

  await t.step("accepts a missing final newline", () => {
    assert.deepEqual(parse("1,2,2.5,3\n4,5,3,6").rows.map((r) => r.slice(0, 4)), [[1, 2, 5, 3], [
      4,
      5,
      6,
      6,
    ]]);
  });

  await t.step("accepts whole-number ratings and trailing zeros", () => {
    assert.deepEqual(parse("1,2,4,3\n1,3,4.50,3\n").rows.map((r) => r[2]), [8, 9]);
  });

  await t.step("gives the same rows whatever the chunk size", () => {
    const text = "userId,movieId,rating,timestamp\r\n" +
      Array.from(
        { length: 50 },
        (_, i) => `${i + 1},${i * 7 + 1},${(i % 10 + 1) / 2},${1000 + i}\r\n`,
      ).join("");
    const whole = parse(text).rows;
    for (const chunk of [1, 2, 3, 7, 64]) assert.deepEqual(parse(text, chunk).rows, whole);
    assert.equal(whole.length, 50);
  });

  await t.step("ignores blank lines at the very end", () => {
    assert.equal(parse("1,2,3.0,4\n\n\n").rows.length, 1);
  });

  await t.step("rejects an empty line in the middle, naming its line", () => {
    const err = parseError("userId,movieId,rating,timestamp\n1,2,3.0,4\n\n5,6,1.0,7\n");
    assert.equal(err.line, 3);
    assert.equal(err.field, "line");
    assert.match(err.message, /^r\.csv:3: /);
  });

  await t.step("rejects a wrong column count", () => {
    const err = parseError("1,2,3.0,4\n1,2,3.0\n");
    assert.equal(err.line, 2);
    assert.equal(err.field, "columns");
    assert.match(err.message, /expected 4 columns/);
    assert.equal(parseError("1,2,3.0,4,5\n").field, "columns");
  });

  await t.step("rejects a non-numeric user id", () => {
    const err = parseError("1,2,3.0,4\nx,2,3.0,4\n");
    assert.equal(err.line, 2);
    assert.equal(err.field, "userId");
    assert.match(err.message, /r\.csv:2: userId: 'x'/);
  });

  await t.step("rejects a non-numeric movie id", () => {
    const err = parseError("1,2a,3.0,4\n");
    assert.equal(err.field, "movieId");
    assert.equal(err.line, 1);
  });

  await t.step("rejects ratings outside 0.5..5.0 or not on a half star", () => {
    for (const bad of ["5.5", "0.0", "0", "3.25", "6", "-1", "4.", "abc"]) {
      const err = parseError(`1,2,${bad},4\n`);
      assert.equal(err.field, "rating", bad);
      assert.match(err.message, /half-star rating between 0\.5 and 5\.0/, bad);
    }
  });

  await t.step("rejects a bad timestamp", () => {
    assert.equal(parseError("1,2,3.0,x\n").field, "timestamp");
  });

  await t.step("counts the line number past the header", () => {
    assert.equal(parseError("userId,movieId,rating,timestamp\n1,2,3.0,4\n1,2,9.0,4\n").line, 3);
  });

  await t.step("skipInvalid skips, counts and keeps the first error", () => {
    const { rows, stats } = parse("1,2,3.0,4\nbad\n1,3,9,4\n2,2,1.0,4\n", 1 << 20, true);
    assert.equal(rows.length, 2);
    assert.equal(stats.skipped, 2);
    assert.equal(stats.firstSkipped?.line, 2);
  });
});

Deno.test("readRatingsTable", async (t) => {
  await t.step("reads the LF fixture into columns", async () => {
    const { table } = await readRatingsTable("tests/fixtures/ratings_small.csv");
    assert.equal(table.length, 4);
    assert.deepEqual([...table.users], [1, 1, 2, 3]);
    assert.deepEqual([...table.movies], [10, 20, 10, 30]);
    assert.deepEqual([...table.ratings], [8, 7, 1, 10]);
    assert.deepEqual([...table.timestamps], [964982703, 964981247, 964982224, 964983815]);
  });

  await t.step("reads the CRLF + BOM fixture without final newline identically", async () => {
    const a = await readRatingsTable("tests/fixtures/ratings_small.csv");
    const b = await readRatingsTable("tests/fixtures/ratings_crlf_bom.csv");
    assert.deepEqual([...b.table.users], [...a.table.users]);
    assert.deepEqual([...b.table.ratings], [...a.table.ratings]);
    assert.deepEqual([...b.table.timestamps], [...a.table.timestamps]);
  });

  await t.step("names the file in errors", async () => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/broken.csv`;
    await Deno.writeTextFile(path, "1,2,3.0,4\n1,2,3.0\n");
    await assert.rejects(() => readRatingsTable(path), (err: unknown) => {
      assert.ok(err instanceof RatingsFormatError);
      assert.equal(err.file, path);
      assert.equal(err.line, 2);
      return true;
    });
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("grows its columns past the initial estimate", async () => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/short.csv`;
    // 10-byte lines, well under the size/16 estimate's assumption.
    await Deno.writeTextFile(
      path,
      Array.from({ length: 5000 }, (_, i) => `${i % 9},1,1,1\n`).join(""),
    );
    const { table } = await readRatingsTable(path, { shared: true });
    assert.equal(table.length, 5000);
    assert.equal(table.users[4999], 4999 % 9);
    assert.ok(table.users.buffer instanceof SharedArrayBuffer);
    await Deno.remove(dir, { recursive: true });
  });
});
