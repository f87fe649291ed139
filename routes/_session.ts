/**
 * The session's signing: {@link CookieSigner} (HMAC-signed cookie values)
 * and the options the session middleware takes. Its own module so that the
 * app's types (routes/_http.ts) and the middleware (routes/_middleware.ts)
 * both depend on it, not on each other.
 */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Store } from "../lib/store/store.ts";

/** Verified cookie strings remembered per signer. */
const VERIFIED_MAX = 10_000;

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
  /** Keeps the revoked sessions. */
  store: Store;
  /** Set the `Secure` flag (behind HTTPS). @default false */
  secure?: boolean;
  /**
   * The origin browsers see (`https://host`), the only one form posts may
   * come from; default: the request URL's own.
   */
  origin?: string;
}
