import assert from "node:assert/strict";
import {
  MovieLensCsvError,
  parseLinks,
  parseMovies,
  parseTags,
  readLinks,
  readMovies,
  readTags,
} from "../lib/movielens_csv.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/** Asserts that `f` throws a MovieLensCsvError with these fields. */
function throwsAt(f: () => unknown, file: string, line: number, field: string): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof MovieLensCsvError, String(err));
    assert.deepEqual([err.file, err.line, err.field], [file, line, field]);
    assert.ok(err.message.startsWith(`${file}:${line}: ${field}`), err.message);
    return true;
  });
}

Deno.test("movies.csv", async (t) => {
  await t.step(
    "reads quoted titles with commas and doubled quotes, BOM, CRLF, unicode",
    async () => {
      const movies = await readMovies(fixture("movies_quoted_crlf.csv"));
      assert.deepEqual(movies.map((m) => [m.movieId, m.title, m.year]), [
        [1, "Toy Story (1995)", 1995],
        [11, "American President, The (1995)", 1995],
        [29, "City of Lost Children, The (Cité des enfants perdus, La) (1995)", 1995],
        [1000, '"Great" Escape, The', null],
        [2000, "Amélie (Fabuleux destin d'Amélie Poulain) (2001)", 2001],
        [3000, "Nosferatu 🧛 (1922)", 1922],
      ]);
      assert.deepEqual(movies[0].genres, ["Adventure", "Animation", "Children"]);
      assert.deepEqual(movies[5].genres, []);
    },
  );

  await t.step("reads the same records from LF without BOM", () => {
    const text = 'movieId,title,genres\n11,"American President, The (1995)",Comedy|Drama\n';
    assert.deepEqual(parseMovies(text), [{
      movieId: 11,
      title: "American President, The (1995)",
      genres: ["Comedy", "Drama"],
      year: 1995,
    }]);
  });

  await t.step("accepts a title with a quoted line break", () => {
    const movies = parseMovies('movieId,title,genres\n5,"Two\nLines (1990)",Drama\n');
    assert.equal(movies[0].title, "Two\nLines (1990)");
  });

  await t.step("rejects a wrong header on line 1", () => {
    throwsAt(() => parseMovies("id,title,genres\n1,A,B\n", "m.csv"), "m.csv", 1, "header");
  });

  const rejected: [string, string, string][] = [
    ["a bad movieId naming its line", "1,A (1990),Drama\nx2,B,Drama\n", "movieId"],
    ["an unclosed quote as a CSV syntax error", '1,A,Drama\n2,"B"x,Drama\n', "csv"],
    ["a wrong number of fields", "1,A,Drama\n2,B, The,Drama\n", "columns"],
    ["a duplicated movieId", "1,A,Drama\n1,B,Drama\n", "movieId"],
  ];
  for (const [what, rows, field] of rejected) {
    await t.step(`rejects ${what}`, () => {
      throwsAt(() => parseMovies("movieId,title,genres\n" + rows, "m.csv"), "m.csv", 3, field);
    });
  }
});

Deno.test("links.csv", async (t) => {
  await t.step("reads empty imdbId and tmdbId as null", async () => {
    assert.deepEqual(await readLinks(fixture("links_empty_tmdb.csv")), [
      { movieId: 1, imdbId: "0114709", tmdbId: 862 },
      { movieId: 11, imdbId: "0112346", tmdbId: 9087 },
      { movieId: 29, imdbId: "0112682", tmdbId: null },
      { movieId: 1000, imdbId: null, tmdbId: null },
    ]);
  });

  await t.step("rejects a non-numeric tmdbId naming its line", () => {
    const text = "movieId,imdbId,tmdbId\r\n1,0114709,862\r\n2,0113497,abc\r\n";
    throwsAt(() => parseLinks(text, "l.csv"), "l.csv", 3, "tmdbId");
  });

  await t.step("rejects a non-numeric imdbId", () => {
    throwsAt(
      () => parseLinks("movieId,imdbId,tmdbId\n1,tt0114709,862\n", "l.csv"),
      "l.csv",
      2,
      "imdbId",
    );
  });
});

Deno.test("tags.csv", async (t) => {
  await t.step("reads quoted tags with commas, doubled quotes and unicode", async () => {
    assert.deepEqual(await readTags(fixture("tags_small.csv")), [
      { userId: 2, movieId: 60756, tag: "funny", timestamp: 1445714994 },
      { userId: 2, movieId: 89774, tag: "Tom Hardy, boxing", timestamp: 1445715205 },
      { userId: 7, movieId: 48516, tag: '"quoted" tag', timestamp: 1169687325 },
      { userId: 18, movieId: 431, tag: "Äpfel ünd Birnen", timestamp: 1462138790 },
    ]);
  });

  await t.step("rejects a bad timestamp naming its line", () => {
    const text = "userId,movieId,tag,timestamp\n2,60756,funny,soon\n";
    throwsAt(() => parseTags(text, "t.csv"), "t.csv", 2, "timestamp");
  });

  await t.step("reports a missing file with its path", async () => {
    await assert.rejects(readTags(fixture("no_such_tags.csv")), (err: unknown) => {
      assert.ok(err instanceof Deno.errors.NotFound);
      assert.ok(err.message.includes(fixture("no_such_tags.csv")), err.message);
      return true;
    });
  });
});
