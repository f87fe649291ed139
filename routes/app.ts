/**
 * The web app: one explicit route table over the route modules (Fresh's
 * layout: each exports `handler` per method and, for pages, a default Preact
 * component), a few middleware factories, and one `onError` that maps our
 * error classes to statuses.
 *
 * | status | when |
 * |---|---|
 * | 400 | {@link BadRequestError} (malformed id or query parameter), {@link StoreArgumentError} |
 * | 403 | {@link CsrfError}: POST without the form's token or from another origin; a JSON change without this site's Origin |
 * | 409, 429, 503 | {@link ProfileLimitError}: a profile's cap (with Retry-After when waiting helps) |
 * | 429 | {@link TooManyRequestsError}: a client over a rate limit (routes/_rate_limit.ts), with Retry-After |
 * | 404 | {@link NotFoundError} or no route |
 * | 413 | a request body over {@link MAX_BODY_BYTES} (256 KiB on `POST /api/recommendations`; one log line) |
 * | 415 | `POST /api/recommendations` without `Content-Type: application/json` |
 * | its own | any other Hono `HTTPException` (4xx not logged) |
 * | 503 | {@link StoreUnavailableError}: database down (recovers when it is back); a store of another schema ({@link StoreSchemaError}) answers with the line naming the command that rebuilds it |
 * | 500 | anything else (logged with its stack) |
 *
 * Paths under `/api/` answer JSON `{"error": "..."}`; pages answer HTML.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { h } from "preact";
import {
  type Store,
  StoreArgumentError,
  StoreSchemaError,
  StoreUnavailableError,
} from "../lib/store/store.ts";
import type { MovieMetadataSource } from "../lib/movie_metadata.ts";
import { loadAssets } from "./_assets.ts";
import {
  type AppContext,
  type AppDeps,
  type AppEnv,
  BadRequestError,
  CsrfError,
  NotFoundError,
  TooManyRequestsError,
} from "./_http.ts";
import { rateLimit } from "./_rate_limit.ts";
import {
  CookieSigner,
  csrf,
  jsonOrigin,
  requireUser,
  securityHeaders,
  session,
} from "./_middleware.ts";
import { ProfileLimitError } from "./_profiles.ts";
import { renderPage } from "./_render.tsx";
import ErrorPage from "./_error.tsx";
import * as index from "./index.ts";
import * as login from "./login.tsx";
import * as logout from "./logout.tsx";
import * as dashboard from "./dashboard.tsx";
import * as moviePage from "./movies/[id].tsx";
import * as search from "./search.tsx";
import * as start from "./start.tsx";
import * as welcome from "./welcome.tsx";
import * as profilePage from "./profile.tsx";
import * as ratings from "./ratings.ts";
import * as forget from "./forget.tsx";
import * as movieSearch from "./api/movies/search.ts";
import * as profileRatings from "./api/profile/ratings.ts";
import * as health from "./api/health.ts";
import * as userSample from "./api/users/sample.ts";
import * as userRecommendations from "./api/users/[id]/recommendations.ts";
import * as userNeighbors from "./api/users/[id]/neighbors.ts";
import * as userRatings from "./api/users/[id]/ratings.ts";
import * as movieApi from "./api/movies/[id].ts";
import * as similarApi from "./api/movies/[id]/similar.ts";
import * as recommendationsApi from "./api/recommendations.ts";
import { RECOMMENDATIONS_MAX_BODY_BYTES } from "./api/recommendations.ts";
import type { LiveRecommender } from "../lib/live_recommender.ts";

export interface AppOptions {
  /** Where every page and API answer comes from. */
  store: Store;
  /** HMAC key of the session and CSRF cookies. */
  sessionSecret: string;
  /** Posters and overviews (lib/tmdb.ts's `TmdbMetadata`: the store's cache, then TMDB). */
  metadata: MovieMetadataSource;
  /**
   * The islands client script (tools/web_bundle.ts), served with the stylesheet
   * and icon of `static/`; default: pages without islands.
   */
  islandsBundle?: Uint8Array<ArrayBuffer>;
  /**
   * The origin browsers reach the app at, when it differs from the request
   * URL's (behind a TLS-terminating proxy): `https://…` marks cookies
   * `Secure` and sends HSTS; form posts must come from it.
   * @default the request URL's origin, plain HTTP
   */
  publicOrigin?: string;
  /**
   * Recommendations for users who are not in the data, from their ratings
   * alone (lib/models/fold_in.ts over the store's fold-in state, loaded once
   * by `web`): `POST /api/recommendations` and visitor profiles. Absent
   * (a store imported without fold-in state): the API answers 503 and
   * profiles get the popular movies.
   */
  live?: LiveRecommender;
}

/** New profiles one client may start per minute and serving thread (POST /start). */
export const STARTS_PER_MINUTE = 10;
/** Ratings one client may set or remove per minute and serving thread (form and JSON). */
export const RATINGS_PER_MINUTE = 240;

/**
 * The largest request body any route accepts (the login and logout forms need < 1 KB), but
 * `POST /api/recommendations` (routes/api/recommendations.ts: 256 KiB).
 */
export const MAX_BODY_BYTES = 16 * 1024;

/** The one route without a session: it reads none, keeps nothing, needs no CSRF token. */
const STATELESS_API = "/api/recommendations";

/** Builds the app; `app.fetch` serves it, `app.request()` tests it. */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const https = options.publicOrigin?.startsWith("https://") ?? false;
  const sessionOptions = {
    signer: new CookieSigner(options.sessionSecret),
    store: options.store,
    secure: https,
    origin: options.publicOrigin,
  };
  const { metadata } = options;
  const deps: AppDeps = {
    store: options.store,
    metadata,
    assets: loadAssets(options.islandsBundle),
    session: sessionOptions,
    live: options.live,
  };
  const app = new Hono<AppEnv>();

  app.use("*", async (c, next) => {
    c.set("deps", deps);
    await next();
  });
  app.use(
    "*",
    securityHeaders({ imageOrigins: [new URL(metadata.imageBase).origin], hsts: https }),
  );
  // Every route, not only the forms: a body nobody reads still costs a read. The stateless
  // recommendations API takes up to 5,000 ratings, so it has its own cap.
  const smallBody = bodyLimit({ maxSize: MAX_BODY_BYTES });
  app.use("*", (c, next) => c.req.path === STATELESS_API ? next() : smallBody(c, next));

  // The session is read everywhere (error pages show who is signed in) but on the stateless
  // API, which must not depend on one; CSRF tokens only on pages.
  const readSession = session(sessionOptions);
  app.use("*", (c, next) => {
    if (c.req.path !== STATELESS_API) return readSession(c, next);
    c.set("userId", null);
    c.set("profileId", null);
    c.set("sessionId", null);
    return next();
  });
  const page = [csrf(sessionOptions)] as const;

  // Pages.
  app.get("/", ...page, index.handler.GET);
  app.get("/login", ...page, login.handler.GET);
  app.post("/login", ...page, login.handler.POST);
  app.get("/logout", ...page, logout.handler.GET);
  app.post("/logout", ...page, logout.handler.POST);
  // One address for both kinds of session: a persona's dashboard or a visitor's profile.
  app.get(
    "/dashboard",
    ...page,
    requireUser(),
    (c) => c.var.profileId === null ? dashboard.handler.GET(c) : profilePage.handler.GET(c),
  );
  app.get("/movies/:id", ...page, moviePage.handler.GET);
  app.get("/search", ...page, search.handler.GET);
  // Per client and thread: a burst bound beside the store's exact caps (routes/_profiles.ts).
  const starts = rateLimit({ limit: STARTS_PER_MINUTE, message: "Too many new profiles" });
  const rates = rateLimit({ limit: RATINGS_PER_MINUTE, message: "Too many ratings at once" });
  app.post("/start", starts, ...page, start.handler.POST);
  app.get("/welcome", ...page, welcome.handler.GET);
  app.post("/ratings", rates, ...page, ratings.handler.POST);
  app.post("/forget", ...page, forget.handler.POST);

  // JSON API.
  app.get("/api/health", health.handler.GET);
  app.get("/api/users/sample", userSample.handler.GET);
  app.get("/api/users/:id/recommendations", userRecommendations.handler.GET);
  app.get("/api/users/:id/neighbors", userNeighbors.handler.GET);
  app.get("/api/users/:id/ratings", userRatings.handler.GET);
  // Before /api/movies/:id, which would take "search" for an id.
  app.get("/api/movies/search", movieSearch.handler.GET);
  app.get("/api/movies/:id", movieApi.handler.GET);
  const json = jsonOrigin(sessionOptions);
  app.put("/api/profile/ratings/:movieId", rates, json, profileRatings.handler.PUT);
  app.delete("/api/profile/ratings/:movieId", rates, json, profileRatings.handler.DELETE);
  app.get("/api/profile/recommendations", profileRatings.recommendations.GET);
  app.get("/api/movies/:id/similar", similarApi.handler.GET);
  app.post(
    STATELESS_API,
    bodyLimit({ maxSize: RECOMMENDATIONS_MAX_BODY_BYTES }),
    recommendationsApi.handler.POST,
  );

  // Content-hashed assets: cacheable for a year.
  app.get("/assets/:file", (c) => {
    const asset = deps.assets.files.get(c.req.param("file"));
    if (!asset) throw new NotFoundError("page", c.req.path);
    return c.body(asset.body, 200, {
      "Content-Type": asset.type,
      "Cache-Control": "public, max-age=31536000, immutable",
    });
  });

  app.notFound((c) => errorResponse(c as AppContext, new NotFoundError("page", c.req.path)));
  app.onError((err, c) => errorResponse(c as AppContext, err));
  return app;
}

function statusOf(err: Error): ContentfulStatusCode {
  if (err instanceof HTTPException) return err.status as ContentfulStatusCode;
  if (err instanceof ProfileLimitError) return err.status;
  if (err instanceof TooManyRequestsError) return 429;
  if (err instanceof BadRequestError || err instanceof StoreArgumentError) return 400;
  if (err instanceof CsrfError) return 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof StoreUnavailableError) return 503;
  return 500;
}

const TITLES: Record<number, string> = {
  400: "That request does not look right",
  401: "Start a profile first",
  403: "This form cannot be accepted",
  404: "Nothing here",
  409: "That cannot be done",
  413: "That request is too large",
  415: "That request is not JSON",
  429: "Too many requests",
  500: "Something went wrong",
  503: "Temporarily unavailable",
};

function errorResponse(c: AppContext, err: Error): Response {
  const status = statusOf(err);
  const title = TITLES[status] ?? (status < 500 ? TITLES[400] : TITLES[500]);
  let message = err.message || title;
  if (err instanceof ProfileLimitError || err instanceof TooManyRequestsError) {
    // A cap, not a fault: the message says which; waiting helps when Retry-After is sent.
    if (err.retryAfter !== null) c.header("Retry-After", String(err.retryAfter));
  } else if (status === 413) {
    const max = c.req.path === STATELESS_API ? RECOMMENDATIONS_MAX_BODY_BYTES : MAX_BODY_BYTES;
    // One line per request: an oversize body is the client's doing, a stack trace says nothing.
    console.error(`web: 413 ${c.req.method} ${c.req.path}: body over ${max} bytes`);
    message = `The request body is larger than ${max} bytes.`;
  } else if (status === 503 && err instanceof HTTPException) {
    // A 503 of our own (the API on a store without fold-in state): its message says why.
    console.error(`web: 503 ${c.req.path}: ${err.message}`);
  } else if (status >= 500 && !(err instanceof StoreUnavailableError)) {
    console.error(err);
    message = "An unexpected error happened on our side. It has been logged.";
  } else if (err instanceof StoreSchemaError) {
    // Waiting does not heal it: the line says which command does.
    console.error(`store unavailable: ${err.message}`);
    message = err.message;
  } else if (status === 503) {
    console.error(`store unavailable: ${err.message}`);
    message = "The movie database cannot be reached right now. Please try again in a moment.";
    c.header("Retry-After", "5");
  } else if (status === 404 && err instanceof NotFoundError && err.what === "page") {
    message = "There is no page at this address.";
  } else if (status === 403) {
    message = `${err.message}. Reload the page and try again.`;
  }
  if (c.req.path.startsWith("/api/")) {
    // The field at fault (`ratings[3].rating`, `limit`, …) for a client to point at.
    return err instanceof BadRequestError
      ? c.json({ error: message, field: err.param }, status)
      : c.json({ error: message }, status);
  }
  return renderPage(c, title, h(ErrorPage, { data: { status, title, message } }), status);
}
