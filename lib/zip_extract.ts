/**
 * Streaming, verified extraction of a ZIP archive (the GroupLens downloads).
 *
 * The archive is read through its central directory (found from the end of
 * the file), so a truncated archive is an error rather than a shorter
 * listing; each entry is streamed from its local header through fflate's
 * raw-DEFLATE `Inflate` (or copied when stored) into its file, 1 MiB at a
 * time, and its size and CRC-32 are checked against the directory. Memory is
 * O(chunk), not O(archive): ML-32M's 877 MB ratings.csv never sits in memory.
 *
 * fflate's own `unzipSync` needs the whole archive and every output in memory,
 * and its streaming `Unzip` walks local headers only, so it extracts the
 * readable prefix of a truncated archive without complaint; hence this
 * module. Supported: stored and deflated entries, no encryption, no ZIP64
 * (GroupLens archives are far below 4 GiB per entry).
 */
import { FileError } from "./file_error.ts";
import { Inflate } from "fflate";
import { crc32 } from "node:zlib";

/** The archive is not a readable ZIP, or an entry does not match its directory record. */
export class ZipFormatError extends FileError {
  /** The entry concerned, when there is one. */
  readonly entry?: string;
  constructor(file: string, reason: string, entry?: string) {
    super(file, reason, undefined, `${entry ? `entry '${entry}': ` : ""}${reason}`);
    this.entry = entry;
  }
}

/** One central-directory record. */
export interface ZipEntry {
  /** Path inside the archive, `/`-separated; directories end with `/`. */
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const CDIR_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const CHUNK = 1 << 20;

async function readAt(
  file: Deno.FsFile,
  offset: number,
  length: number,
  archive: string,
): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  await file.seek(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < length) {
    const n = await file.read(buf.subarray(got));
    if (n === null) throw new ZipFormatError(archive, `unexpected end of file at ${offset + got}`);
    got += n;
  }
  return buf;
}

/** Reads the central directory of an open archive of `size` bytes. */
async function readZipDirectory(
  file: Deno.FsFile,
  size: number,
  archive: string,
): Promise<ZipEntry[]> {
  // The end-of-central-directory record is 22 bytes plus a comment of at most 65535.
  const tailLength = Math.min(size, 22 + 65535);
  const tail = await readAt(file, size - tailLength, tailLength, archive);
  const tv = new DataView(tail.buffer);
  let eocd = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG && i + 22 + tv.getUint16(i + 20, true) === tailLength) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new ZipFormatError(
      archive,
      "no end-of-central-directory record (truncated or not a zip)",
    );
  }
  const count = tv.getUint16(eocd + 10, true);
  const dirSize = tv.getUint32(eocd + 12, true);
  const dirOffset = tv.getUint32(eocd + 16, true);
  if (count === 0xffff || dirOffset === 0xffffffff) {
    throw new ZipFormatError(archive, "ZIP64 archives are not supported");
  }
  if (dirOffset + dirSize > size - tailLength + eocd) {
    throw new ZipFormatError(archive, "central directory lies outside the file (truncated?)");
  }
  const dir = await readAt(file, dirOffset, dirSize, archive);
  const dv = new DataView(dir.buffer);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dirSize || dv.getUint32(p, true) !== CDIR_SIG) {
      throw new ZipFormatError(archive, `bad central directory record ${i}`);
    }
    const flags = dv.getUint16(p + 8, true);
    const nameLength = dv.getUint16(p + 28, true);
    const name = decoder.decode(dir.subarray(p + 46, p + 46 + nameLength));
    const entry: ZipEntry = {
      name,
      method: dv.getUint16(p + 10, true),
      crc: dv.getUint32(p + 16, true),
      compressedSize: dv.getUint32(p + 20, true),
      size: dv.getUint32(p + 24, true),
      localHeaderOffset: dv.getUint32(p + 42, true),
    };
    if (flags & 1) throw new ZipFormatError(archive, "encrypted entries are not supported", name);
    if (entry.method !== 0 && entry.method !== 8) {
      throw new ZipFormatError(archive, `unsupported compression method ${entry.method}`, name);
    }
    checkEntryName(archive, name);
    entries.push(entry);
    p += 46 + nameLength + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
  }
  return entries;
}

/** Rejects absolute paths and `..` so no entry can land outside the destination. */
function checkEntryName(archive: string, name: string): void {
  const parts = name.split("/");
  if (
    name === "" || name.startsWith("/") || name.includes("\\") || /^[A-Za-z]:/.test(name) ||
    parts.some((s) => s === "..")
  ) {
    throw new ZipFormatError(archive, "unsafe path", name);
  }
}

export interface ExtractResult {
  /** Files written, as archive paths. */
  files: string[];
  /** Uncompressed bytes written. */
  bytes: number;
}

/**
 * Extracts every entry of `archive` under `destDir` (created if needed),
 * verifying each entry's size and CRC-32. `onProgress` receives the
 * compressed bytes consumed so far. On error, files already written stay in
 * `destDir`: extract into a temporary directory and rename it when this
 * resolves.
 */
export async function extractZip(
  archive: string,
  destDir: string,
  onProgress?: (compressedBytes: number) => void,
): Promise<ExtractResult> {
  const size = (await Deno.stat(archive)).size;
  using file = await Deno.open(archive, { read: true });
  const entries = await readZipDirectory(file, size, archive);
  const files: string[] = [];
  let bytes = 0;
  let consumed = 0;
  for (const entry of entries) {
    const target = `${destDir}/${entry.name}`;
    if (entry.name.endsWith("/")) {
      await Deno.mkdir(target, { recursive: true });
      continue;
    }
    const slash = target.lastIndexOf("/");
    await Deno.mkdir(target.slice(0, slash), { recursive: true });
    const local = await readAt(file, entry.localHeaderOffset, 30, archive);
    const lv = new DataView(local.buffer);
    if (lv.getUint32(0, true) !== LOCAL_SIG) {
      throw new ZipFormatError(archive, "bad local header", entry.name);
    }
    const dataStart = entry.localHeaderOffset + 30 + lv.getUint16(26, true) +
      lv.getUint16(28, true);
    if (dataStart + entry.compressedSize > size) {
      throw new ZipFormatError(archive, "data runs past the end of the file", entry.name);
    }
    const written = await extractEntry(file, dataStart, entry, target, archive, (n) => {
      consumed += n;
      onProgress?.(consumed);
    });
    bytes += written;
    files.push(entry.name);
  }
  return { files, bytes };
}

async function extractEntry(
  file: Deno.FsFile,
  dataStart: number,
  entry: ZipEntry,
  target: string,
  archive: string,
  onRead: (n: number) => void,
): Promise<number> {
  using out = await Deno.open(target, { write: true, create: true, truncate: true });
  // Inflate calls back synchronously inside push(); collect, then write in order.
  let pending: Uint8Array[] = [];
  let ended = false;
  const inflate = new Inflate((data, final) => {
    pending.push(data);
    if (final) ended = true;
  });
  let crc = 0;
  let written = 0;
  const flush = async () => {
    for (const chunk of pending) {
      crc = crc32(chunk, crc);
      written += chunk.length;
      let off = 0;
      while (off < chunk.length) off += await out.write(chunk.subarray(off));
    }
    pending = [];
  };
  await file.seek(dataStart, Deno.SeekMode.Start);
  const buf = new Uint8Array(CHUNK);
  let left = entry.compressedSize;
  // At least one round, so an empty deflated entry still gets its final push.
  do {
    const want = Math.min(left, CHUNK);
    const n = want > 0 ? await file.read(buf.subarray(0, want)) : 0;
    if (n === null) throw new ZipFormatError(archive, "unexpected end of file", entry.name);
    left -= n;
    const chunk = buf.slice(0, n);
    if (entry.method === 0) pending.push(chunk);
    else {
      try {
        inflate.push(chunk, left === 0);
      } catch (err) {
        throw new ZipFormatError(
          archive,
          `corrupt deflate data (${err instanceof Error ? err.message : err})`,
          entry.name,
        );
      }
      if (left === 0 && !ended) {
        throw new ZipFormatError(archive, "deflate stream ends early", entry.name);
      }
    }
    onRead(n);
    await flush();
  } while (left > 0);
  if (written !== entry.size) {
    throw new ZipFormatError(
      archive,
      `size ${written} differs from the directory's ${entry.size}`,
      entry.name,
    );
  }
  if ((crc >>> 0) !== entry.crc) {
    throw new ZipFormatError(archive, "CRC-32 mismatch", entry.name);
  }
  return written;
}
