/**
 * The serving side of `web`: the app (routes/app.ts) on a store URL in one
 * or more threads sharing a port, started by {@link startWeb} and stopped by
 * its `shutdown`; tools/web_worker.ts is the Worker of the extra threads.
 * The islands bundle comes from tools/web_bundle.ts.
 *
 * The session key comes from `RECSYS_SESSION_SECRET`; without it a random
 * key is made per start (sessions end on restart) and a warning is printed.
 * TMDB settings come from the environment (lib/tmdb.ts); without a key
 * pages show placeholders. Shutdown stops accepting connections, lets
 * requests in flight finish and closes the store.
 *
 * Fold-in (`POST /api/recommendations`, visitors' picks): the store's
 * fold-in state is read once at start by this thread into a
 * SharedArrayBuffer, and every serving thread scores over the same memory
 * (a Worker gets views of it in its start message, not a copy); each thread
 * has its own {@link FoldInRecommender} scratch. A store without the state
 * (or a cut one, which is reported) serves without fold-in. The state is
 * the one of the import served at start: after a new import, restart `web`.
 *
 * Before anything else, start-up checks that the port is free (bound once
 * without SO_REUSEPORT: the serving threads set it, and so would another
 * server's, so a busy port would otherwise be shared silently) and that a
 * SQLite store may be read and written, and fails with one line naming the
 * port and `--port`, or the path and the permission.
 */
import { UsageError } from "../lib/command.ts";
import { maskStoreUrl, openStore, parseStoreUrl } from "../lib/store/open.ts";
import { checkSqliteAccess } from "../lib/store/sqlite.ts";
import {
  TmdbClient,
  type TmdbConfig,
  tmdbConfigFromEnv,
  tmdbImageBase,
  TmdbMetadata,
} from "../lib/tmdb.ts";
import { type Store, StoreSchemaError, StoreUnavailableError } from "../lib/store/store.ts";
import { SCHEMA_VERSION } from "../lib/store/schema.ts";
import { createApp } from "../routes/app.ts";
import { bundleIslands } from "./web_bundle.ts";
import type { FoldInState } from "../lib/models/fold_in_state.ts";
import { decodeFoldInState, FoldInStateError } from "../lib/models/fold_in_file.ts";
import { FoldInRecommender } from "../lib/models/fold_in.ts";

/**
 * Serving threads of `web` by default: one per core. On the idle 2-core build
 * machine (scale-1 SQLite store, wrk on the same cores, 64 connections) 2
 * threads served the dashboard at 2,540–2,660 req/s, p99 36–40 ms, against
 * 1,480 req/s, p99 50 ms for one thread; the recommendations API went from
 * 7.5k to 11.5–12.1k req/s. While other jobs share the cores, 2 threads gain
 * less, since every thread then competes for the same share.
 */
export const DEFAULT_THREADS = Math.max(1, navigator.hardwareConcurrency || 1);

/** Another process (or server) listens on the port. */
export class PortInUseError extends Error {
  readonly host: string;
  readonly port: number;
  constructor(host: string, port: number) {
    super(
      `port ${port} on ${host} is already in use by another process: stop it, or choose ` +
        "another port with --port",
    );
    this.name = "PortInUseError";
    this.host = host;
    this.port = port;
  }
}

/**
 * Throws {@link PortInUseError} when `host:port` is taken, by binding it once
 * without SO_REUSEPORT (which a listener that set it, such as another
 * multi-threaded `web`, refuses too). Port 0 always has a free port.
 */
export function checkPortFree(host: string, port: number): void {
  if (port === 0) return;
  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ hostname: host, port });
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) throw new PortInUseError(host, port);
    throw err;
  }
  listener.close();
}

/** `--public-origin`: an http(s) origin without path; returns it normalised. */
export function parsePublicOrigin(text: string): string {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch { /* reported below */ }
  if (
    !url || !/^https?:$/.test(url.protocol) || url.pathname !== "/" || url.search || url.hash ||
    url.username
  ) {
    throw new UsageError(
      `--public-origin must be an origin like https://recsys.example.org, got '${text}'`,
      "--public-origin",
    );
  }
  return url.origin;
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
  /**
   * Threads serving requests: this one plus `threads - 1` Web Workers, all
   * listening on the same port (SO_REUSEPORT), each with its own store
   * connection (see {@link startWeb}). @default 1
   */
  threads?: number;
  /** Suppress start-up messages. @default false */
  quiet?: boolean;
  /**
   * The origin browsers use (behind a TLS-terminating proxy):
   * `https://…` makes cookies `Secure` and sends HSTS; form posts must come
   * from it (routes/app.ts). @default the request URL's origin
   */
  publicOrigin?: string;
}

export interface WebServer {
  /** `http://host:port` the server listens on. */
  url: string;
  /** Requests answered so far by each serving thread, this one first. */
  servedByThread(): Promise<number[]>;
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

/** What one serving thread needs; plain data, so it can be posted to a Worker. */
export interface ServerThreadOptions {
  db: string;
  port: number;
  host: string;
  tmdb: TmdbConfig | null;
  sessionSecret: string;
  islandsBundle: Uint8Array<ArrayBuffer>;
  /** Set SO_REUSEPORT (several threads on one port). */
  reusePort: boolean;
  publicOrigin?: string;
  /** The store's fold-in state (arrays on a SharedArrayBuffer); null: none. */
  foldIn: FoldInState | null;
}

/** One serving thread's server, store and TMDB lookups. */
export interface ServerThread {
  store: Store;
  port: number;
  /** Requests this thread has answered. */
  readonly served: number;
  /** Stops listening, waits for requests in flight, then for TMDB lookups (2 s at most). */
  shutdown(): Promise<void>;
}

/** Opens a store and serves the app on it in the calling thread (main or Worker). */
export function serveThread(o: ServerThreadOptions): Promise<ServerThread> {
  return openStore(o.db).then(async (store) => {
    // The movie catalogue is read now, not by the first request. A store that is down at
    // start is reported by startWeb; pages answer 503 until it is back.
    await store.preload().catch((err) => {
      if (!(err instanceof StoreUnavailableError)) throw err;
    });
    const tmdb = new TmdbMetadata(
      store,
      o.tmdb ? new TmdbClient(o.tmdb) : null,
      o.tmdb?.imageBase ?? tmdbImageBase(),
    );
    const app = createApp({
      store,
      sessionSecret: o.sessionSecret,
      metadata: tmdb,
      islandsBundle: o.islandsBundle,
      publicOrigin: o.publicOrigin,
      live: o.foldIn ? new FoldInRecommender(o.foldIn) : undefined,
    });
    let served = 0;
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = Deno.serve({
        port: o.port,
        hostname: o.host,
        reusePort: o.reusePort,
        onListen() {},
      }, (req, info) => {
        served++;
        return app.fetch(req, info);
      });
    } catch (err) {
      await store.close();
      if (err instanceof Deno.errors.AddrInUse) throw new PortInUseError(o.host, o.port);
      throw err;
    }
    let stopped: Promise<void> | null = null;
    return {
      store,
      port: server.addr.port,
      get served() {
        return served;
      },
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
  });
}

/** A serving thread that failed to start. */
export class ServerThreadError extends Error {
  readonly thread: number;
  constructor(thread: number, message: string) {
    super(`web: serving thread ${thread} failed: ${message}`);
    this.name = "ServerThreadError";
    this.thread = thread;
  }
}

/** Messages between tools/web_worker.ts and this module. */
export type ToWorker =
  | { type: "start"; options: ServerThreadOptions }
  | { type: "served" }
  | { type: "shutdown" };
export type FromWorker =
  | { type: "listening" }
  | { type: "error"; message: string }
  | { type: "served"; count: number }
  | { type: "stopped" };

/** The main thread's handle on a serving Worker. */
interface WorkerThread {
  /** Requests the Worker has answered. */
  served(): Promise<number>;
  shutdown(): Promise<void>;
}

/** A Worker running {@link serveThread}; resolves once it listens. */
function startWorkerThread(n: number, options: ServerThreadOptions): Promise<WorkerThread> {
  const worker = new Worker(new URL("./web_worker.ts", import.meta.url).href, { type: "module" });
  let onStopped = () => {};
  const stoppedMsg = new Promise<void>((r) => onStopped = r);
  /** Callers of `served()` waiting for the Worker's answer, first asked first. */
  const servedAsked: ((count: number) => void)[] = [];
  let started = false;
  return new Promise((resolve, reject) => {
    worker.onerror = (e) => {
      // Handled here, not rethrown in this thread: the other threads keep serving.
      e.preventDefault();
      const err = new ServerThreadError(n, e.message);
      if (started) console.error(err.message);
      reject(err);
      onStopped();
    };
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const msg = e.data;
      if (msg.type === "error") {
        worker.terminate();
        reject(new ServerThreadError(n, msg.message));
      } else if (msg.type === "stopped") {
        onStopped();
      } else if (msg.type === "served") {
        servedAsked.shift()?.(msg.count);
      } else {
        started = true;
        resolve({
          served() {
            const count = new Promise<number>((r) => servedAsked.push(r));
            worker.postMessage({ type: "served" } satisfies ToWorker);
            return count;
          },
          async shutdown() {
            worker.postMessage({ type: "shutdown" } satisfies ToWorker);
            await stoppedMsg;
            worker.terminate();
          },
        });
      }
    };
    worker.postMessage({ type: "start", options } satisfies ToWorker);
  });
}

/**
 * Starts the web server; resolves once it listens.
 *
 * With `threads > 1` every thread (this one and `threads - 1` Web Workers)
 * runs its own app and store connection and listens on the same port with
 * SO_REUSEPORT; the kernel spreads connections over them (Linux; elsewhere
 * the option is ignored and only the first listener gets connections). Why
 * threads: store calls (node:sqlite) and server-side rendering are
 * synchronous, so one thread serves one request at a time and latency under
 * load is concurrency / throughput; a thread per core multiplies throughput.
 * SQLite in WAL mode serves concurrent readers; MySQL gets a pool per thread.
 * TMDB lookups, their queue and rate limit are per thread. Shutdown stops all
 * threads, each finishing its requests in flight.
 */
export async function startWeb(options: WebOptions): Promise<WebServer> {
  const quiet = options.quiet ?? false;
  const threads = options.threads ?? 1;
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  }
  checkPortFree(options.host, options.port);
  const target = parseStoreUrl(options.db);
  if (target.kind === "sqlite") checkSqliteAccess(target.path);
  const publicOrigin = options.publicOrigin === undefined
    ? undefined
    : parsePublicOrigin(options.publicOrigin);
  const tmdbConfig = options.tmdb !== undefined ? options.tmdb : tmdbConfigFromEnv();
  const foldIn = await loadFoldIn(options.db, quiet);
  const threadOptions: ServerThreadOptions = {
    db: options.db,
    port: options.port,
    host: options.host,
    tmdb: tmdbConfig,
    sessionSecret: sessionSecret(options.sessionSecret, quiet),
    islandsBundle: await bundleIslands(),
    reusePort: threads > 1,
    publicOrigin,
    foldIn,
  };
  const main = await serveThread(threadOptions);
  // A store of another schema is refused at start (one line naming the command that rebuilds
  // it); one that cannot be read yet is served as 503 until it can.
  const found = await main.store.schemaVersion().catch(() => null);
  if (found !== null && found !== SCHEMA_VERSION) {
    await main.shutdown();
    throw new StoreSchemaError(found, SCHEMA_VERSION, maskStoreUrl(options.db));
  }
  // Port 0 picked a free port: the Workers join that one.
  const workers: WorkerThread[] = [];
  try {
    for (let n = 1; n < threads; n++) {
      workers.push(await startWorkerThread(n, { ...threadOptions, port: main.port }));
    }
  } catch (err) {
    await Promise.all([main.shutdown(), ...workers.map((w) => w.shutdown())]);
    throw err;
  }
  const store = main.store;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `http://${host}:${main.port}`;
  if (!quiet) {
    try {
      const c = await store.counts();
      console.log(
        `web: ${store.kind} store ${maskStoreUrl(options.db)}: ${c.users} users, ` +
          `${c.movies} movies, ${c.predictions} predictions, ${c.tmdbCached} TMDB entries` +
          (threads > 1 ? `; ${threads} serving threads` : ""),
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
    async servedByThread() {
      return [main.served, ...await Promise.all(workers.map((w) => w.served()))];
    },
    shutdown() {
      stopped ??= Promise.all([main.shutdown(), ...workers.map((w) => w.shutdown())]).then(
        () => {},
      );
      return stopped;
    },
  };
}

/**
 * The store's fold-in state, read once on a SharedArrayBuffer for every
 * serving thread; null (with a line on stderr, unless quiet for the plain
 * absence) when the store has none, is down, or holds a cut state.
 */
async function loadFoldIn(db: string, quiet: boolean): Promise<FoldInState | null> {
  let store: Store | null = null;
  try {
    store = await openStore(db);
    const bytes = await store.foldInState(true);
    if (!bytes) {
      if (!quiet) {
        console.log(
          "web: the store has no fold-in state (imported without fold_in_state.bin): " +
            "POST /api/recommendations answers 503, new visitors get popular movies",
        );
      }
      return null;
    }
    const state = decodeFoldInState(bytes, `store ${maskStoreUrl(db)}`);
    if (!quiet) {
      console.log(
        `web: fold-in state ${(bytes.length / 2 ** 20).toFixed(1)} MiB ` +
          `(${state.itemIds.length} movies, ${state.easeCols.length} EASE columns, ` +
          `${state.bmfSamples} bmf samples), shared by every serving thread`,
      );
    }
    return state;
  } catch (err) {
    if (!(err instanceof StoreUnavailableError) && !(err instanceof FoldInStateError)) throw err;
    console.error(`web: no fold-in: ${err.message}`);
    return null;
  } finally {
    await store?.close();
  }
}

/** Resolves on the first SIGINT or SIGTERM, with its name; both listeners are removed then. */
export function untilInterrupted(): Promise<Deno.Signal> {
  return new Promise((resolve) => {
    const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
    const handlers = signals.map((sig) => {
      const handler = () => {
        signals.forEach((s, i) => Deno.removeSignalListener(s, handlers[i]));
        resolve(sig);
      };
      Deno.addSignalListener(sig, handler);
      return handler;
    });
  });
}
