/**
 * A tiny pool of Web Workers over shared memory, for work split into numbered
 * chunks (row blocks, test-rating ranges).
 *
 * The main thread posts one `init` message per worker (typed arrays backed
 * by SharedArrayBuffers are shared, not copied), then workers claim chunk
 * numbers from a shared atomic counter until none are left, and post each
 * chunk's result back. Results are returned indexed by chunk number, so the
 * caller merges them in a fixed order and the output is the same for any
 * number of workers (dynamic claiming only changes who computed a chunk).
 *
 * Worker side: call {@link serveChunks} in the worker module.
 */

/** Messages a worker posts. */
type FromWorker<R> =
  | { type: "chunk"; chunk: number; result: R }
  | { type: "error"; message: string; stack?: string };

interface InitMessage<I> {
  type: "init";
  init: I;
  counter: Int32Array;
  chunks: number;
}

export interface RunChunksOptions<I, R> {
  /** Module URL of the worker (it must call {@link serveChunks}). */
  worker: URL;
  /** Data every worker receives once (shared typed arrays, options). */
  init: I;
  /** Number of chunks, numbered 0..chunks-1. */
  chunks: number;
  /** Worker count; never more than `chunks`. Changes only speed. */
  workers: number;
  /** Called on the main thread as each chunk completes (progress, streaming output). */
  onChunk?: (chunk: number, result: R) => void;
  /**
   * Keep every result for the returned array. `false` when `onChunk` consumes
   * results (streamed output), so they can be freed; the array is then empty.
   * @default true
   */
  keepResults?: boolean;
}

/** Runs every chunk on a pool of workers; returns results indexed by chunk. */
export function runChunks<I, R>(options: RunChunksOptions<I, R>): Promise<R[]> {
  const { chunks } = options;
  const results = new Array<R>(chunks);
  if (chunks === 0) return Promise.resolve(results);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const n = Math.max(1, Math.min(options.workers, chunks));
  const workers: Worker[] = [];
  return new Promise<R[]>((resolve, reject) => {
    let done = 0;
    let failed = false;
    const stop = () => workers.forEach((w) => w.terminate());
    for (let k = 0; k < n; k++) {
      const w = new Worker(options.worker.href, { type: "module" });
      workers.push(w);
      w.onmessage = (e: MessageEvent<FromWorker<R>>) => {
        if (failed) return;
        const msg = e.data;
        if (msg.type === "error") {
          failed = true;
          stop();
          const err = new Error(msg.message);
          if (msg.stack) err.stack = msg.stack;
          reject(err);
          return;
        }
        if (options.keepResults ?? true) results[msg.chunk] = msg.result;
        options.onChunk?.(msg.chunk, msg.result);
        if (++done === chunks) {
          stop();
          resolve(results);
        }
      };
      w.onerror = (e) => {
        e.preventDefault();
        if (failed) return;
        failed = true;
        stop();
        reject(new Error(`worker failed: ${e.message}`));
      };
      const init: InitMessage<I> = { type: "init", init: options.init, counter, chunks };
      w.postMessage(init);
    }
  });
}

/**
 * Worker side: receives the init data, then claims and computes chunks until
 * none are left. `prepare` runs once per worker (build per-worker buffers);
 * `compute` runs per chunk and returns a structured-cloneable result;
 * `transfer` names buffers in it to move rather than copy (large typed arrays).
 */
export function serveChunks<I, S, R>(
  prepare: (init: I) => S,
  compute: (state: S, chunk: number) => R,
  transfer?: (result: R) => Transferable[],
): void {
  const scope = self as unknown as {
    onmessage: ((e: MessageEvent<InitMessage<I>>) => void) | null;
    postMessage(msg: FromWorker<R>, transfer?: Transferable[]): void;
  };
  scope.onmessage = (e) => {
    const { init, counter, chunks } = e.data;
    try {
      const state = prepare(init);
      for (;;) {
        const chunk = Atomics.add(counter, 0, 1);
        if (chunk >= chunks) break;
        const result = compute(state, chunk);
        scope.postMessage({ type: "chunk", chunk, result }, transfer?.(result) ?? []);
      }
    } catch (err) {
      const e2 = err instanceof Error ? err : new Error(String(err));
      scope.postMessage({ type: "error", message: e2.message, stack: e2.stack });
    }
  };
}

/** The default worker count: the machine's cores. */
export function defaultWorkers(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

/** Messages a phase worker receives. */
type ToPhaseWorker<I, P> =
  | { type: "init"; init: I; counter: Int32Array }
  | { type: "phase"; phase: P; chunks: number };

/**
 * Workers kept for many short phases of one computation (a sampler's
 * sweeps), where starting Workers per phase would cost more than the work.
 * Every phase is numbered chunks claimed from a shared counter, as in
 * {@link runChunks}; a phase returns nothing (chunks write into shared
 * arrays) and {@link PhaseWorkers.run} resolves when every chunk is done.
 * Worker side: {@link servePhases}.
 */
export class PhaseWorkers<I, P> {
  readonly #workers: Worker[];
  readonly #counter = new Int32Array(new SharedArrayBuffer(4));
  #waiting: { left: number; resolve: () => void; reject: (e: Error) => void } | null = null;

  /** Starts `count` workers of module `worker`, each receiving `init` once. */
  constructor(worker: URL, init: I, count: number) {
    this.#workers = Array.from({ length: Math.max(1, count) }, () => {
      const w = new Worker(worker.href, { type: "module" });
      w.onmessage = (e: MessageEvent<{ type: "done" } | { type: "error"; message: string }>) => {
        const wait = this.#waiting;
        if (!wait) return;
        if (e.data.type === "error") {
          this.#waiting = null;
          wait.reject(new Error(e.data.message));
        } else if (--wait.left === 0) {
          this.#waiting = null;
          wait.resolve();
        }
      };
      w.onerror = (e) => {
        e.preventDefault();
        const wait = this.#waiting;
        this.#waiting = null;
        wait?.reject(new Error(`worker failed: ${e.message}`));
      };
      const msg: ToPhaseWorker<I, P> = { type: "init", init, counter: this.#counter };
      w.postMessage(msg);
      return w;
    });
  }

  /** Runs chunks 0..chunks-1 of `phase` on the workers. */
  run(phase: P, chunks: number): Promise<void> {
    Atomics.store(this.#counter, 0, 0);
    return new Promise((resolve, reject) => {
      this.#waiting = { left: this.#workers.length, resolve, reject };
      const msg: ToPhaseWorker<I, P> = { type: "phase", phase, chunks };
      for (const w of this.#workers) w.postMessage(msg);
    });
  }

  /** Stops the workers. */
  close(): void {
    for (const w of this.#workers) w.terminate();
  }
}

/**
 * Worker side of {@link PhaseWorkers}: `prepare` runs once on the init data;
 * `compute` runs for every chunk this worker claims in a phase.
 */
export function servePhases<I, S, P>(
  prepare: (init: I) => S,
  compute: (state: S, phase: P, chunk: number) => void,
): void {
  const scope = self as unknown as {
    onmessage: ((e: MessageEvent<ToPhaseWorker<I, P>>) => void) | null;
    postMessage(msg: { type: "done" } | { type: "error"; message: string }): void;
  };
  let state: S | undefined;
  let counter: Int32Array | undefined;
  scope.onmessage = (e) => {
    const msg = e.data;
    try {
      if (msg.type === "init") {
        state = prepare(msg.init);
        counter = msg.counter;
        return;
      }
      for (;;) {
        const chunk = Atomics.add(counter!, 0, 1);
        if (chunk >= msg.chunks) break;
        compute(state!, msg.phase, chunk);
      }
      scope.postMessage({ type: "done" });
    } catch (err) {
      scope.postMessage({
        type: "error",
        message: err instanceof Error ? err.message : String(err),
      });
    }
  };
}
