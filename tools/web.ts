/**
 * `web`: serves the dashboard (routes/app.ts) over a store URL until SIGINT
 * or SIGTERM, then lets requests in flight finish and closes the store.
 *
 * This is the command and the web stage's public entry: the flags here,
 * serving in tools/web_server.ts ({@link startWeb}: threads, start-up checks,
 * shutdown), the islands bundle and its cache in tools/web_bundle.ts.
 */
import { defineCommand } from "../lib/command.ts";
import { DEFAULT_STORE_URL, STORE_URL_ENV, storeUrl } from "../lib/run_dir.ts";
import { DEFAULT_THREADS, startWeb, untilInterrupted } from "./web_server.ts";

export {
  checkPortFree,
  DEFAULT_THREADS,
  PortInUseError,
  startWeb,
  untilInterrupted,
  type WebOptions,
  type WebServer,
} from "./web_server.ts";

export const webCommand = defineCommand({
  name: "web",
  summary: "serve the dashboard, movie pages and JSON API over a store",
  flags: {
    db: {
      type: "string",
      arg: "<url>",
      doc:
        `sqlite:<path> or mysql://user:pass@host:port/db (default: $${STORE_URL_ENV}, else ${DEFAULT_STORE_URL})`,
    },
    port: { type: "integer", default: 8000, min: 0, max: 65535, doc: "TCP port (0: any free)" },
    host: { type: "string", default: "127.0.0.1", doc: "interface to listen on" },
    workers: {
      type: "integer",
      default: DEFAULT_THREADS,
      min: 1,
      max: 64,
      was: ["threads"],
      doc: "serving threads sharing the port (SO_REUSEPORT), each with its own store connection",
    },
    publicOrigin: {
      type: "string",
      arg: "<origin>",
      doc: "origin browsers use behind a proxy; https://… sets Secure cookies and HSTS",
    },
  },
  details: "Environment: RECSYS_SESSION_SECRET (cookie key), TMDB_API_KEY or TMDB_READ_TOKEN, " +
    "TMDB_API_BASE, TMDB_IMAGE_BASE.",
  async run(f) {
    const db = storeUrl(f.db, DEFAULT_STORE_URL)!;
    const web = await startWeb({
      db,
      port: f.port,
      host: f.host,
      threads: f.workers,
      publicOrigin: f.publicOrigin,
    });
    console.log(`web: listening on ${web.url}`);
    await untilInterrupted();
    console.log("web: shutting down");
    await web.shutdown();
  },
});
