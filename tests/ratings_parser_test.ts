import assert from "node:assert/strict";
import {
  type RatingSink,
  RatingsParser,
  type RatingsSeparator,
  sniffSeparator,
} from "../lib/ratings_parser.ts";
import { RatingsFormatError, RatingsInputError } from "../lib/ratings_error.ts";
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
function parse(
  text: string,
  chunk = 1 << 20,
  skipInvalid = false,
  separator: RatingsSeparator = ",",
) {
  const sink = new Collect();
  const parser = new RatingsParser(sink, { file: "r.csv", skipInvalid, separator });
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += chunk) parser.push(bytes.subarray(i, i + chunk));
  const stats = parser.finish();
  return { rows: sink.rows, stats };
}

function parseError(text: string, separator: RatingsSeparator = ","): RatingsFormatError {
  try {
    parse(text, 1 << 20, false, separator);
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

  await t.step("reads ml-1m/ml-10m '::' lines, half stars included", () => {
    const { rows } = parse("1::122::5::838985046\n1::185::4.5::838983525\n", 3, false, "::");
    assert.deepEqual(rows.map((r) => r.slice(0, 4)), [[1, 122, 10, 838985046], [
      1,
      185,
      9,
      838983525,
    ]]);
  });

  await t.step("reads ml-100k TAB lines and ignores a TAB after the timestamp", () => {
    const { rows } = parse("196\t242\t3\t881250949\n0\t133\t1\t883603013\t\n", 5, false, "\t");
    assert.deepEqual(rows.map((r) => r.slice(0, 4)), [[196, 242, 6, 881250949], [
      0,
      133,
      2,
      883603013,
    ]]);
  });

  await t.step("rejects a single ':' in a '::' file, naming the columns", () => {
    const err = parseError("1::2::3::4\n1:2::3::4\n", "::");
    assert.equal(err.line, 2);
    assert.match(err.message, /userId::movieId::rating::timestamp/);
  });

  await t.step("sniffs the separator from the first rating line", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    assert.equal(sniffSeparator(enc("userId,movieId,rating,timestamp\n1,2,3,4\n")), ",");
    assert.equal(sniffSeparator(enc("1::2::3::4\n")), "::");
    assert.equal(sniffSeparator(enc("196\t242\t3\t881250949\n")), "\t");
  });

  await t.step("rejects a last line cut inside its timestamp", () => {
    const err = parseError("1,10,4.0,1475449921\n1,20,3.5,1475449");
    assert.equal(err.line, 2);
    assert.equal(err.field, "timestamp");
    assert.match(err.message, /r\.csv:2: timestamp: .*7-digit timestamp after a 10-digit one/);
  });

  await t.step("skips and counts a cut last line under skipInvalid", () => {
    const { rows, stats } = parse("1,10,4.0,1475449921\n1,20,3.5,147", 4, true);
    assert.equal(rows.length, 1);
    assert.equal(stats.skipped, 1);
    assert.equal(stats.firstSkipped?.line, 2);
  });

  await t.step("rejects a last line cut before its timestamp (a missing field)", () => {
    assert.equal(parseError("1,10,4.0,1475449921\n1,20,3.5").field, "columns");
    assert.equal(parseError("1::10::4::1475449921\n1::20::", "::").line, 2);
  });

  await t.step("accepts a short timestamp on a last line that ends with a newline", () => {
    assert.equal(parse("1,10,4.0,1475449921\n1,20,3.5,0\n").rows.length, 2);
  });
});

/** Writes `text` to a temp file and expects readRatingsTable to refuse it as holding no ratings. */
async function rejectsNoRatings(text: string, skipInvalid = false): Promise<void> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/ratings.csv`;
  await Deno.writeTextFile(path, text);
  await assert.rejects(() => readRatingsTable(path, { skipInvalid }), (err: unknown) => {
    assert.ok(err instanceof RatingsInputError, String(err));
    assert.equal(err.file, path);
    assert.match(err.message, new RegExp(`^${path}: no ratings`));
    return true;
  });
  await Deno.remove(dir, { recursive: true });
}

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

  await t.step("refuses an empty input (0 bytes): 'file: no ratings'", async () => {
    await rejectsNoRatings("");
  });

  await t.step("refuses a header-only file: 'file: no ratings'", async () => {
    await rejectsNoRatings("userId,movieId,rating,timestamp\n");
  });

  await t.step("refuses a file of blank lines: 'file: no ratings'", async () => {
    await rejectsNoRatings("\n\r\n\n");
  });

  await t.step("refuses a file with no valid rating under skipInvalid", async () => {
    await rejectsNoRatings("userId,movieId,rating,timestamp\n1,2,9.0,3\n", true);
  });

  await t.step("names a directory given as a ratings file", async () => {
    const dir = await Deno.makeTempDir();
    await assert.rejects(() => readRatingsTable(dir), (err: unknown) => {
      assert.ok(err instanceof RatingsInputError);
      assert.equal(err.message, `${dir}: is a directory, not a ratings file`);
      return true;
    });
    await assert.rejects(() => readRatingsTable(`${dir}/nope.csv`), (err: unknown) => {
      assert.ok(err instanceof RatingsInputError);
      assert.equal(err.message, `${dir}/nope.csv: no such file`);
      return true;
    });
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("reads any separator without being told, by sniffing", async () => {
    const dir = await Deno.makeTempDir();
    await Deno.writeTextFile(`${dir}/u.data`, "1\t10\t4\t964982703\n2\t10\t1\t964982224\n");
    await Deno.writeTextFile(`${dir}/ratings.dat`, "1::10::4::964982703\n2::10::0.5::964982224\n");
    assert.deepEqual([...(await readRatingsTable(`${dir}/u.data`)).table.ratings], [8, 2]);
    assert.deepEqual([...(await readRatingsTable(`${dir}/ratings.dat`)).table.ratings], [8, 1]);
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("grows its columns past the initial estimate", async () => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/short.csv`;
    // 10-byte lines, well under the size/16 estimate's assumption.
    await Deno.writeTextFile(
      path,
      Array.from({ length: 5000 }, (_, i) => `${i % 9},${i},1,1\n`).join(""),
    );
    const { table } = await readRatingsTable(path, { shared: true });
    assert.equal(table.length, 5000);
    assert.equal(table.users[4999], 4999 % 9);
    assert.ok(table.users.buffer instanceof SharedArrayBuffer);
    await Deno.remove(dir, { recursive: true });
  });
});
