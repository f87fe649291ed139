/**
 * Static assets served from memory under content-hashed names
 * (`/assets/style.<hash>.css`, `/assets/islands.<hash>.js`), so responses can
 * be cached for a year: a changed file gets a new URL.
 */
import { createHash } from "node:crypto";
import type { PageAssets } from "../components/Layout.tsx";

export interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
}

/** The pages' asset URLs and the files behind them. */
export interface Assets extends PageAssets {
  /** File name under `/assets/` → content. */
  files: Map<string, Asset>;
}

const STATIC_DIR = new URL("../static/", import.meta.url);

function hashed(name: string, ext: string, body: Uint8Array): string {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
  return `${name}.${hash}.${ext}`;
}

/**
 * The stylesheet and icon from `static/`, plus the islands bundle when one is
 * given (see `bundleIslands` in tools/web_bundle.ts).
 */
export function loadAssets(islandsBundle?: Uint8Array<ArrayBuffer>): Assets {
  const files = new Map<string, Asset>();
  const add = (name: string, ext: string, type: string, body: Uint8Array<ArrayBuffer>) => {
    const file = hashed(name, ext, body);
    files.set(file, { body, type });
    return `/assets/${file}`;
  };
  const style = add(
    "style",
    "css",
    "text/css; charset=utf-8",
    Deno.readFileSync(new URL("style.css", STATIC_DIR)),
  );
  const icon = add(
    "favicon",
    "svg",
    "image/svg+xml",
    Deno.readFileSync(new URL("favicon.svg", STATIC_DIR)),
  );
  const script = islandsBundle
    ? add("islands", "js", "text/javascript; charset=utf-8", islandsBundle)
    : null;
  return { style, icon, script, files };
}
