/**
 * Atomic output files: everything is written to a hidden temporary file in
 * the destination's directory and renamed over the destination only when
 * complete, so an interrupted command never leaves a half-written output
 * (rename within one directory is atomic on POSIX file systems).
 *
 * {@link AtomicFileWriter} buffers writes in a reusable 1 MiB buffer so hot
 * writers (split, predict) cost one copy per byte and one syscall per MiB.
 */

const encoder = new TextEncoder();

export class AtomicFileWriter {
  readonly path: string;
  readonly tempPath: string;
  #file: Deno.FsFile;
  #buf: Uint8Array;
  #used = 0;
  #closed = false;
  /** Bytes written so far. */
  bytes = 0;

  private constructor(path: string, tempPath: string, file: Deno.FsFile, bufferSize: number) {
    this.path = path;
    this.tempPath = tempPath;
    this.#file = file;
    this.#buf = new Uint8Array(bufferSize);
  }

  /** Opens a temporary file beside `path`. */
  static async open(path: string, bufferSize = 1 << 20): Promise<AtomicFileWriter> {
    const slash = path.lastIndexOf("/");
    const dir = slash >= 0 ? path.slice(0, slash + 1) : "";
    const base = path.slice(slash + 1);
    const tempPath = `${dir}.${base}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    const file = await Deno.open(tempPath, { write: true, create: true, truncate: true });
    return new AtomicFileWriter(path, tempPath, file, bufferSize);
  }

  /** Appends `bytes[start, end)`. */
  async write(bytes: Uint8Array, start = 0, end = bytes.length): Promise<void> {
    const n = end - start;
    if (this.#used + n > this.#buf.length) {
      await this.flush();
      if (n > this.#buf.length) {
        await writeAll(this.#file, bytes.subarray(start, end));
        this.bytes += n;
        return;
      }
    }
    this.#buf.set(bytes.subarray(start, end), this.#used);
    this.#used += n;
    this.bytes += n;
  }

  /** Appends a string as UTF-8. */
  async writeString(text: string): Promise<void> {
    // Worst case 3 bytes per UTF-16 unit; encode straight into the buffer.
    if (this.#used + text.length * 3 > this.#buf.length) await this.flush();
    if (text.length * 3 > this.#buf.length) {
      await this.write(encoder.encode(text));
      return;
    }
    const { written } = encoder.encodeInto(text, this.#buf.subarray(this.#used));
    this.#used += written;
    this.bytes += written;
  }

  /** Writes the buffer out (does not commit). */
  async flush(): Promise<void> {
    if (this.#used > 0) {
      await writeAll(this.#file, this.#buf.subarray(0, this.#used));
      this.#used = 0;
    }
  }

  /** Flushes, closes and renames the file into place. */
  async commit(): Promise<void> {
    await this.flush();
    this.#file.close();
    this.#closed = true;
    await Deno.rename(this.tempPath, this.path);
  }

  /** Closes and deletes the temporary file; the destination is untouched. */
  async abort(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#file.close();
      } catch { /* already closed */ }
    }
    await Deno.remove(this.tempPath).catch(() => {});
  }
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await file.write(data.subarray(off));
}

/**
 * Runs `fill` against a writer for `path` and commits it; on any error the
 * temporary file is removed and the error rethrown.
 */
export async function withAtomicFile<T>(
  path: string,
  fill: (out: AtomicFileWriter) => Promise<T>,
): Promise<T> {
  const out = await AtomicFileWriter.open(path);
  try {
    const result = await fill(out);
    await out.commit();
    return result;
  } catch (err) {
    await out.abort();
    throw err;
  }
}

/** Writes a whole string or byte array atomically. */
export function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  return withAtomicFile(
    path,
    (out) => typeof data === "string" ? out.writeString(data) : out.write(data),
  );
}
