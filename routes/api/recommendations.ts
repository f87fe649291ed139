/**
 * `POST /api/recommendations`: recommendations for anyone, from the ratings
 * in the request alone (fold-in, lib/models/fold_in.ts), for any client.
 *
 * Request: `Content-Type: application/json` (else 415), at most
 * {@link RECOMMENDATIONS_MAX_BODY_BYTES} (else 413), body
 * `{"ratings": [{"movieId": 318, "rating": 5}, …], "limit": 100, "predict": [movieId, …]}`;
 * `limit` 1–100, default 30; `predict` optional.
 *
 * Answer (titles for display, article first: lib/movie_view.ts `naturalTitle`):
 * `{"items": [{"movieId", "title", "score", "prediction", "because":
 * {"movieId", "title", "rating"} | null}, …], "predictions": [{"movieId",
 * "prediction"}, …], "ignored": n}` — items best first, never a movie in
 * `ratings`; one prediction per asked id in the order asked (a movie the
 * models do not know gets the fold-in baseline); ratings of movies the
 * models do not know are ignored and counted.
 *
 * 400 (JSON `{"error", "field"}`, the field with its index, e.g.
 * `ratings[3].rating`): a body that is not a JSON object, `ratings` missing
 * or not an array or over {@link MAX_RATINGS}, a movieId that is not a
 * positive whole number, a rating not a number or outside the data's scale,
 * a movie twice, `predict` not an array of movie ids or over
 * {@link MAX_PREDICT}, a bad `limit`. 503 when the store has no fold-in
 * state (imported from a run without one).
 *
 * Stateless: no session is read or written and nothing is stored, so there
 * is nothing a forged cross-site request could act on; it needs no CSRF
 * token, and cross-origin posts are answered like any other (app.ts skips
 * the session middleware on this path).
 */
import { HTTPException } from "hono/http-exception";
import type { GivenRating } from "../../lib/live_recommender.ts";
import { naturalTitle } from "../../lib/movie_view.ts";
import { type AppContext, BadRequestError } from "../_http.ts";

export const RECOMMENDATIONS_MAX_BODY_BYTES = 256 * 1024;
export const MAX_RATINGS = 5000;
export const MAX_PREDICT = 1000;
export const DEFAULT_LIMIT = 30;
export const MAX_LIMIT = 100;

const MAX_ID = 2_147_483_647;

/** The request, checked. */
export interface RecommendationsRequest {
  ratings: GivenRating[];
  limit: number;
  predict: number[];
}

function isMovieId(x: unknown): x is number {
  return typeof x === "number" && Number.isInteger(x) && x >= 1 && x <= MAX_ID;
}

/**
 * Checks a parsed body against the contract above, ratings against the
 * data's scale [min, max]; throws {@link BadRequestError} naming the field.
 */
export function parseRecommendationsRequest(
  body: unknown,
  scale: { min: number; max: number },
): RecommendationsRequest {
  const bad = (field: string, message: string): never => {
    throw new BadRequestError(field, `${field}: ${message}`);
  };
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    bad("body", 'must be a JSON object like {"ratings": [{"movieId": 318, "rating": 5}]}');
  }
  const b = body as Record<string, unknown>;
  const raw = b.ratings;
  if (!Array.isArray(raw)) bad("ratings", "must be an array of {movieId, rating}");
  const list = raw as unknown[];
  if (list.length > MAX_RATINGS) {
    bad("ratings", `${list.length} ratings; at most ${MAX_RATINGS} are accepted`);
  }
  const seen = new Map<number, number>();
  const ratings: GivenRating[] = list.map((r, k) => {
    const at = `ratings[${k}]`;
    if (typeof r !== "object" || r === null || Array.isArray(r)) {
      bad(at, "must be an object {movieId, rating}");
    }
    const { movieId, rating } = r as Record<string, unknown>;
    if (!isMovieId(movieId)) bad(`${at}.movieId`, "must be a positive whole number");
    if (typeof rating !== "number" || !Number.isFinite(rating)) {
      bad(`${at}.rating`, "must be a number");
    }
    const stars = rating as number, id = movieId as number;
    if (stars < scale.min || stars > scale.max) {
      bad(`${at}.rating`, `${stars} is outside the data's scale ${scale.min} to ${scale.max}`);
    }
    const first = seen.get(id);
    if (first !== undefined) {
      bad(`${at}.movieId`, `movie ${id} is rated twice (also at ratings[${first}])`);
    }
    seen.set(id, k);
    return { movieId: id, rating: stars };
  });
  let limit = DEFAULT_LIMIT;
  if (b.limit !== undefined) {
    const l = b.limit;
    if (typeof l !== "number" || !Number.isInteger(l) || l < 1 || l > MAX_LIMIT) {
      bad("limit", `must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    limit = l as number;
  }
  let predict: number[] = [];
  if (b.predict !== undefined) {
    if (!Array.isArray(b.predict)) bad("predict", "must be an array of movie ids");
    const p = b.predict as unknown[];
    if (p.length > MAX_PREDICT) {
      bad("predict", `${p.length} movie ids; at most ${MAX_PREDICT} are accepted`);
    }
    p.forEach((id, k) => {
      if (!isMovieId(id)) bad(`predict[${k}]`, "must be a positive whole number");
    });
    predict = p as number[];
  }
  return { ratings, limit, predict };
}

/** Whether a Content-Type header names JSON (`application/json`, parameters allowed). */
function isJson(contentType: string | undefined): boolean {
  return (contentType ?? "").split(";")[0].trim().toLowerCase() === "application/json";
}

export const handler = {
  async POST(c: AppContext): Promise<Response> {
    if (!isJson(c.req.header("content-type"))) {
      throw new HTTPException(415, {
        message: "send the ratings as JSON, with Content-Type: application/json",
      });
    }
    const deps = c.var.deps;
    const live = deps.live;
    if (!live) {
      throw new HTTPException(503, {
        message: "this store holds no fold-in state: run the pipeline (its serve step) and " +
          "import again",
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      throw new BadRequestError("body", "body: not valid JSON");
    }
    const req = parseRecommendationsRequest(body, live.scale ?? { min: 0.5, max: 5 });
    const result = live.recommend(req.ratings, req.limit, req.predict);
    const ids = new Set<number>();
    for (const p of result.items) {
      ids.add(p.movieId);
      if (p.because) ids.add(p.because.movieId);
    }
    const movies = await deps.store.moviesById([...ids]);
    // Display titles, as the search API gives them ("The Godfather (1972)").
    const title = (id: number) => naturalTitle(movies.get(id)?.title ?? `Movie ${id}`);
    return c.json({
      items: result.items.map((p) => ({
        movieId: p.movieId,
        title: title(p.movieId),
        score: p.score,
        prediction: p.prediction,
        because: p.because
          ? {
            movieId: p.because.movieId,
            title: title(p.because.movieId),
            rating: p.because.rating,
          }
          : null,
      })),
      predictions: result.predictions,
      ignored: result.ignored,
    });
  },
};
