/**
 * The store records its schema version at import (`import_meta.schema_version`),
 * and a store of another version is refused in one line naming the command that
 * rebuilds it: by `web` at start and by every page and API answer (503), while
 * `import` refuses to downgrade a store a newer build made.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ImportRefusedError, importStore } from "../tools/import.ts";
import { startWeb } from "../tools/web.ts";
import { createApp } from "../routes/app.ts";
import { openStore } from "../lib/store/open.ts";
import { SCHEMA_VERSION } from "../lib/store/schema.ts";
import { StoreSchemaError } from "../lib/store/store.ts";
import { TmdbMetadata } from "../lib/tmdb.ts";

const FIXTURE = new URL("./fixtures/web/", import.meta.url).pathname;
const REBUILD = /rebuild it with 'deno task recsys import --db sqlite:\S+ --run <run dir>'/;

/** Runs `sql` on the SQLite store file directly, as an older or newer build would have left it. */
function tamper(path: string, ...sql: string[]): void {
  const db = new DatabaseSync(path);
  try {
    for (const s of sql) db.exec(s);
  } finally {
    db.close();
  }
}

Deno.test("store schema version", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "recsys-schema-" });
  const path = `${dir}/recsys.db`;
  const db = `sqlite:${path}`;
  const quiet = console.error;
  try {
    await importStore({ db, dir: FIXTURE, progress: false });

    await t.step("an import records this build's version", async () => {
      const store = await openStore(db);
      try {
        assert.equal(await store.schemaVersion(), SCHEMA_VERSION);
      } finally {
        await store.close();
      }
    });

    // What a store of version 2 lacked: the recorded version and liked_by_neighbors.
    tamper(
      path,
      "DELETE FROM import_meta WHERE name = 'schema_version'",
      "ALTER TABLE user_item_predictions DROP COLUMN liked_by_neighbors",
    );

    await t.step("pages and the API answer 503 with the re-import line", async () => {
      const store = await openStore(db);
      const logged: string[] = [];
      console.error = (...a: unknown[]) => logged.push(a.join(" "));
      try {
        const app = createApp({
          store,
          sessionSecret: "schema-secret-0123456789",
          metadata: new TmdbMetadata(store, null, "https://img.test"),
        });
        for (
          const url of [
            "/api/users/1/recommendations?source=similar-users",
            "/api/movies/1/similar",
          ]
        ) {
          const res = await app.request(url);
          assert.equal(res.status, 503, url);
          const { error } = await res.json();
          assert.match(error, /schema version 0, older than this build's/);
          assert.match(error, /rebuild it with 'deno task recsys import --db <store url> --run/);
        }
        const page = await app.request("/movies/1");
        assert.equal(page.status, 503);
        assert.match(await page.text(), /deno task recsys import/);
        assert.ok(logged.length > 0);
      } finally {
        console.error = quiet;
        await store.close();
      }
    });

    await t.step("web refuses it at start, naming the store", async () => {
      await assert.rejects(
        startWeb({
          db,
          port: 0,
          host: "127.0.0.1",
          quiet: true,
          tmdb: null,
          sessionSecret: "schema-secret-0123456789",
        }),
        (err: unknown) => {
          assert.ok(err instanceof StoreSchemaError, String(err));
          assert.equal(err.found, 0);
          assert.equal(err.expected, SCHEMA_VERSION);
          assert.match(err.message, REBUILD);
          assert.ok(err.message.includes(db));
          assert.equal(err.message.split("\n").length, 1);
          return true;
        },
      );
    });

    await t.step("the import it names rebuilds it", async () => {
      await importStore({ db, dir: FIXTURE, progress: false });
      const store = await openStore(db);
      try {
        assert.equal(await store.schemaVersion(), SCHEMA_VERSION);
        assert.ok((await store.userNeighbors(1, 5)).length > 0);
      } finally {
        await store.close();
      }
    });

    await t.step("an import refuses to downgrade a store a newer build made", async () => {
      tamper(
        path,
        `UPDATE import_meta SET value = ${SCHEMA_VERSION + 1} WHERE name = 'schema_version'`,
      );
      await assert.rejects(
        importStore({ db, dir: FIXTURE, progress: false }),
        (err: unknown) =>
          err instanceof ImportRefusedError &&
          /newer than this build's/.test(err.message),
      );
    });
  } finally {
    console.error = quiet;
    await Deno.remove(dir, { recursive: true });
  }
});
