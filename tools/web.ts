/**
 * `web`: serves the dashboard (routes/app.ts) over a store URL.
 *
 * Start-up bundles islands/client.ts with `deno bundle` (browser platform,
 * minified; the same import map, so the client's preact is the server's npm
 * preact) into `.cache/web/islands-<source hash>.js`, reused while no source
 * under islands/ or lib/, deno.json, deno.lock or the Deno version changes.
 * The bundle is then served under its content hash with a one-year cache.
 *
 * The session key comes from `RECSYS_SESSION_SECRET`; without it a random
 * key is made per start (sessions end on restart) and a warning is printed.
 * TMDB settings come from the environment (lib/tmdb.ts); without a key
 * pages show placeholders. SIGINT/SIGTERM stop accepting connections, let
 * requests in flight finish and close the store.
 */
import { createHash } from "node:crypto";
import { defineCommand } from "../lib/command.ts";
import { maskStoreUrl, openStore } from "../lib/store/open.ts";
import {
  TmdbClient,
  type TmdbConfig,
  tmdbConfigFromEnv,
  tmdbImageBase,
  TmdbMetadata,
} from "../lib/tmdb.ts";
import { createApp } from "../routes/app.ts";
import { loadAssets } from "../routes/_assets.ts";

const ROOT = new URL("../", import.meta.url);
export const DEFAULT_DB = "sqlite:data/recsys.db";

/** `deno bundle` failed; `stderr` holds its diagnostics. */
export class BundleError extends Error {
  readonly stderr: string;
  constructor(stderr: string) {
    super(`deno bundle of islands/client.ts failed:\n${stderr}`);
    this.name = "BundleError";
    this.stderr = stderr;
  }
}

async function sourceHash(): Promise<string> {
  const hash = createHash("sha256").update(Deno.version.deno);
  const files: string[] = [];
  const walk = async (dir: URL, rel: string) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(new URL(`${e.name}/`, dir), `${rel}${e.name}/`);
      else if (/\.(ts|tsx)$/.test(e.name)) files.push(`${rel}${e.name}`);
    }
  };
  await walk(new URL("islands/", ROOT), "islands/");
  await walk(new URL("lib/", ROOT), "lib/");
  files.sort();
  for (const f of [...files, "deno.json", "deno.lock"]) {
    hash.update(f).update(await Deno.readFile(new URL(f, ROOT)));
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * The islands client script, bundled by `deno bundle` or taken from the
 * cache when its sources are unchanged. Works offline once npm packages are
 * in Deno's cache.
 */
export async function bundleIslands(): Promise<Uint8Array<ArrayBuffer>> {
  const cacheDir = new URL(".cache/web/", ROOT);
  const cached = new URL(`islands-${await sourceHash()}.js`, cacheDir);
  try {
    return await Deno.readFile(cached);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  const tmp = new URL(`islands-${Deno.pid}-${Date.now()}.tmp.js`, cacheDir);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--minify",
      "--output",
      tmp.pathname,
      "islands/client.ts",
    ],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    await Deno.remove(tmp).catch(() => {});
    throw new BundleError(new TextDecoder().decode(out.stderr));
  }
  await Deno.rename(tmp, cached);
  return await Deno.readFile(cached);
}

export interface WebOptions {
  /** Store URL (`sqlite:<path>` or `mysql://…`). */
  db: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on. */
  host: string;
  /** TMDB settings; default from the environment (null: placeholders only). */
  tmdb?: TmdbConfig | null;
  /** Cookie signing key; default `RECSYS_SESSION_SECRET`, else random per start. */
  sessionSecret?: string;
  /** Suppress start-up messages. @default false */
  quiet?: boolean;
}

export interface WebServer {
  /** `http://host:port` the server listens on. */
  url: string;
  /** Stops listening, waits for requests in flight, closes the store. */
  shutdown(): Promise<void>;
}

function sessionSecret(given: string | undefined, quiet: boolean): string {
  const secret = given ?? Deno.env.get("RECSYS_SESSION_SECRET");
  if (secret) return secret;
  if (!quiet) {
    console.warn(
      "web: RECSYS_SESSION_SECRET is not set; using a random key (sessions end on restart)",
    );
  }
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16)).join("");
}

/** Starts the web server; resolves once it listens. */
export async function startWeb(options: WebOptions): Promise<WebServer> {
  const quiet = options.quiet ?? false;
  const store = await openStore(options.db);
  const tmdbConfig = options.tmdb !== undefined ? options.tmdb : tmdbConfigFromEnv();
  const tmdb = new TmdbMetadata(
    store,
    tmdbConfig ? new TmdbClient(tmdbConfig) : null,
    tmdbConfig?.imageBase ?? tmdbImageBase(),
  );
  const app = createApp({
    store,
    sessionSecret: sessionSecret(options.sessionSecret, quiet),
    tmdb,
    assets: loadAssets(await bundleIslands()),
  });
  const server = Deno.serve({
    port: options.port,
    hostname: options.host,
    onListen() {},
  }, app.fetch);
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `http://${host}:${server.addr.port}`;
  if (!quiet) {
    try {
      const c = await store.counts();
      console.log(
        `web: ${store.kind} store ${maskStoreUrl(options.db)}: ${c.users} users, ` +
          `${c.movies} movies, ${c.predictions} predictions, ${c.tmdbCached} TMDB entries`,
      );
    } catch (err) {
      console.warn(
        `web: store ${maskStoreUrl(options.db)} is not reachable yet (${
          err instanceof Error ? err.message : err
        }); pages answer 503 until it is`,
      );
    }
    if (!tmdbConfig) console.log("web: no TMDB_API_KEY / TMDB_READ_TOKEN: poster placeholders");
  }
  let stopped: Promise<void> | null = null;
  return {
    url,
    shutdown() {
      stopped ??= (async () => {
        await server.shutdown();
        // Background TMDB lookups get a moment to store what they fetched.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([tmdb.idle(), new Promise((r) => timer = setTimeout(r, 2000))]);
        clearTimeout(timer);
        await store.close();
      })();
      return stopped;
    },
  };
}

export const webCommand = defineCommand({
  name: "web",
  summary: "serve the dashboard, movie pages and JSON API over a store",
  flags: {
    db: {
      type: "string",
      arg: "<url>",
      doc:
        `sqlite:<path> or mysql://user:pass@host:port/db (default: $RECSYS_DB, else ${DEFAULT_DB})`,
    },
    port: { type: "integer", default: 8000, min: 0, max: 65535, doc: "TCP port (0: any free)" },
    host: { type: "string", default: "127.0.0.1", doc: "interface to listen on" },
  },
  details: "Environment: RECSYS_SESSION_SECRET (cookie key), TMDB_API_KEY or TMDB_READ_TOKEN, " +
    "TMDB_API_BASE, TMDB_IMAGE_BASE.",
  async run(f) {
    const db = f.db ?? Deno.env.get("RECSYS_DB") ?? DEFAULT_DB;
    const web = await startWeb({ db, port: f.port, host: f.host });
    console.log(`web: listening on ${web.url}`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        Deno.removeSignalListener("SIGINT", stop);
        Deno.removeSignalListener("SIGTERM", stop);
        console.log("web: shutting down");
        resolve();
      };
      Deno.addSignalListener("SIGINT", stop);
      Deno.addSignalListener("SIGTERM", stop);
    });
    await web.shutdown();
  },
});
