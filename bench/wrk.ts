/**
 * Debian's `wrk` for the web bench entries (web-dashboard, web-fold-in):
 * one run of a Lua request script against a loopback URL, its summary read
 * back through a `done` hook that prints one `WRK …` line.
 */

/** What one wrk run measured. */
export interface WrkResult {
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx answers plus connect, read, write errors and timeouts. */
  errors: number;
}

const LUA_DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout))
end
`;

/** Runs `script` (its `request`/`init` hooks) with 2 threads, `connections` for `seconds`. */
export async function runWrk(
  url: string,
  script: string,
  load: { connections: number; seconds: number; entry: string },
): Promise<WrkResult> {
  const dir = await Deno.makeTempDir({ prefix: "wrk-" });
  try {
    await Deno.writeTextFile(`${dir}/load.lua`, script + LUA_DONE);
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command("wrk", {
        args: [
          "-t2",
          `-c${load.connections}`,
          `-d${load.seconds}s`,
          "-s",
          `${dir}/load.lua`,
          url,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new Error(`${load.entry} needs wrk on PATH (apt-get install wrk)`);
      }
      throw err;
    }
    const text = new TextDecoder().decode(out.stdout);
    const m = /WRK (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(text);
    if (!out.success || !m) {
      throw new Error(`wrk failed:\n${text}${new TextDecoder().decode(out.stderr)}`);
    }
    const [requests, durationUs, p50Us, p99Us, errors] = m.slice(1).map(Number);
    return { requests, seconds: durationUs / 1e6, p50Ms: p50Us / 1e3, p99Ms: p99Us / 1e3, errors };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** One line: throughput, p50, p99, errors and requests. */
export function describeWrk(r: WrkResult): string {
  return `${(r.requests / r.seconds).toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(1)} ms, ` +
    `p99 ${r.p99Ms.toFixed(1)} ms, ${r.errors} errors, ${r.requests} requests`;
}
