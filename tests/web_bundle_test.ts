/**
 * tools/web_bundle.ts: the islands bundle is made of islands/ and the view
 * module only, and its cache key follows exactly those files (run on a copy
 * of the project, so the edits touch no tracked file).
 */
import assert from "node:assert/strict";
import { bundleKey, bundleSources } from "../tools/web_bundle.ts";

const ROOT = new URL("../", import.meta.url);

/** deno.json, deno.lock, islands/ and lib/ copied into a temporary project. */
async function projectCopy(): Promise<URL> {
  const dir = new URL(`file://${await Deno.makeTempDir({ prefix: "recsys-bundle-" })}/`);
  const copy = async (rel: string) => {
    const from = new URL(rel, ROOT);
    if ((await Deno.stat(from)).isDirectory) {
      await Deno.mkdir(new URL(rel, dir), { recursive: true });
      for await (const e of Deno.readDir(from)) {
        await copy(`${rel}${e.name}${e.isDirectory ? "/" : ""}`);
      }
    } else {
      await Deno.copyFile(from, new URL(rel, dir));
    }
  };
  for (const rel of ["deno.json", "deno.lock", "islands/", "lib/"]) await copy(rel);
  return dir;
}

async function append(root: URL, rel: string, text: string): Promise<void> {
  await Deno.writeTextFile(new URL(rel, root), text, { append: true });
}

Deno.test("islands bundle", async (t) => {
  const root = await projectCopy();
  try {
    await t.step(
      "is built from islands/ and lib/movie_view.ts, nothing of the server",
      async () => {
        const sources = await bundleSources(root);
        assert.deepEqual(sources.filter((f) => !f.startsWith("islands/")), ["lib/movie_view.ts"]);
        assert.ok(sources.includes("islands/client.ts"));
        assert.ok(sources.includes("islands/RatedMovies.tsx"));
      },
    );

    const before = await bundleKey(root);
    assert.match(before, /^[0-9a-f]{16}$/);

    await t.step("an edit to a lib/ module outside the bundle keeps its key", async () => {
      await append(root, "lib/tmdb.ts", "\nexport const EDITED = 1;\n");
      await append(root, "lib/store/store.ts", "\nexport const EDITED = 1;\n");
      assert.equal(await bundleKey(root), before);
    });

    await t.step("an edit to the view module changes its key", async () => {
      await append(root, "lib/movie_view.ts", "\nexport const EDITED = 1;\n");
      const after = await bundleKey(root);
      assert.notEqual(after, before);
      await append(root, "islands/registry.ts", "\nexport const EDITED = 1;\n");
      assert.notEqual(await bundleKey(root), after);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
