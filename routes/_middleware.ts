/**
 * The app's middleware, one small factory each: security headers, the
 * signed session cookie, CSRF tokens, and the login requirement of pages.
 *
 * Sessions: the cookie `<userId>.<issued unix s>.<random session id>`,
 * HMAC-signed; it is refused when tampered with, older than a week, dated
 * more than {@link CLOCK_SKEW_SECONDS} ahead, or revoked by a logout (the
 * store's `revoked_sessions`, checked on every request that carries one, so
 * a copied cookie ends with its session on every thread and server).
 */
import type { MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { Buffer } from "node:buffer";
import { type AppEnv, CsrfError } from "./_http.ts";
import type { SessionOptions } from "./_session.ts";

export { CookieSigner } from "./_session.ts";

export const SESSION_COOKIE = "recsys_session";
export const CSRF_COOKIE = "recsys_csrf";
/** Sessions last a week; the cookie carries the issue time and is re-checked on read. */
export const SESSION_SECONDS = 7 * 24 * 3600;
/**
 * A visitor's profile session lasts 90 days after its last visit (the profile's idle
 * expiry, routes/_profiles.ts): its cookie is issued again, same session id, once a
 * day it is used.
 */
export const PROFILE_SESSION_SECONDS = 90 * 24 * 3600;
/** How far ahead of this server's clock a session may be dated (another server's clock). */
export const CLOCK_SKEW_SECONDS = 60;

export interface SecurityHeadersOptions {
  /** Extra origins images may come from (the TMDB image CDN). @default [] */
  imageOrigins?: readonly string[];
  /** Send HSTS (the app is served over HTTPS). @default false */
  hsts?: boolean;
}

/**
 * CSP without inline scripts or styles, no framing, no MIME sniffing, a
 * same-origin referrer and no powerful browser features, on every response;
 * HSTS when served over HTTPS.
 */
export function securityHeaders({ imageOrigins = [], hsts = false }: SecurityHeadersOptions = {}) {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' ${imageOrigins.join(" ")}`.trim(),
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  const headers: [string, string][] = [
    ["Content-Security-Policy", csp],
    ["X-Content-Type-Options", "nosniff"],
    ["X-Frame-Options", "DENY"],
    ["Referrer-Policy", "same-origin"],
    [
      "Permissions-Policy",
      "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), " +
      "microphone=(), payment=(), usb=(), interest-cohort=()",
    ],
  ];
  if (hsts) headers.push(["Strict-Transport-Security", "max-age=31536000"]);
  // Set before the handler runs, so the response is created with them: changing a
  // Response's headers afterwards rebuilds its native header list (measured ~5% of a
  // dashboard request). A handler that built its own Response gets them afterwards.
  const setSecurityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
    for (const [name, value] of headers) c.header(name, value);
    await next();
    if (!c.res.headers.has("Content-Security-Policy")) {
      for (const [name, value] of headers) c.res.headers.set(name, value);
    }
  };
  return setSecurityHeaders;
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

const SESSION_VALUE = /^(0|[1-9][0-9]{0,9})\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})$/;
/** A profile session: `p<profile id, 32 hex digits>.<issued unix s>.<random session id>`. */
const PROFILE_SESSION_VALUE = /^p([0-9a-f]{32})\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})$/;
/** A profile session's cookie is issued again when it is older than this (sliding expiry). */
const PROFILE_REISSUE_SECONDS = 24 * 3600;

/**
 * Reads the signed session cookie into `c.var.userId` (a persona's session) or
 * `c.var.profileId` (a visitor's profile session), and `c.var.sessionId` (all
 * null when absent, tampered with, expired, dated in the future or revoked).
 */
export function session(options: SessionOptions) {
  const { signer, store } = options;
  const readSession: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set("userId", null);
    c.set("profileId", null);
    c.set("sessionId", null);
    const raw = signer.verify(getCookie(c, SESSION_COOKIE));
    const persona = raw === null ? null : SESSION_VALUE.exec(raw);
    const profile = raw === null || persona ? null : PROFILE_SESSION_VALUE.exec(raw);
    const m = persona ?? profile;
    if (m) {
      const age = Date.now() / 1000 - Number(m[2]);
      const lifetime = persona ? SESSION_SECONDS : PROFILE_SESSION_SECONDS;
      if (age < lifetime && age > -CLOCK_SKEW_SECONDS && !(await store.sessionRevoked(m[3]))) {
        if (persona) c.set("userId", Number(m[1]));
        else {
          c.set("profileId", m[1]);
          if (age > PROFILE_REISSUE_SECONDS) setSessionCookie(c, `p${m[1]}`, m[3], options);
        }
        c.set("sessionId", m[3]);
      }
    }
    await next();
  };
  return readSession;
}

function setSessionCookie(
  c: Parameters<MiddlewareHandler<AppEnv>>[0],
  who: string,
  id: string,
  { signer, secure = false }: SessionOptions,
): void {
  const profile = who.startsWith("p");
  const value = signer.sign(`${who}.${Math.floor(Date.now() / 1000)}.${id}`);
  setCookie(c, SESSION_COOKIE, value, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure,
    maxAge: profile ? PROFILE_SESSION_SECONDS : SESSION_SECONDS,
  });
}

/**
 * Starts a session bound to a visitor's profile (routes/_profiles.ts): the
 * cookie is the only way to reach it.
 */
export function startProfileSession(
  c: Parameters<MiddlewareHandler<AppEnv>>[0],
  profileId: string,
  options: SessionOptions,
): void {
  setSessionCookie(
    c,
    `p${profileId}`,
    base64url(crypto.getRandomValues(new Uint8Array(16))),
    options,
  );
}

/** Starts a session for `userId` (after the login form was checked). */
export function startSession(
  c: Parameters<MiddlewareHandler<AppEnv>>[0],
  userId: number,
  options: SessionOptions,
): void {
  setSessionCookie(
    c,
    String(userId),
    base64url(crypto.getRandomValues(new Uint8Array(16))),
    options,
  );
}

/** Ends the session: its cookie is cleared and, when `revoke` is given, its id revoked for good. */
export async function endSession(
  c: Parameters<MiddlewareHandler<AppEnv>>[0],
  revoke?: SessionOptions,
): Promise<void> {
  const id = c.var.sessionId;
  if (revoke && id) {
    const lifetime = c.var.profileId ? PROFILE_SESSION_SECONDS : SESSION_SECONDS;
    await revoke.store.revokeSession(id, Math.floor(Date.now() / 1000) + lifetime);
  }
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: revoke?.secure });
}

function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(24)));
}

function sameBytes(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Double-submit CSRF protection: a random token in a signed HttpOnly cookie,
 * echoed by every POST form as the hidden field `_csrf`. A POST whose field
 * does not match, or whose `Origin` is another site, throws {@link CsrfError}.
 * The token is exposed to pages as `c.var.csrfToken`.
 */
export function csrf({ signer, secure = false, origin: allowed }: SessionOptions) {
  const checkCsrf: MiddlewareHandler<AppEnv> = async (c, next) => {
    const existing = signer.verify(getCookie(c, CSRF_COOKIE));
    const token = typeof existing === "string" && existing.length >= 32 ? existing : null;
    if (c.req.method === "POST") {
      const origin = c.req.header("origin");
      if (origin && origin !== (allowed ?? new URL(c.req.url).origin)) {
        throw new CsrfError(`cross-origin form post from ${origin}`);
      }
      const body = await c.req.parseBody();
      const sent = typeof body._csrf === "string" ? body._csrf : "";
      if (!token || !sameBytes(sent, token)) {
        throw new CsrfError("the form has expired or did not come from this site");
      }
    }
    const current = token ?? randomToken();
    if (!token) {
      setCookie(c, CSRF_COOKIE, signer.sign(current), {
        path: "/",
        httpOnly: true,
        sameSite: "Lax",
        secure,
      });
    }
    c.set("csrfToken", current);
    await next();
  };
  return checkCsrf;
}

/**
 * CSRF protection of the JSON API's state changes: a PUT, POST or DELETE must
 * carry an `Origin` header naming this site (browsers send it on every such
 * fetch; a form from another site cannot send JSON, and a cross-site fetch
 * with it is refused here before any work), else {@link CsrfError}.
 */
export function jsonOrigin({ origin: allowed }: SessionOptions) {
  const checkOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const origin = c.req.header("origin");
      if (!origin) throw new CsrfError("a change without an Origin header");
      if (origin !== (allowed ?? new URL(c.req.url).origin)) {
        throw new CsrfError(`cross-origin request from ${origin}`);
      }
    }
    await next();
  };
  return checkOrigin;
}

/** Pages behind login (a persona's or a profile's session): redirect to `/login` without one. */
export function requireUser() {
  const redirectToLogin: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.var.userId === null && c.var.profileId === null) return c.redirect("/login", 302);
    await next();
  };
  return redirectToLogin;
}
