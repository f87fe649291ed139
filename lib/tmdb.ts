/**
 * TMDB (The Movie Database) v3 client and the poster/overview cache in front
 * of it.
 *
 * {@link TmdbClient.lookup} resolves one MovieLens movie to a
 * {@link TmdbEntry}: `GET /movie/{tmdbId}` when links.csv has a tmdbId, else
 * (or when that id is gone, 404) `GET /find/tt{imdbId:7}?external_source=imdb_id`.
 * A definite miss is an entry with `status: "not_found"` so it is cached like
 * a hit. 429 is retried after `Retry-After`; timeouts, network errors and 5xx
 * throw {@link TmdbRequestError} and are never cached.
 *
 * {@link TmdbMetadata} is what pages use (a `MovieMetadataSource`, lib/movie_metadata.ts): cached entries come from the store
 * (`movies_tmdb`); missing ones are fetched with bounded concurrency, the
 * page waits for them at most a fixed budget (800 ms in total by default) and
 * whatever is still in flight lands in the store for the next view. Entries
 * older than 30 days are shown and refreshed in the background.
 *
 * Auth: `TMDB_API_KEY` (v3 key, sent as `api_key`) or `TMDB_READ_TOKEN` (v4
 * read token, sent as `Authorization: Bearer`). Without either the site runs
 * with placeholders.
 */
import type { Movie, TmdbCache, TmdbEntry } from "./store/store.ts";
import { imdbTitleId, type MovieMetadataSource } from "./movie_metadata.ts";

/** Where and how to reach TMDB. */
export interface TmdbConfig {
  /** API base URL. @default "https://api.themoviedb.org/3" */
  apiBase: string;
  /** Poster URL prefix; a poster is `imageBase + poster_path`. @default "https://image.tmdb.org/t/p/w185" */
  imageBase: string;
  /** v3 API key (query parameter `api_key`). */
  apiKey?: string;
  /** v4 read access token (bearer). Used when there is no `apiKey`. */
  readToken?: string;
  /** Per-request timeout, ms. @default 5000 */
  timeoutMs?: number;
  /** Retries after a 429. @default 2 */
  maxRetries?: number;
  /** Longest `Retry-After` honoured, seconds; longer waits fail the request. @default 10 */
  maxRetryAfterSeconds?: number;
}

const DEFAULT_TMDB_API_BASE = "https://api.themoviedb.org/3";
const DEFAULT_TMDB_IMAGE_BASE = "https://image.tmdb.org/t/p/w185";

/** The poster URL prefix from `TMDB_IMAGE_BASE`, or TMDB's CDN. */
export function tmdbImageBase(env: Pick<typeof Deno.env, "get"> = Deno.env): string {
  return env.get("TMDB_IMAGE_BASE") || DEFAULT_TMDB_IMAGE_BASE;
}

/**
 * TMDB settings from `TMDB_API_KEY` / `TMDB_READ_TOKEN`, `TMDB_API_BASE` and
 * `TMDB_IMAGE_BASE`; null when there is no credential (placeholders only).
 */
export function tmdbConfigFromEnv(env: Pick<typeof Deno.env, "get"> = Deno.env): TmdbConfig | null {
  const apiKey = env.get("TMDB_API_KEY") || undefined;
  const readToken = env.get("TMDB_READ_TOKEN") || undefined;
  if (!apiKey && !readToken) return null;
  return {
    apiBase: env.get("TMDB_API_BASE") || DEFAULT_TMDB_API_BASE,
    imageBase: tmdbImageBase(env),
    apiKey,
    readToken,
  };
}

/** A TMDB request that failed in a way that says nothing about the movie (never cached). */
export class TmdbRequestError extends Error {
  /** HTTP status, or 0 for a timeout or network error. */
  readonly status: number;
  /** The request path, without credentials. */
  readonly path: string;
  constructor(message: string, status: number, path: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TmdbRequestError";
    this.status = status;
    this.path = path;
  }
}

interface TmdbMovieJson {
  id?: number;
  poster_path?: string | null;
  overview?: string | null;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });

/** One movie's TMDB lookup at a time; share one client per process. */
export class TmdbClient {
  readonly config: TmdbConfig;
  #fetch: typeof fetch;
  #wait: (ms: number, signal?: AbortSignal) => Promise<void>;

  /** `wait` sleeps before a 429's retry (tests pass one that records the wait). */
  constructor(
    config: TmdbConfig,
    fetchImpl: typeof fetch = fetch,
    wait: (ms: number, signal?: AbortSignal) => Promise<void> = sleep,
  ) {
    this.config = config;
    this.#fetch = fetchImpl;
    this.#wait = wait;
  }

  /**
   * TMDB metadata for a movie: by tmdbId, falling back to the IMDb id.
   * Resolves to a `not_found` entry when TMDB has no such movie; rejects with
   * {@link TmdbRequestError} on timeouts, 5xx or too many 429s.
   */
  async lookup(
    movie: Pick<Movie, "movieId" | "tmdbId" | "imdbId">,
    signal?: AbortSignal,
  ): Promise<TmdbEntry> {
    const miss: TmdbEntry = {
      movieId: movie.movieId,
      status: "not_found",
      tmdbId: null,
      posterPath: null,
      overview: null,
      fetchedAt: Date.now(),
    };
    if (movie.tmdbId !== null) {
      const json = await this.#get<TmdbMovieJson>(`/movie/${movie.tmdbId}`, {}, signal);
      if (json) return this.#entry(movie.movieId, json);
    }
    if (movie.imdbId !== null && movie.imdbId !== "") {
      const json = await this.#get<{ movie_results?: TmdbMovieJson[] }>(
        `/find/${imdbTitleId(movie.imdbId)}`,
        { external_source: "imdb_id" },
        signal,
      );
      const hit = json?.movie_results?.[0];
      if (hit) return this.#entry(movie.movieId, hit);
    }
    return { ...miss, fetchedAt: Date.now() };
  }

  #entry(movieId: number, json: TmdbMovieJson): TmdbEntry {
    return {
      movieId,
      status: "ok",
      tmdbId: typeof json.id === "number" ? json.id : null,
      posterPath: typeof json.poster_path === "string" && json.poster_path.startsWith("/")
        ? json.poster_path
        : null,
      overview: typeof json.overview === "string" && json.overview !== "" ? json.overview : null,
      fetchedAt: Date.now(),
    };
  }

  /** GET a JSON resource; null on 404; retries 429 after Retry-After. */
  async #get<T>(
    path: string,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<T | null> {
    const c = this.config;
    const url = new URL(c.apiBase.replace(/\/+$/, "") + path);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: "application/json" };
    if (c.apiKey) url.searchParams.set("api_key", c.apiKey);
    else if (c.readToken) headers.authorization = `Bearer ${c.readToken}`;
    const maxRetries = c.maxRetries ?? 2;
    for (let attempt = 0;; attempt++) {
      const timeout = AbortSignal.timeout(c.timeoutMs ?? 5000);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let res: Response;
      try {
        res = await this.#fetch(url, { headers, signal: combined });
      } catch (err) {
        const why = timeout.aborted ? "timed out" : signal?.aborted ? "aborted" : "failed";
        throw new TmdbRequestError(`TMDB ${path} ${why}`, 0, path, { cause: err });
      }
      if (res.status === 404) {
        await res.body?.cancel();
        return null;
      }
      if (res.status === 429 && attempt < maxRetries) {
        await res.body?.cancel();
        const wait = retryAfterSeconds(res.headers.get("retry-after"));
        if (wait > (c.maxRetryAfterSeconds ?? 10)) {
          throw new TmdbRequestError(`TMDB ${path}: 429, retry after ${wait} s`, 429, path);
        }
        await this.#wait(wait * 1000, signal);
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new TmdbRequestError(`TMDB ${path}: HTTP ${res.status}`, res.status, path);
      }
      try {
        return await res.json() as T;
      } catch (err) {
        throw new TmdbRequestError(`TMDB ${path}: bad JSON`, res.status, path, { cause: err });
      }
    }
  }
}

/** `Retry-After` as seconds (delta-seconds or HTTP date); 1 when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number {
  if (header === null) return 1;
  const n = Number(header);
  if (Number.isFinite(n) && n >= 0) return n;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, (date - now) / 1000) : 1;
}

/**
 * Options of {@link TmdbMetadata}. Only `refreshAfterDays` changes which
 * metadata is shown eventually; the others only how long a page waits.
 */
export interface TmdbMetadataOptions {
  /**
   * Cached entries older than this many days, hits and "not found" alike, are
   * shown as they are and looked up again in the background (a poster may
   * change; a movie TMDB lacked may be added). @default 30
   */
  refreshAfterDays?: number;
  /** Longest a page waits for missing entries, ms, in total. @default 800 */
  budgetMs?: number;
  /** Lookups in flight at once (process-wide). @default 4 */
  concurrency?: number;
  /** Queued lookups beyond which new misses are left for a later view. @default 200 */
  maxQueued?: number;
}

/**
 * Poster and overview for the movies of a page: store cache first, TMDB for
 * the rest within a time budget, the remainder fetched in the background.
 */
export class TmdbMetadata implements MovieMetadataSource {
  readonly client: TmdbClient | null;
  readonly imageBase: string;
  #store: TmdbCache;
  #budgetMs: number;
  #concurrency: number;
  #maxQueued: number;
  #refreshAfterMs: number;
  #inFlight = new Map<number, Promise<TmdbEntry | null>>();
  #queue: (() => void)[] = [];
  #running = 0;
  #warned = false;

  constructor(
    store: TmdbCache,
    client: TmdbClient | null,
    imageBase: string,
    options: TmdbMetadataOptions = {},
  ) {
    this.#store = store;
    this.client = client;
    this.imageBase = imageBase;
    this.#budgetMs = options.budgetMs ?? 800;
    this.#concurrency = options.concurrency ?? 4;
    this.#maxQueued = options.maxQueued ?? 200;
    this.#refreshAfterMs = (options.refreshAfterDays ?? 30) * 24 * 3600 * 1000;
  }

  /**
   * Cached entries for `movies`, plus those TMDB answers within the budget.
   * Never throws for TMDB trouble; store errors propagate (the page is down anyway).
   */
  async forMovies(movies: readonly Movie[]): Promise<Map<number, TmdbEntry>> {
    const byId = new Map(movies.map((m) => [m.movieId, m]));
    const cached = byId.size
      ? await this.#store.tmdbGet([...byId.keys()])
      : new Map<number, TmdbEntry>();
    if (!this.client) return cached;
    const missing: Movie[] = [];
    const staleBefore = Date.now() - this.#refreshAfterMs;
    for (const m of byId.values()) {
      const entry = cached.get(m.movieId);
      if (!entry) missing.push(m);
      // Shown as cached now; the page never waits for a refresh.
      else if (entry.fetchedAt < staleBefore) void this.fetchAndCache(m);
    }
    if (missing.length === 0) return cached;
    const pending = missing.map((m) =>
      this.fetchAndCache(m).then((e) => {
        if (e) cached.set(e.movieId, e);
      })
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(pending),
      new Promise<void>((resolve) => timer = setTimeout(resolve, this.#budgetMs)),
    ]);
    clearTimeout(timer);
    return new Map(cached);
  }

  /**
   * Looks one movie up and stores the result; shares a lookup already in
   * flight. Resolves to null when TMDB failed or the queue is full.
   */
  fetchAndCache(movie: Movie): Promise<TmdbEntry | null> {
    const client = this.client;
    if (!client) return Promise.resolve(null);
    const existing = this.#inFlight.get(movie.movieId);
    if (existing) return existing;
    if (this.#queue.length >= this.#maxQueued) return Promise.resolve(null);
    const p = this.#slot().then(async (release) => {
      try {
        const entry = await client.lookup(movie);
        await this.#store.tmdbPut(entry);
        return entry;
      } catch (err) {
        this.#warn(err);
        return null;
      } finally {
        release();
        this.#inFlight.delete(movie.movieId);
      }
    });
    this.#inFlight.set(movie.movieId, p);
    return p;
  }

  /** Lookups queued or running now (for tests and shutdown). */
  get pending(): number {
    return this.#inFlight.size;
  }

  /** Resolves when no lookup is queued or running. */
  async idle(): Promise<void> {
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight.values()]);
  }

  #slot(): Promise<() => void> {
    const release = () => {
      this.#running--;
      this.#queue.shift()?.();
    };
    if (this.#running < this.#concurrency) {
      this.#running++;
      return Promise.resolve(release);
    }
    return new Promise((resolve) =>
      this.#queue.push(() => {
        this.#running++;
        resolve(release);
      })
    );
  }

  #warn(err: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    console.warn(
      `tmdb: ${err instanceof Error ? err.message : String(err)} (further errors muted)`,
    );
  }
}
