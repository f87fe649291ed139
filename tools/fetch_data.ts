/**
 * `fetch-data`: downloads a MovieLens archive from GroupLens, verifies it and
 * unpacks it, safely when interrupted at any point.
 *
 * - Download: `<base>/<name>.zip` goes to `<dir>/<name>.zip.partial`. When a
 *   partial file exists, the request asks for the rest with an HTTP `Range`
 *   header; a server that answers 200 instead (ignoring the range) restarts
 *   the file from zero, and a `416` discards the partial file and restarts.
 *   An interrupted transfer keeps the partial file for the next run.
 * - Verify: the MD5 of the whole archive (`node:crypto`) must equal the one
 *   published in `<base>/<name>.zip.md5` (`<md5>  <file>`, or BSD
 *   `MD5 (<file>) = <md5>`); a mismatch deletes the archive, since resuming
 *   a corrupt file cannot repair it.
 * - Unpack: into `<dir>/.<name>.extracting`, entries checked against the
 *   zip's central directory (lib/zip_extract.ts), then renamed to
 *   `<dir>/<name>` in one step. So `<dir>/<name>` exists only complete, and a
 *   present `<dir>/<name>` means there is nothing to do. The archive is
 *   deleted once unpacked.
 */
import { createHash } from "node:crypto";
import { defineCommand } from "../lib/command.ts";
import { Progress } from "../lib/progress.ts";
import { extractZip } from "../lib/zip_extract.ts";

/**
 * The GroupLens archives this command knows, each with the top-level folder
 * its zip unpacks to (renamed to the dataset's name). GroupLens publishes
 * `<name>.zip.md5` beside every one of them, so every download is checked;
 * a mirror without that file fails with the URL it tried.
 * ml-latest and ml-latest-small change with each GroupLens refresh (and
 * their MD5 with them).
 */
export const ARCHIVE_FOLDERS = {
  "ml-100k": "ml-100k",
  "ml-1m": "ml-1m",
  "ml-10m": "ml-10M100K",
  "ml-20m": "ml-20m",
  "ml-25m": "ml-25m",
  "ml-32m": "ml-32m",
  "ml-latest": "ml-latest",
  "ml-latest-small": "ml-latest-small",
} as const;
export type DatasetName = keyof typeof ARCHIVE_FOLDERS;
export const DATASETS = Object.keys(ARCHIVE_FOLDERS) as DatasetName[];

export const DEFAULT_BASE_URL = "https://files.grouplens.org/datasets/movielens";

export interface FetchOptions {
  /** Archive name without `.zip`. */
  dataset: string;
  /** Directory that receives `<dataset>/`. @default "data" */
  dir: string;
  /** URL prefix of `<dataset>.zip` and `<dataset>.zip.md5`. @default DEFAULT_BASE_URL */
  baseUrl: string;
  /** Show a progress bar (on a terminal). */
  progress?: boolean;
}

export interface FetchResult {
  /** The dataset directory, e.g. `data/ml-32m`. */
  path: string;
  /** Files in it (archive paths below the dataset directory). */
  files: string[];
  /** True when the directory was already there and nothing was fetched. */
  alreadyPresent: boolean;
  /** Bytes received in this run. */
  downloaded: number;
  /** Where this run's download started (0, or the size of a resumed partial file). */
  resumedFrom: number;
}

/** An HTTP request failed, or the transfer was cut short. */
export class DownloadError extends Error {
  readonly url: string;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  constructor(url: string, reason: string, status?: number) {
    super(`${url}: ${reason}`);
    this.name = "DownloadError";
    this.url = url;
    this.status = status;
  }
}

/** The downloaded archive's MD5 differs from the published one (or that is unreadable). */
export class ChecksumError extends Error {
  readonly file: string;
  readonly expected: string;
  readonly actual: string;
  constructor(file: string, expected: string, actual: string, reason?: string) {
    super(reason ?? `${file}: MD5 ${actual} does not match the published ${expected}`);
    this.name = "ChecksumError";
    this.file = file;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * Parses a published checksum file: GNU `<md5>  [*]<file>` or BSD
 * `MD5 (<file>) = <md5>`. The named file, when given, must be `fileName`.
 */
export function parseMd5File(text: string, fileName: string, url: string): string {
  const line = text.trim().split(/\r?\n/)[0] ?? "";
  const gnu = /^([0-9a-fA-F]{32})(?:\s+\*?(\S+))?$/.exec(line);
  const bsd = /^MD5 \((.+)\) = ([0-9a-fA-F]{32})$/.exec(line);
  const md5 = gnu?.[1] ?? bsd?.[2];
  const named = gnu ? gnu[2] : bsd?.[1];
  if (!md5) throw new ChecksumError(url, "", "", `${url}: not an MD5 checksum file: '${line}'`);
  if (named !== undefined && named !== fileName) {
    throw new ChecksumError(url, md5, "", `${url}: checksum is for '${named}', not '${fileName}'`);
  }
  return md5.toLowerCase();
}

async function fileMd5(path: string): Promise<string> {
  const hash = createHash("md5");
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(1 << 20);
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    hash.update(buf.subarray(0, n));
  }
  return hash.digest("hex");
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await Deno.stat(path)).size;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

async function fetchText(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new DownloadError(url, `request failed (${err instanceof Error ? err.message : err})`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new DownloadError(url, `HTTP ${res.status}`, res.status);
  }
  return await res.text();
}

/**
 * Downloads `url` into `partial`, resuming from its current size when the
 * server honours `Range`. Returns the bytes received and where it started.
 */
async function download(
  url: string,
  partial: string,
  progress: boolean | undefined,
  label: string,
): Promise<{ received: number; start: number }> {
  const existing = (await sizeOf(partial)) ?? 0;
  const headers: HeadersInit = existing > 0 ? { Range: `bytes=${existing}-` } : {};
  let res: Response;
  try {
    res = await fetch(url, { headers });
  } catch (err) {
    throw new DownloadError(url, `request failed (${err instanceof Error ? err.message : err})`);
  }
  if (res.status === 416 && existing > 0) {
    // The partial file is not a prefix the server can continue: start over.
    await res.body?.cancel();
    await Deno.remove(partial);
    return download(url, partial, progress, label);
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new DownloadError(url, `HTTP ${res.status}`, res.status);
  }
  const range = res.status === 206
    ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get("content-range") ?? "")
    : null;
  const start = range && Number(range[1]) === existing ? existing : 0;
  if (res.status === 206 && start === 0 && existing > 0) {
    // A partial answer for some other range than the one asked for.
    await res.body?.cancel();
    await Deno.remove(partial);
    return download(url, partial, progress, label);
  }
  const length = Number(res.headers.get("content-length") ?? NaN);
  const bar = new Progress(label, start + (Number.isFinite(length) ? length : 0), {
    unit: "MB",
    scale: 1e6,
    enabled: progress,
  });
  using file = await Deno.open(partial, {
    write: true,
    create: true,
    append: start > 0,
    truncate: start === 0,
  });
  let received = 0;
  try {
    if (res.body) {
      for await (const chunk of res.body) {
        let off = 0;
        while (off < chunk.length) off += await file.write(chunk.subarray(off));
        received += chunk.length;
        bar.update(start + received);
      }
    }
  } catch (err) {
    throw new DownloadError(
      url,
      `transfer interrupted after ${start + received} bytes ` +
        `(${err instanceof Error ? err.message : err}); run again to resume`,
    );
  } finally {
    bar.finish();
  }
  if (Number.isFinite(length) && received !== length) {
    throw new DownloadError(
      url,
      `received ${received} of ${length} bytes; run again to resume`,
    );
  }
  return { received, start };
}

/**
 * Makes `<dir>/<dataset>` hold the unpacked GroupLens archive, downloading,
 * verifying and unpacking as needed (see the module doc).
 */
export async function fetchDataset(options: FetchOptions): Promise<FetchResult> {
  const { dataset, dir } = options;
  const base = options.baseUrl.replace(/\/+$/, "");
  const target = `${dir}/${dataset}`;
  if ((await sizeOf(target)) !== null) {
    return {
      path: target,
      files: await listFiles(target),
      alreadyPresent: true,
      downloaded: 0,
      resumedFrom: 0,
    };
  }
  await Deno.mkdir(dir, { recursive: true });
  const zipName = `${dataset}.zip`;
  const zipUrl = `${base}/${zipName}`;
  let md5Text: string;
  try {
    md5Text = await fetchText(`${zipUrl}.md5`);
  } catch (err) {
    if (err instanceof DownloadError && err.status === 404) {
      throw new DownloadError(
        err.url,
        "no published MD5 (HTTP 404); GroupLens publishes one beside every archive, so this " +
          "base URL is not a complete GroupLens mirror and the download is not attempted",
        404,
      );
    }
    throw err;
  }
  const expected = parseMd5File(md5Text, zipName, `${zipUrl}.md5`);
  const archive = `${dir}/${zipName}`;
  const partial = `${archive}.partial`;
  let got = { received: 0, start: 0 };
  if ((await sizeOf(archive)) === null || (await fileMd5(archive)) !== expected) {
    got = await download(zipUrl, partial, options.progress, `download ${zipName}`);
    const actual = await fileMd5(partial);
    if (actual !== expected) {
      await Deno.remove(partial);
      throw new ChecksumError(archive, expected, actual);
    }
    await Deno.rename(partial, archive);
  }

  const staging = `${dir}/.${dataset}.extracting`;
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  const size = (await sizeOf(archive)) ?? 0;
  const bar = new Progress(`unzip ${zipName}`, size, {
    unit: "MB",
    scale: 1e6,
    enabled: options.progress,
  });
  try {
    await extractZip(archive, staging, (n) => bar.update(n));
  } catch (err) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    await Deno.remove(archive).catch(() => {});
    throw err;
  } finally {
    bar.finish();
  }
  // GroupLens archives hold one top-level folder (ml-10m's is `ml-10M100K/`);
  // anything else is taken as is.
  const folder = (ARCHIVE_FOLDERS as Record<string, string>)[dataset] ?? dataset;
  const top = [];
  for await (const e of Deno.readDir(staging)) top.push(e);
  if (top.length === 1 && top[0].isDirectory && top[0].name === folder) {
    await Deno.rename(`${staging}/${folder}`, target);
    await Deno.remove(staging);
  } else {
    await Deno.rename(staging, target);
  }
  await Deno.remove(archive);
  return {
    path: target,
    files: await listFiles(target),
    alreadyPresent: false,
    downloaded: got.received,
    resumedFrom: got.start,
  };
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) out.push(...await listFiles(`${dir}/${e.name}`, `${prefix}${e.name}/`));
    else out.push(prefix + e.name);
  }
  return out.sort();
}

export const fetchDataCommand = defineCommand({
  name: "fetch-data",
  summary: "download, verify (MD5) and unpack a MovieLens archive from GroupLens",
  flags: {
    dataset: {
      type: "string",
      default: "ml-32m",
      choices: DATASETS,
      doc: "GroupLens release to fetch",
    },
    out: {
      type: "string",
      default: "data",
      arg: "<dir>",
      was: ["dir"],
      doc: "directory to write <dataset>/ into",
    },
    baseUrl: {
      type: "string",
      arg: "<url>",
      doc:
        `where <dataset>.zip and .zip.md5 live (default: $RECSYS_DATA_BASE_URL or ${DEFAULT_BASE_URL})`,
    },
  },
  details: "An interrupted download resumes on the next run (HTTP Range). The directory\n" +
    "<dir>/<dataset> appears only once complete; when it exists, nothing is fetched.",
  async run(f) {
    const t0 = performance.now();
    const baseUrl = f.baseUrl ?? Deno.env.get("RECSYS_DATA_BASE_URL") ?? DEFAULT_BASE_URL;
    const r = await fetchDataset({ dataset: f.dataset, dir: f.out, baseUrl });
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    if (r.alreadyPresent) console.log(`${r.path} is already there; nothing to fetch`);
    else {
      const resumed = r.resumedFrom > 0
        ? ` (resumed at ${(r.resumedFrom / 1e6).toFixed(1)} MB)`
        : "";
      console.log(
        `downloaded ${(r.downloaded / 1e6).toFixed(1)} MB${resumed}, MD5 verified, ` +
          `unpacked in ${secs}s`,
      );
    }
    console.log(`files in ${r.path}/: ${r.files.join(", ")}`);
    console.log(
      `next: deno task recsys pipeline --data ${r.path} --out ${r.path}-out   ` +
        `(or: deno task demo --data ${r.path})`,
    );
  },
});
