/**
 * Store URLs: `sqlite:<path>` (the default, a single file) or
 * `mysql://user:password@host:port/database` (MariaDB too; port 3306 by
 * default). The URL comes from `--db` or the `RECSYS_DB` environment
 * variable, so a password is only ever given in the URL or the environment;
 * messages show the URL through {@link maskStoreUrl}.
 *
 * Opening never connects: the returned store connects on first use and
 * raises StoreUnavailableError while the database cannot be reached, then
 * serves again once it can (the web app answers 503 meanwhile).
 */
import type { Store } from "./store.ts";
import { SqlStore } from "./sql_store.ts";
import { SqliteLoader, SqliteRunner } from "./sqlite.ts";
import { MysqlLoader, MysqlRunner, type MysqlTarget } from "./mysql.ts";
import type { StoreLoader } from "./loader.ts";

/** A store URL that is neither `sqlite:` nor a complete `mysql://` URL. */
export class StoreUrlError extends Error {
  /** The URL with any password masked. */
  readonly url: string;
  constructor(url: string, reason: string) {
    super(
      `bad store URL '${url}': ${reason} (expected sqlite:<path> or mysql://user:pass@host:port/db)`,
    );
    this.name = "StoreUrlError";
    this.url = url;
  }
}

export type StoreTarget = { kind: "sqlite"; path: string } | ({ kind: "mysql" } & MysqlTarget);

/** The URL with its password (if any) replaced by `***`. */
export function maskStoreUrl(url: string): string {
  return url.replace(/^(mysql:\/\/[^:@/]*:).*@/, "$1***@");
}

/** Parses a store URL. Throws StoreUrlError (with the password masked). */
export function parseStoreUrl(url: string): StoreTarget {
  const masked = maskStoreUrl(url);
  if (url.startsWith("sqlite:")) {
    let path = url.slice("sqlite:".length);
    if (path.startsWith("//")) path = path.slice(2);
    if (path === "") throw new StoreUrlError(masked, "empty path");
    return { kind: "sqlite", path };
  }
  if (url.startsWith("mysql://")) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new StoreUrlError(masked, "not a URL");
    }
    const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
    if (!u.hostname) throw new StoreUrlError(masked, "no host");
    if (!/^[A-Za-z0-9_$]+$/.test(database)) {
      throw new StoreUrlError(masked, "database name missing or not [A-Za-z0-9_$]");
    }
    return {
      kind: "mysql",
      host: u.hostname,
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username) || "root",
      password: decodeURIComponent(u.password),
      database,
      maskedUrl: masked,
    };
  }
  throw new StoreUrlError(masked, "unknown scheme");
}

/** Opens a store (lazily connecting; see the module doc). */
export function openStore(url: string): Promise<Store> {
  const t = parseStoreUrl(url);
  const runner = t.kind === "sqlite" ? new SqliteRunner(t.path) : new MysqlRunner(t);
  return Promise.resolve(new SqlStore(runner));
}

/** Opens the bulk loader `import` uses. */
export function openLoader(url: string): StoreLoader {
  const t = parseStoreUrl(url);
  return t.kind === "sqlite" ? new SqliteLoader(t.path) : new MysqlLoader(t);
}
