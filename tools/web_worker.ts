/**
 * A serving thread of `web` (see `startWeb` in tools/web_server.ts): a Web Worker
 * that runs the app on its own store connection, listening on the main
 * thread's port with SO_REUSEPORT. Messages: `start` (options) → `listening`
 * or `error`; `served` → `served` with the count of requests answered;
 * `shutdown` → `stopped` once requests in flight are done and the store is
 * closed.
 */
/// <reference lib="deno.worker" />
import { type FromWorker, type ServerThread, serveThread, type ToWorker } from "./web_server.ts";

let thread: ServerThread | null = null;
const reply = (msg: FromWorker) => self.postMessage(msg);

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === "start") {
    try {
      thread = await serveThread(msg.options);
      reply({ type: "listening" });
    } catch (err) {
      reply({ type: "error", message: err instanceof Error ? err.message : String(err) });
    }
  } else if (msg.type === "served") {
    reply({ type: "served", count: thread?.served ?? 0 });
  } else {
    await thread?.shutdown();
    reply({ type: "stopped" });
  }
};
