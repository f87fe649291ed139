import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { zipSync } from "fflate";
import {
  ChecksumError,
  DATASETS,
  DownloadError,
  fetchDataset,
  parseMd5File,
} from "../tools/fetch_data.ts";
import { ZipFormatError } from "../lib/zip_extract.ts";

const enc = new TextEncoder();
const RATINGS = "userId,movieId,rating,timestamp\n1,10,4.0,1000\n1,20,3.5,1001\n2,10,5.0,1002\n";
const MOVIES = 'movieId,title,genres\n10,"Heat, The (1995)",Action\n20,Toy Story (1995),Comedy\n';

/** A GroupLens-shaped archive: one top-level folder; incompressible filler so the body spans chunks. */
function makeZip(): Uint8Array<ArrayBuffer> {
  const filler = new Uint8Array(300_000);
  let x = 12345;
  for (let i = 0; i < filler.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    filler[i] = x >>> 24;
  }
  return zipSync({
    "ml-latest-small/ratings.csv": enc.encode(RATINGS),
    "ml-latest-small/movies.csv": [enc.encode(MOVIES), { level: 0 }],
    "ml-latest-small/filler.bin": filler,
  });
}

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

interface Served {
  zip: Uint8Array<ArrayBuffer>;
  md5Text: string;
  /** Cut the next `cutOnce` zip transfers after this many bytes. */
  cutAt?: number;
  cutOnce?: number;
  ignoreRange?: boolean;
  ranges: (string | null)[];
}

async function withServer(
  served: Served,
  body: (baseUrl: string) => Promise<void>,
): Promise<void> {
  const ac = new AbortController();
  const server = Deno.serve(
    {
      port: 0,
      hostname: "127.0.0.1",
      signal: ac.signal,
      onListen() {},
      onError: () => new Response(null, { status: 500 }),
    },
    (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/ml-latest-small.zip.md5") return new Response(served.md5Text);
      if (path !== "/ml-latest-small.zip") return new Response("not found", { status: 404 });
      const range = req.headers.get("range");
      served.ranges.push(range);
      const m = /^bytes=(\d+)-$/.exec(range ?? "");
      const from = m && !served.ignoreRange ? Number(m[1]) : 0;
      const part = served.zip.subarray(from);
      const headers: Record<string, string> = { "content-length": String(part.length) };
      if (from > 0) {
        headers["content-range"] = `bytes ${from}-${served.zip.length - 1}/${served.zip.length}`;
      }
      if (served.cutOnce && served.cutAt !== undefined) {
        served.cutOnce--;
        const cut = part.subarray(0, served.cutAt);
        // Send a prefix, then fail the stream: the client sees the connection drop mid-body.
        const stream = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(cut);
          },
          pull(c) {
            c.error(new Error("cut"));
          },
        });
        return new Response(stream, { status: from > 0 ? 206 : 200, headers });
      }
      return new Response(part, { status: from > 0 ? 206 : 200, headers });
    },
  );
  try {
    await body(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    ac.abort();
    await server.finished;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("fetch-data", async (t) => {
  const zip = makeZip();

  await t.step("downloads, verifies and unpacks a good archive", async () => {
    const dir = await Deno.makeTempDir();
    const served: Served = { zip, md5Text: `${md5(zip)}  ml-latest-small.zip\n`, ranges: [] };
    await withServer(served, async (baseUrl) => {
      const r = await fetchDataset({ dataset: "ml-latest-small", dir, baseUrl });
      assert.equal(r.path, `${dir}/ml-latest-small`);
      assert.deepEqual(r.files, ["filler.bin", "movies.csv", "ratings.csv"]);
      assert.equal(r.alreadyPresent, false);
      assert.equal(r.downloaded, zip.length);
      assert.equal(await Deno.readTextFile(`${dir}/ml-latest-small/ratings.csv`), RATINGS);
      assert.equal(await Deno.readTextFile(`${dir}/ml-latest-small/movies.csv`), MOVIES);
      assert.equal((await Deno.stat(`${dir}/ml-latest-small/filler.bin`)).size, 300_000);
      const left = [];
      for await (const e of Deno.readDir(dir)) left.push(e.name);
      assert.deepEqual(left, ["ml-latest-small"], "archive and staging directory are removed");
      const again = await fetchDataset({ dataset: "ml-latest-small", dir, baseUrl });
      assert.equal(again.alreadyPresent, true);
      assert.equal(served.ranges.length, 1, "a present dataset is not downloaded again");
    });
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("rejects an archive whose MD5 differs and leaves no dataset directory", async () => {
    const dir = await Deno.makeTempDir();
    const wrong = md5(enc.encode("something else"));
    const served: Served = { zip, md5Text: `${wrong}  ml-latest-small.zip\n`, ranges: [] };
    await withServer(served, async (baseUrl) => {
      const err = await fetchDataset({ dataset: "ml-latest-small", dir, baseUrl }).then(
        () => null,
        (e) => e,
      );
      assert.ok(err instanceof ChecksumError, String(err));
      assert.equal(err.expected, wrong);
      assert.equal(err.actual, md5(zip));
    });
    assert.equal(await exists(`${dir}/ml-latest-small`), false);
    assert.equal(await exists(`${dir}/ml-latest-small.zip.partial`), false);
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("rejects a truncated archive even when its MD5 matches", async () => {
    const dir = await Deno.makeTempDir();
    const cut = zip.subarray(0, zip.length - 40);
    const served: Served = { zip: cut, md5Text: `${md5(cut)}  ml-latest-small.zip`, ranges: [] };
    await withServer(served, async (baseUrl) => {
      await assert.rejects(
        fetchDataset({ dataset: "ml-latest-small", dir, baseUrl }),
        ZipFormatError,
      );
    });
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.deepEqual(left, [], "no dataset, staging or archive left behind");
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("rejects a truncated transfer against the full archive's MD5", async () => {
    const dir = await Deno.makeTempDir();
    const cut = zip.subarray(0, 1000);
    const served: Served = { zip: cut, md5Text: `${md5(zip)}  ml-latest-small.zip`, ranges: [] };
    await withServer(served, async (baseUrl) => {
      await assert.rejects(
        fetchDataset({ dataset: "ml-latest-small", dir, baseUrl }),
        ChecksumError,
      );
    });
    assert.equal(await exists(`${dir}/ml-latest-small`), false);
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("resumes an interrupted download with a Range request", async () => {
    const dir = await Deno.makeTempDir();
    const served: Served = {
      zip,
      md5Text: `${md5(zip)}  ml-latest-small.zip`,
      cutAt: 100_000,
      cutOnce: 1,
      ranges: [],
    };
    await withServer(served, async (baseUrl) => {
      const err = await fetchDataset({ dataset: "ml-latest-small", dir, baseUrl }).then(
        () => null,
        (e) => e,
      );
      assert.ok(err instanceof DownloadError, String(err));
      assert.equal(await exists(`${dir}/ml-latest-small`), false);
      const kept = (await Deno.stat(`${dir}/ml-latest-small.zip.partial`)).size;
      assert.ok(kept > 0 && kept <= 100_000, `partial file of ${kept} bytes`);
      const r = await fetchDataset({ dataset: "ml-latest-small", dir, baseUrl });
      assert.deepEqual(served.ranges, [null, `bytes=${kept}-`]);
      assert.equal(r.resumedFrom, kept);
      assert.equal(r.downloaded, zip.length - kept);
      assert.equal(await Deno.readTextFile(`${r.path}/ratings.csv`), RATINGS);
    });
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("restarts from zero when the server ignores Range", async () => {
    const dir = await Deno.makeTempDir();
    await Deno.writeFile(`${dir}/ml-latest-small.zip.partial`, enc.encode("stale bytes"));
    const served: Served = {
      zip,
      md5Text: `${md5(zip)}  ml-latest-small.zip`,
      ignoreRange: true,
      ranges: [],
    };
    await withServer(served, async (baseUrl) => {
      const r = await fetchDataset({ dataset: "ml-latest-small", dir, baseUrl });
      assert.deepEqual(served.ranges, ["bytes=11-"]);
      assert.equal(r.resumedFrom, 0);
      assert.equal(r.downloaded, zip.length);
      assert.equal(await Deno.readTextFile(`${r.path}/movies.csv`), MOVIES);
    });
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("reports a missing archive as an HTTP error", async () => {
    const dir = await Deno.makeTempDir();
    const served: Served = { zip, md5Text: "", ranges: [] };
    await withServer(served, async (baseUrl) => {
      const err = await fetchDataset({ dataset: "ml-32m", dir, baseUrl }).then(
        () => null,
        (e) => e,
      );
      assert.ok(err instanceof DownloadError);
      assert.equal(err.status, 404);
    });
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("knows every GroupLens release the readers handle", () => {
    assert.deepEqual([...DATASETS].sort(), [
      "ml-100k",
      "ml-10m",
      "ml-1m",
      "ml-20m",
      "ml-25m",
      "ml-32m",
      "ml-latest",
      "ml-latest-small",
    ]);
  });

  await t.step("unpacks ml-10m's ml-10M100K/ folder as <dir>/ml-10m", async () => {
    const dir = await Deno.makeTempDir();
    const z = zipSync({ "ml-10M100K/ratings.dat": enc.encode("1::122::5::838985046\n") });
    const ac = new AbortController();
    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen() {} },
      (req) => {
        const path = new URL(req.url).pathname;
        if (path === "/ml-10m.zip.md5") return new Response(`${md5(z)}  ml-10m.zip\n`);
        if (path === "/ml-10m.zip") return new Response(z);
        return new Response("not found", { status: 404 });
      },
    );
    try {
      const baseUrl = `http://127.0.0.1:${server.addr.port}`;
      const r = await fetchDataset({ dataset: "ml-10m", dir, baseUrl });
      assert.equal(r.path, `${dir}/ml-10m`);
      assert.deepEqual(r.files, ["ratings.dat"]);
    } finally {
      ac.abort();
      await server.finished;
    }
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("reads GNU and BSD checksum files and checks the file name", () => {
    const h = "0123456789abcdef0123456789ABCDEF";
    assert.equal(parseMd5File(`${h}  ml-32m.zip\n`, "ml-32m.zip", "u"), h.toLowerCase());
    assert.equal(parseMd5File(`${h} *ml-32m.zip`, "ml-32m.zip", "u"), h.toLowerCase());
    assert.equal(parseMd5File(`${h}\n`, "ml-32m.zip", "u"), h.toLowerCase());
    assert.equal(parseMd5File(`MD5 (ml-32m.zip) = ${h}`, "ml-32m.zip", "u"), h.toLowerCase());
    assert.throws(() => parseMd5File(`${h}  ml-25m.zip`, "ml-32m.zip", "u"), ChecksumError);
    assert.throws(() => parseMd5File("<html>not found</html>", "ml-32m.zip", "u"), ChecksumError);
  });
});
