/**
 * The code a step runs, fingerprinted: the local modules reachable from some
 * root modules through their relative imports (static, dynamic, re-exports,
 * and Workers started with `new URL(<relative path>, import.meta.url)`), each with a
 * hash of its text (type-only imports are not followed: they do not run). The pipeline's manifest keeps it per step
 * (lib/step_runner.ts), so editing a module reruns exactly the steps that
 * reach it.
 *
 * Keys are paths relative to the repository root (the parent of `lib/`), so
 * a copy of the tree fingerprints alike. npm packages are pinned by
 * `deno.lock` and not walked. Modules listed in `exclude` are neither hashed
 * nor followed: a table such as lib/models/registry.ts, whose entries a step
 * names in its options and whose chosen model module it lists as a root.
 *
 * Cost: one read and one SHA-256 per reachable module (a few dozen, ~1 ms each).
 */

/** Module path (relative to the repository root) → the first 16 hex digits of its SHA-256. */
export type CodeFingerprint = Record<string, string>;

/** Which modules a step runs: where to start, and what not to walk into. */
export interface CodeRoots {
  /** Module URLs (a module's `import.meta.url`, or one resolved from it). */
  roots: readonly string[];
  /** Module URLs neither hashed nor followed. @default [] */
  exclude?: readonly string[];
}

const ROOT = new URL("../", import.meta.url);

// `from "./x"`, `import "./x"`, `import("./x")`, `new URL("./x", …)`: relative specifiers only.
const SPECIFIER = /(?:\bfrom|\bimport|\bimport\s*\(|\bnew URL\s*\()\s*["'](\.{1,2}\/[^"'\n]+)["']/g;

// A line of a comment: a doc comment's example imports nothing.
const COMMENT_LINE = /^\s*(?:\*|\/\/|\/\*)/;

// `import type …` and `export type …` statements: erased when the module runs.
const TYPE_ONLY = /\b(?:import|export)\s+type\s[^;]*?from\s*["'][^"']+["']/g;

/**
 * The relative specifiers a module's text imports at run time (see the module
 * doc): comment lines and type-only imports are skipped.
 */
export function localImports(text: string): string[] {
  const code = text.split("\n").filter((line) => !COMMENT_LINE.test(line)).join("\n")
    .replace(TYPE_ONLY, "");
  return [...code.matchAll(SPECIFIER)].map((m) => m[1]);
}

async function sha16(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).subarray(0, 8), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

function relative(url: URL): string {
  return url.href.startsWith(ROOT.href) ? url.href.slice(ROOT.href.length) : url.href;
}

/** Hashes every module reachable from `code.roots`, keys sorted. */
export async function fingerprintCode(code: CodeRoots): Promise<CodeFingerprint> {
  const exclude = new Set((code.exclude ?? []).map((u) => new URL(u).href));
  const seen = new Set<string>();
  const out: CodeFingerprint = {};
  const queue = code.roots.map((u) => new URL(u));
  while (queue.length > 0) {
    const url = queue.pop()!;
    if (seen.has(url.href) || exclude.has(url.href)) continue;
    seen.add(url.href);
    let text: string;
    try {
      text = await Deno.readTextFile(url);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new Error(`${relative(url)}: imported but missing`);
      }
      throw err;
    }
    out[relative(url)] = await sha16(text);
    for (const spec of localImports(text)) queue.push(new URL(spec, url));
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
