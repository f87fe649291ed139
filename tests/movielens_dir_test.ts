import assert from "node:assert/strict";
import { MovieLensDirError, readMovieCatalog, resolveMovieLensDir } from "../lib/movielens_dir.ts";
import { parseMoviesDat, parseUItem } from "../lib/movielens_legacy.ts";
import { MovieLensCsvError } from "../lib/movielens_csv.ts";

import { LAYOUTS as FIX } from "./fixtures/layouts.ts";

Deno.test("GroupLens release directories", async (t) => {
  await t.step("detects each layout from its ratings file", async () => {
    const got = await Promise.all(
      ["ml-100k", "ml-1m", "ml-10m", "ml-latest-small"].map((d) =>
        resolveMovieLensDir(`${FIX}/${d}`)
      ),
    );
    assert.deepEqual(got.map((d) => [d.layout, d.separator]), [
      ["u-data", "\t"],
      ["dat", "::"],
      ["dat", "::"],
      ["csv", ","],
    ]);
    assert.equal(got[0].ratings, `${FIX}/ml-100k/u.data`);
    assert.equal(got[0].movies, `${FIX}/ml-100k/u.item`);
    assert.equal(got[0].links, null, "ml-100k ships no links");
    assert.equal(got[1].links, null, "ml-1m ships no links");
    assert.equal(got[2].tags, `${FIX}/ml-10m/tags.dat`);
    assert.equal(got[3].links, `${FIX}/ml-latest-small/links.csv`);
  });

  await t.step("a forced layout needs its own files and names the one missing", async () => {
    await assert.rejects(() => resolveMovieLensDir(`${FIX}/ml-100k`, "csv"), (err: unknown) => {
      assert.ok(err instanceof MovieLensDirError);
      assert.equal(
        err.message,
        `${FIX}/ml-100k: no ratings.csv (layout csv: ml-20m, ml-25m, ` +
          `ml-32m, ml-latest, ml-latest-small)`,
      );
      return true;
    });
    assert.equal((await resolveMovieLensDir(`${FIX}/ml-1m`, "dat")).layout, "dat");
  });

  await t.step("names a missing path, a file, and a directory that is no release", async () => {
    const dir = await Deno.makeTempDir();
    await Deno.writeTextFile(`${dir}/notes.txt`, "x");
    const cases: [string, RegExp][] = [
      [`${dir}/nope`, /nope: no such directory$/],
      [`${dir}/notes.txt`, /notes\.txt: not a directory/],
      [dir, /: no ratings\.csv, ratings\.dat, u\.data: not a GroupLens MovieLens release$/],
    ];
    for (const [path, re] of cases) {
      await assert.rejects(() => resolveMovieLensDir(path), (err: unknown) => {
        assert.ok(err instanceof MovieLensDirError);
        assert.ok(err.message.startsWith(path), err.message);
        assert.match(err.message, re);
        return true;
      });
    }
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("reads ml-100k's Latin-1 u.item: titles, years, genres from the flags", async () => {
    const { movies, links } = await readMovieCatalog(await resolveMovieLensDir(`${FIX}/ml-100k`));
    assert.equal(movies.length, 7);
    assert.deepEqual(movies[0], {
      movieId: 1,
      title: "Toy Story (1995)",
      genres: ["Animation", "Children's", "Comedy"],
      year: 1995,
    });
    assert.equal(movies[2].title, "Misérables, Les (1995)");
    assert.deepEqual(movies[2].genres, ["Drama", "Musical", "War"]);
    assert.deepEqual(movies[6], { movieId: 7, title: "unknown", genres: [], year: null });
    assert.deepEqual(links, []);
  });

  await t.step("reads ml-1m's Latin-1 and ml-10m's UTF-8 movies.dat alike", async () => {
    const m1 = (await readMovieCatalog(await resolveMovieLensDir(`${FIX}/ml-1m`))).movies;
    const m10 = (await readMovieCatalog(await resolveMovieLensDir(`${FIX}/ml-10m`))).movies;
    assert.equal(m1[2].title, "Misérables, Les (1995)");
    assert.equal(m10[2].title, "Misérables, Les (1995)");
    assert.deepEqual(m1[0].genres, ["Animation", "Children's", "Comedy"]);
    assert.deepEqual(m10[6].genres, [], "(no genres listed)");
    assert.equal(m1[4].year, 1942);
  });

  await t.step("reads the CSV layout's movies and links, empty tmdbIds as null", async () => {
    const { movies, links } = await readMovieCatalog(
      await resolveMovieLensDir(`${FIX}/ml-latest-small`),
    );
    assert.equal(movies[2].title, "Misérables, Les (1995)");
    assert.equal(links.length, 7);
    assert.deepEqual(links.filter((l) => l.tmdbId === null).map((l) => l.movieId), [3, 7]);
  });

  await t.step(
    "a Latin-1 movies.csv reads right, with one warning naming file and line",
    async () => {
      const dir = await Deno.makeTempDir();
      const bytes = [
        ...new TextEncoder().encode("movieId,title,genres\n1,Heat (1995),Action\n2,Am"),
        0xe9,
        ...new TextEncoder().encode("lie "),
        0xe0,
        ...new TextEncoder().encode(" Paris (2001),Comedy\n3,Cr"),
        0xe8,
        ...new TextEncoder().encode("me (2002),Drama\n"),
      ];
      await Deno.writeFile(`${dir}/movies.csv`, new Uint8Array(bytes));
      const warnings: string[] = [];
      const { movies, encoding } = await readMovieCatalog(
        { movies: `${dir}/movies.csv`, links: null },
        { warn: (m) => warnings.push(m) },
      );
      assert.deepEqual(movies.map((m) => m.title), [
        "Heat (1995)",
        "Am\u00e9lie \u00e0 Paris (2001)",
        "Cr\u00e8me (2002)",
      ]);
      assert.equal(encoding.movies, "latin-1");
      assert.equal(warnings.length, 1, warnings.join("\n"));
      assert.match(warnings[0], new RegExp(`^warning: ${dir}/movies\\.csv:3: not valid UTF-8`));
      await Deno.remove(dir, { recursive: true });
    },
  );

  await t.step("a UTF-8 movie list reads without a warning", async () => {
    const warnings: string[] = [];
    const { encoding } = await readMovieCatalog(
      await resolveMovieLensDir(`${FIX}/ml-latest-small`),
      { warn: (m) => warnings.push(m) },
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(encoding, { movies: "utf-8", links: "utf-8" });
  });

  await t.step("a malformed u.item or movies.dat record names file, line and field", () => {
    const flags = "|0".repeat(19);
    assert.throws(
      () => parseUItem(`1|A (1995)|||${flags}\n2|B|||x${flags.slice(2)}\n`, "u.item"),
      (e) => e instanceof MovieLensCsvError && e.line === 2 && e.field === "columns",
    );
    assert.throws(
      () => parseUItem(`1|A (1995)|||x${flags.slice(0, -1)}2\n`, "u.item"),
      (e) => e instanceof MovieLensCsvError && e.line === 1 && e.field === "genres",
    );
    assert.throws(
      () => parseMoviesDat("1::A::Drama\n1::B::Drama\n", "movies.dat"),
      (e) => e instanceof MovieLensCsvError && e.line === 2 && e.field === "movieId",
    );
    assert.throws(
      () => parseMoviesDat("1::A\n", "movies.dat"),
      (e) => e instanceof MovieLensCsvError && e.line === 1 && e.field === "columns",
    );
  });
});
