import assert from "node:assert/strict";
import { MovieSearchIndex, type SearchableMovie } from "../lib/movie_search.ts";
import { displayTitle, naturalTitle } from "../lib/movie_view.ts";

/** Hand-written titles in MovieLens' own forms; `ratings` decide ties of match quality. */
const MOVIES: SearchableMovie[] = [
  { movieId: 858, title: "Godfather, The (1972)", ratings: 50 },
  { movieId: 1221, title: "Godfather: Part II, The (1974)", ratings: 30 },
  { movieId: 2023, title: "Godfather: Part III, The (1990)", ratings: 20 },
  { movieId: 4973, title: "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)", ratings: 40 },
  { movieId: 9001, title: "Amélie (2001)", ratings: 2 },
  { movieId: 527, title: "Schindler's List (1993)", ratings: 45 },
  { movieId: 5349, title: "Spider-Man (2002)", ratings: 35 },
  { movieId: 1, title: "Toy Story (1995)", ratings: 60 },
  { movieId: 3114, title: "Toy Story 2 (1999)", ratings: 25 },
  { movieId: 7, title: "Story of Us, The (1999)", ratings: 3 },
  { movieId: 8, title: "Ami de mon amie, L' (1987)", ratings: 1 },
  { movieId: 9, title: "Æon Flux (2005)", ratings: 5 },
  { movieId: 1097, title: "E.T. the Extra-Terrestrial (1982)", ratings: 30 },
];

const index = new MovieSearchIndex(MOVIES);
const ids = (q: string, limit = 20) => index.search(q, limit).map((h) => h.movieId);

Deno.test("title search", async (t) => {
  await t.step("finds a title whatever the article order", () => {
    assert.deepEqual(ids("godfather"), [858, 1221, 2023]);
    assert.deepEqual(ids("the godfather"), [858, 1221, 2023]);
    assert.deepEqual(ids("godfather the"), [858, 1221, 2023]);
  });

  await t.step("the whole title first, then titles starting with the query", () => {
    const hits = index.search("godfather", 20);
    assert.deepEqual(hits.map((h) => h.quality), [0, 1, 1]);
    // Toy Story (60 ratings) is a prefix match like Toy Story 2 (25): most rated first.
    assert.deepEqual(ids("toy story"), [1, 3114]);
    assert.deepEqual(ids("toy story 2"), [3114]);
  });

  await t.step("ignores case and accents, both ways", () => {
    for (const q of ["amelie", "amélie", "AMÉLIE", "Ame\u0301lie"]) {
      // Both spellings; the whole title "Amélie" first, then the prefix match, by ratings.
      assert.deepEqual(ids(q), [9001, 4973], q);
    }
    assert.deepEqual(ids("aeon"), [9]);
    assert.deepEqual(ids("æon flux"), [9]);
  });

  await t.step("matches word prefixes anywhere in the title, in any order", () => {
    assert.deepEqual(ids("part iii"), [2023]);
    assert.deepEqual(ids("god par"), [1221, 2023]);
    assert.deepEqual(ids("poulain"), [4973]);
    assert.deepEqual(ids("story"), [7, 1, 3114]);
    assert.deepEqual(ids("odfather"), [], "inside a word is not a prefix");
  });

  await t.step("ranks a phrase inside a title above scattered words", () => {
    const hits = index.search("story", 20);
    // "Story of Us" starts with it (1); the Toy Storys have it inside (2).
    assert.deepEqual(hits.map((h) => [h.movieId, h.quality]), [[7, 1], [1, 2], [3114, 2]]);
    assert.deepEqual(index.search("us story", 5).map((h) => h.quality), [3]);
  });

  await t.step("joins words across apostrophes and hyphens", () => {
    assert.deepEqual(ids("schindlers"), [527]);
    assert.deepEqual(ids("schindler's list"), [527]);
    assert.deepEqual(ids("schindler"), [527]);
    assert.deepEqual(ids("spiderman"), [5349]);
    assert.deepEqual(ids("spider-man"), [5349]);
    assert.deepEqual(ids("spider man"), [5349]);
    assert.deepEqual(ids("ami de"), [8]);
    assert.deepEqual(ids("e.t."), [1097]);
    assert.deepEqual(ids("E.T. the"), [1097]);
    assert.deepEqual(ids("extra terrestrial"), [1097]);
  });

  await t.step("an empty or one-letter query finds nothing", () => {
    for (const q of ["", " ", "a", "T", "  é ", "!!", "' -"]) assert.deepEqual(ids(q), [], q);
    assert.deepEqual(ids("zz"), []);
  });

  await t.step("the limit keeps the best", () => {
    assert.deepEqual(ids("godfather", 2), [858, 1221]);
    assert.deepEqual(ids("godfather", 0), []);
  });

  await t.step("the same query twice gives the same answer (the marks are reset)", () => {
    assert.deepEqual(ids("god"), ids("god"));
    assert.deepEqual(ids("toy"), [1, 3114]);
  });
});

Deno.test("natural titles", async (t) => {
  await t.step("moves the article back in front, in each part", () => {
    assert.equal(naturalTitle("Godfather, The (1972)"), "The Godfather (1972)");
    assert.equal(
      naturalTitle("City of Lost Children, The (Cité des enfants perdus, La) (1995)"),
      "The City of Lost Children (La Cité des enfants perdus) (1995)",
    );
    assert.equal(naturalTitle("Ami de mon amie, L' (1987)"), "L'Ami de mon amie (1987)");
    assert.equal(naturalTitle("Man for All Seasons, A (1966)"), "A Man for All Seasons (1966)");
  });
  await t.step("leaves other commas and titles alone", () => {
    assert.equal(naturalTitle("Se7en, Director's Cut (1995)"), "Se7en, Director's Cut (1995)");
    assert.equal(naturalTitle("(500) Days of Summer (2009)"), "(500) Days of Summer (2009)");
    assert.equal(displayTitle("Godfather, The (1972)"), "The Godfather");
  });
});

Deno.test("title search: the best few are the head of the whole ranking", () => {
  // 3,000 titles over few words, so that every query matches hundreds, in every quality.
  const words = ["big", "little", "lost", "garden", "winter", "mirror", "ghost", "the"];
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % n;
  const movies: SearchableMovie[] = [];
  for (let id = 1; id <= 3000; id++) {
    const w = Array.from({ length: 1 + rnd(4) }, () => words[rnd(words.length)]);
    const title = rnd(5) === 0 ? `${w.join(" ")}, The (1999)` : `${w.join(" ")} (2001)`;
    movies.push({ movieId: id, title, ratings: rnd(50) });
  }
  const big = new MovieSearchIndex(movies);
  for (const q of ["big", "li", "the big", "garden winter", "lost, the", "gh mi", "winter big"]) {
    const all = big.search(q, 1e9);
    assert.ok(all.length > 20, `${q}: ${all.length} matches`);
    for (let i = 1; i < all.length; i++) {
      const a = all[i - 1], b = all[i];
      assert.ok(
        a.quality < b.quality || (a.quality === b.quality &&
          (a.ratings > b.ratings || (a.ratings === b.ratings && a.movieId < b.movieId))),
        `${q}: ordered at ${i}`,
      );
    }
    for (const limit of [1, 5, 20]) assert.deepEqual(big.search(q, limit), all.slice(0, limit), q);
  }
});
