/**
 * The islands bundle of `web`: islands/client.ts built by `deno bundle`
 * (browser platform, minified; the same import map, so the client's preact
 * is the server's npm preact, but the "react-jsx" transform instead of the
 * server's "precompile") into `.cache/web/islands-<key>.js`, reused while its
 * {@link bundleKey} is unchanged. tools/web_server.ts serves it under its
 * content hash (routes/_assets.ts).
 *
 * The key covers what the bundle is made of and nothing else: the local
 * modules the entry reaches through code imports (as `deno info` resolves
 * them, so an edit to a `lib/` module the islands do not import rebuilds
 * nothing), deno.json, deno.lock (the npm packages) and the Deno version.
 */
import { createHash } from "node:crypto";

const ROOT = new URL("../", import.meta.url);
/** The bundle's entry, relative to the project root. */
const ENTRY = "islands/client.ts";

/** `deno bundle` (or `deno info` of its entry) failed; `stderr` holds its diagnostics. */
export class BundleError extends Error {
  readonly stderr: string;
  constructor(stderr: string, command = "bundle") {
    super(`deno ${command} of ${ENTRY} failed:\n${stderr}`);
    this.name = "BundleError";
    this.stderr = stderr;
  }
}

/** The part of `deno info --json` read here. */
interface ModuleGraph {
  roots: string[];
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier: string } }[];
  }[];
}

/**
 * The project files the bundle is built from, relative to `root` and
 * sorted: the entry and every local module reached from it by an import
 * that carries code (`import type` adds nothing to the bundle). npm
 * packages are not listed: deno.lock pins them.
 */
export async function bundleSources(root: URL = ROOT): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", ENTRY],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new BundleError(new TextDecoder().decode(out.stderr), "info");
  const graph: ModuleGraph = JSON.parse(new TextDecoder().decode(out.stdout));
  const modules = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (specifier: string) => {
    if (!specifier.startsWith("file:") || seen.has(specifier)) return;
    seen.add(specifier);
    for (const d of modules.get(specifier)?.dependencies ?? []) {
      if (d.code) visit(d.code.specifier);
    }
  };
  graph.roots.forEach(visit);
  return [...seen].map((s) => decodeURIComponent(s.slice(root.href.length))).sort();
}

/** The cache key of the bundle: 16 hex digits of a SHA-256 over its sources (see the top). */
export async function bundleKey(root: URL = ROOT): Promise<string> {
  const hash = createHash("sha256").update(Deno.version.deno);
  for (const f of [...await bundleSources(root), "deno.json", "deno.lock"]) {
    hash.update(f).update(await Deno.readFile(new URL(f, root)));
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
  const cached = new URL(`islands-${await bundleKey()}.js`, cacheDir);
  try {
    return await Deno.readFile(cached);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  const stem = `islands-${Deno.pid}-${Date.now()}`;
  const tmp = new URL(`${stem}.tmp.js`, cacheDir);
  // The server compiles JSX with the "precompile" transform (deno.json: HTML as string
  // templates, ~2.4x faster server rendering), whose templates only preact-render-to-string
  // understands; the browser bundle needs real vnodes, so it is built with "react-jsx".
  const config = new URL(`${stem}.deno.json`, cacheDir);
  const project = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      imports: project.imports,
      compilerOptions: { ...project.compilerOptions, jsx: "react-jsx" },
    }),
  );
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--config",
        config.pathname,
        "--lock",
        new URL("deno.lock", ROOT).pathname,
        "--platform",
        "browser",
        "--minify",
        "--output",
        tmp.pathname,
        ENTRY,
      ],
      cwd: ROOT.pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } finally {
    await Deno.remove(config).catch(() => {});
  }
  if (!out.success) {
    await Deno.remove(tmp).catch(() => {});
    throw new BundleError(new TextDecoder().decode(out.stderr));
  }
  await Deno.rename(tmp, cached);
  return await Deno.readFile(cached);
}
