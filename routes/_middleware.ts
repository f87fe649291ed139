/**
 * The app's middleware, one small factory each: security headers, the
 * signed session cookie, CSRF tokens, and the login requirement of pages.
 */
import type { MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { type AppEnv, CsrfError } from "./_http.ts";

export const SESSION_COOKIE = "recsys_session";
export const CSRF_COOKIE = "recsys_csrf";
/** Verified cookie strings remembered per signer. */
const VERIFIED_MAX = 10_000;
/** Sessions last a week; the cookie carries the issue time and is re-checked on read. */
const SESSION_SECONDS = 7 * 24 * 3600;

export interface SecurityHeadersOptions {
  /** Extra origins images may come from (the TMDB image CDN). @default [] */
  imageOrigins?: readonly string[];
}

/**
 * CSP without inline scripts or styles, no framing, no MIME sniffing, and a
 * same-origin referrer, on every response.
 */
export function securityHeaders({ imageOrigins = [] }: SecurityHeadersOptions = {}) {
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
  ];
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

/**
 * HMAC-SHA256 signatures for cookie values: `<value>.<base64url signature>`.
 * Synchronous node:crypto on purpose: WebCrypto (what Hono's signed-cookie
 * helper uses, importing the key on every call) hands each verify to a
 * thread pool, which showed up as a measurable share of a dashboard request.
 */
export class CookieSigner {
  #secret: Buffer;
  /**
   * Signed strings already verified → their value: a page request verifies two cookies,
   * ~4% of a dashboard's CPU as HMACs. Only exact strings that passed are kept (the value
   * is a pure function of the string and the key), oldest dropped first.
   */
  #verified = new Map<string, string>();
  constructor(secret: string) {
    this.#secret = Buffer.from(secret, "utf8");
  }
  #mac(value: string): Buffer {
    return createHmac("sha256", this.#secret).update(value, "utf8").digest();
  }
  sign(value: string): string {
    return `${value}.${this.#mac(value).toString("base64url")}`;
  }
  /** The value if the signature is right, else null. */
  verify(signed: string | undefined): string | null {
    const dot = signed?.lastIndexOf(".") ?? -1;
    if (!signed || dot <= 0) return null;
    const known = this.#verified.get(signed);
    if (known !== undefined) return known;
    const sig = signed.slice(dot + 1);
    if (!/^[A-Za-z0-9_-]{43}$/.test(sig)) return null;
    const value = signed.slice(0, dot);
    if (!timingSafeEqual(Buffer.from(sig, "base64url"), this.#mac(value))) return null;
    if (this.#verified.size >= VERIFIED_MAX) {
      this.#verified.delete(this.#verified.keys().next().value!);
    }
    this.#verified.set(signed, value);
    return value;
  }
}

export interface SessionOptions {
  /** Signs the session and CSRF cookies. */
  signer: CookieSigner;
  /** Set the `Secure` flag (behind HTTPS). @default false */
  secure?: boolean;
}

/**
 * Reads the signed session cookie into `c.var.userId` (null when absent,
 * tampered with or expired). The cookie value is `<userId>.<issued unix s>`,
 * signed by {@link CookieSigner}.
 */
export function session({ signer }: SessionOptions) {
  const readSession: MiddlewareHandler<AppEnv> = async (c, next) => {
    const raw = signer.verify(getCookie(c, SESSION_COOKIE));
    let userId: number | null = null;
    const m = typeof raw === "string" ? /^([1-9][0-9]{0,9})\.([0-9]{1,12})$/.exec(raw) : null;
    if (m && Date.now() / 1000 - Number(m[2]) < SESSION_SECONDS) userId = Number(m[1]);
    c.set("userId", userId);
    await next();
  };
  return readSession;
}

/** Starts a session for `userId` (after the login form was checked). */
export function startSession(
  c: Parameters<MiddlewareHandler<AppEnv>>[0],
  userId: number,
  { signer, secure = false }: SessionOptions,
): void {
  const value = signer.sign(`${userId}.${Math.floor(Date.now() / 1000)}`);
  setCookie(c, SESSION_COOKIE, value, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure,
    maxAge: SESSION_SECONDS,
  });
}

/** Ends the session. */
export function endSession(c: Parameters<MiddlewareHandler<AppEnv>>[0]): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
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
export function csrf({ signer, secure = false }: SessionOptions) {
  const checkCsrf: MiddlewareHandler<AppEnv> = async (c, next) => {
    const existing = signer.verify(getCookie(c, CSRF_COOKIE));
    const token = typeof existing === "string" && existing.length >= 32 ? existing : null;
    if (c.req.method === "POST") {
      const origin = c.req.header("origin");
      if (origin && origin !== new URL(c.req.url).origin) {
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

/** Pages behind login: redirect to `/login` without a session. */
export function requireUser() {
  const redirectToLogin: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.var.userId === null) return c.redirect("/login", 302);
    await next();
  };
  return redirectToLogin;
}
