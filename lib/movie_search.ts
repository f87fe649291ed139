/**
 * Title search over a movie catalogue, in memory: case- and accent-insensitive
 * ("amelie" finds "Amélie"), every query word a prefix of some word of the
 * title (any position, either article order: "godfather" and "the godfather"
 * both find "Godfather, The (1972)"), ranked by match quality, then by number
 * of ratings, then by movieId.
 *
 * Match quality, best first: 0 the query is the whole title (stored or
 * natural order, year aside); 1 the title starts with the query; 2 the query's
 * words appear together, in order, inside the title; 3 every query word
 * starts some word of the title. Words are runs of letters and digits after
 * folding (NFD without combining marks, lowercase, æ → ae, ß → ss, …); a word
 * with an apostrophe, hyphen or inner dot is indexed whole ("schindlers", "spiderman", "et")
 * and in parts ("amelie" of "d'Amélie"), and a query joins them.
 *
 * A query under two letters and digits answers nothing (every title matches).
 *
 * Build: O(total title length · log) for the sorted vocabulary, ~0.3 s and a
 * few tens of MB for ML-32M's 87,585 titles. Query: a binary search per word
 * in the vocabulary, the postings of its prefix range marked in a reused
 * array (the rarest word first, so later words only test candidates), then
 * the candidates ranked: O(Σ postings of the words' prefixes + c log c).
 *
 * @example
 * ```ts
 * const index = new MovieSearchIndex([{ movieId: 858, title: "Godfather, The (1972)", ratings: 9 }]);
 * index.search("the godf", 20); // [{ movieId: 858, ... }]
 * ```
 */

/** What the index is built from. */
export interface SearchableMovie {
  movieId: number;
  /** The stored MovieLens title ("Godfather, The (1972)"). */
  title: string;
  /** Number of ratings: the tie-break after match quality. */
  ratings: number;
}

/** One hit: the movie's position in the input, its match quality and rating count. */
export interface SearchHit {
  movieId: number;
  /** 0 whole title, 1 title prefix, 2 phrase inside, 3 every word somewhere. */
  quality: 0 | 1 | 2 | 3;
  ratings: number;
}

/** Queries shorter than this (letters and digits) answer nothing. */
export const MIN_QUERY_CHARS = 2;

const SPECIAL: Record<string, string> = {
  "æ": "ae",
  "œ": "oe",
  "ø": "o",
  "ß": "ss",
  "đ": "d",
  "ð": "d",
  "ł": "l",
  "ı": "i",
  "þ": "th",
};

/** Lowercase, accents off, a few letters spelled out, apostrophes unified. */
function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase()
    .replace(/[æœøßđðłıþ]/g, (c) => SPECIAL[c])
    .replace(/[’‘`´]/g, "'");
}

/** A folded text's words, joined across `'`, `-` and `.` ("schindler's" → "schindlers", "e.t." → "et"). */
function joinedWords(folded: string): string[] {
  return folded.replace(/(?<=[\p{L}\p{N}])['.-](?=[\p{L}\p{N}])/gu, "")
    .split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** A folded text's words, split at every other character ("schindler's" → "schindler", "s"). */
function partWords(folded: string): string[] {
  return folded.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Moves a trailing article of each title part to the front (lib/movie_view.ts does it for display). */
const ARTICLE =
  /^(.+), (the|a|an|les|la|le|l'|il|el|los|las|die|der|das|den|det|het|een|ein|eine|un|une|una|lo|gli)$/;

function articleFirst(part: string): string {
  const m = ARTICLE.exec(part);
  return m ? `${m[2]} ${m[1]}` : part;
}

/**
 * The folded title's words, space-joined, year dropped: in stored order, in
 * natural order, and without its article ("godfather the", "the godfather",
 * "godfather").
 */
function titleForms(folded: string): string[] {
  const noYear = folded.replace(/\s*\(\d{4}\)\s*$/, "");
  const m = /^(.*?)((?: \([^()]*\))*)$/.exec(noYear)!;
  const groups = m[2].replace(/\(([^()]*)\)/g, (_, inner: string) => `(${articleFirst(inner)})`);
  const article = ARTICLE.exec(m[1]);
  const forms = [partWords(noYear).join(" "), partWords(articleFirst(m[1]) + groups).join(" ")];
  if (article) forms.push(partWords(article[1] + groups).join(" "));
  return forms;
}

/** First index in sorted `words` whose word is >= `key`. */
function lowerBound(words: readonly string[], key: string): number {
  let lo = 0, hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (words[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MovieSearchIndex {
  /** Movies in rank order (most ratings first, ties by smaller movieId): index = rank. */
  readonly #ids: Int32Array;
  readonly #ratings: Float64Array;
  /** Per movie: its title's forms ({@link titleForms}), for the phrase test. */
  readonly #forms: string[][];
  /** Every movie's forms, sorted, and whose each is: whole-title and prefix matches. */
  readonly #formText: string[];
  readonly #formMovie: Int32Array;
  /** Distinct words, sorted (code unit order), and the movies each occurs in. */
  readonly #vocab: string[];
  readonly #postings: Int32Array[];
  /** Per movie: how many query words it matched so far (reused, reset by every query). */
  readonly #marks: Uint8Array;
  /** Per movie: its best quality among the forms the phrase starts (255: none). */
  readonly #tier: Uint8Array;

  constructor(movies: Iterable<SearchableMovie>) {
    const list = [...movies].sort((a, b) => b.ratings - a.ratings || a.movieId - b.movieId);
    const n = list.length;
    this.#ids = new Int32Array(n);
    this.#ratings = new Float64Array(n);
    this.#forms = new Array(n);
    this.#marks = new Uint8Array(n);
    this.#tier = new Uint8Array(n).fill(255);
    const byWord = new Map<string, number[]>();
    const forms: [string, number][] = [];
    for (let i = 0; i < n; i++) {
      const m = list[i];
      this.#ids[i] = m.movieId;
      this.#ratings[i] = m.ratings;
      const folded = fold(m.title);
      this.#forms[i] = titleForms(folded);
      for (const f of new Set(this.#forms[i])) forms.push([f, i]);
      for (const w of new Set([...joinedWords(folded), ...partWords(folded)])) {
        const p = byWord.get(w);
        if (p) p.push(i);
        else byWord.set(w, [i]);
      }
    }
    forms.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    this.#formText = forms.map((f) => f[0]);
    this.#formMovie = Int32Array.from(forms, (f) => f[1]);
    this.#vocab = [...byWord.keys()].sort();
    this.#postings = this.#vocab.map((w) => Int32Array.from(byWord.get(w)!));
  }

  /** Movies indexed. */
  get size(): number {
    return this.#ids.length;
  }

  /**
   * The best `limit` matches of `query`, best first; [] for a query with
   * fewer than {@link MIN_QUERY_CHARS} letters and digits.
   *
   * After the words' postings are marked, the matches are visited in rank
   * order (most ratings first), so each quality's first `limit` are its best:
   * whole-title and prefix matches come from one range of the sorted forms,
   * the phrase test runs only while its list is short, and the visit stops
   * once no later movie can enter.
   */
  search(query: string, limit: number): SearchHit[] {
    const folded = fold(query);
    // At most 16 words: the marks are bytes, and no title needs more.
    const words = [...new Set(joinedWords(folded))].slice(0, 16);
    if (words.join("").length < MIN_QUERY_CHARS || limit <= 0) return [];
    // Vocabulary ranges per query word: [lo, hi) of the words it is a prefix of.
    const ranges = words.map((w) => {
      const lo = lowerBound(this.#vocab, w);
      const hi = lowerBound(this.#vocab, w + "\uffff");
      let size = 0;
      for (let v = lo; v < hi; v++) size += this.#postings[v].length;
      return { lo, hi, size };
    }).sort((a, b) => a.size - b.size);
    if (ranges[0].size === 0) return [];
    const marks = this.#marks, tier = this.#tier, k = ranges.length;
    const candidates: number[] = [];
    // Step 0 collects the rarest word's movies; step j promotes those marked j.
    for (let j = 0; j < k; j++) {
      const { lo, hi } = ranges[j];
      for (let v = lo; v < hi; v++) {
        for (const i of this.#postings[v]) {
          if (marks[i] !== j) continue;
          marks[i] = j + 1;
          if (j === 0) candidates.push(i);
        }
      }
    }
    const phrase = partWords(folded).join(" ");
    // Whole-title (0) and prefix (1) matches: the sorted forms starting with the phrase.
    const lo = lowerBound(this.#formText, phrase);
    const hi = lowerBound(this.#formText, phrase + "\uffff");
    let exact = 0;
    for (let f = lo; f < hi; f++) {
      const i = this.#formMovie[f];
      if (marks[i] !== k) continue;
      const q = this.#formText[f] === phrase ? 0 : 1;
      if (q === 0 && tier[i] !== 0) exact++;
      if (q < tier[i]) tier[i] = q;
    }
    const buckets: number[][] = [[], [], [], []];
    const inside = " " + phrase;
    // The matches in rank order: a sorted copy when few, else a pass over every movie.
    let matched = 0;
    for (const i of candidates) if (marks[i] === k) matched++;
    const n = this.#ids.length;
    const sparse = matched * 16 < n;
    const order = sparse ? new Int32Array(matched) : null;
    if (order) {
      let o = 0;
      for (const i of candidates) if (marks[i] === k) order[o++] = i;
      order.sort();
    }
    const visits = order ? order.length : n;
    for (let v = 0; v < visits; v++) {
      const i = order ? order[v] : v;
      if (marks[i] !== k) continue;
      let q = tier[i];
      if (q === 255) {
        // Neither whole nor prefix: a phrase inside (2) or scattered words (3). Once the
        // phrase list is full, no later movie of either kind can enter.
        if (buckets[2].length >= limit) continue;
        q = this.#forms[i].some((f) => f.includes(inside)) ? 2 : 3;
      }
      if (buckets[q].length < limit) buckets[q].push(i);
      // Every whole-title match seen, and enough prefix matches: later ones rank lower.
      if (buckets[0].length === exact && buckets[0].length + buckets[1].length >= limit) break;
    }
    for (const i of candidates) marks[i] = 0;
    for (let f = lo; f < hi; f++) tier[this.#formMovie[f]] = 255;
    const hits: SearchHit[] = [];
    for (let q = 0; q < 4 && hits.length < limit; q++) {
      for (const i of buckets[q]) {
        if (hits.length === limit) break;
        hits.push({
          movieId: this.#ids[i],
          quality: q as 0 | 1 | 2 | 3,
          ratings: this.#ratings[i],
        });
      }
    }
    return hits;
  }
}
