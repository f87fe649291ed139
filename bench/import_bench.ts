/**
 * Bench entries `import-sqlite` and `import-mysql`: `importStore` of the
 * bench context's ratings split plus neighbor files and recommendations.
 *
 * Those inputs are generated here (cached under
 * `<bench dir>/import-input/`), shaped like the real outputs at the same
 * scale: top-50 neighbors for every user and every movie, top-100
 * recommendations for every user (the classic list, and the ranking model's
 * `serving_recommendations.csv`: unrated movies only, nine rows in ten with a
 * "because" movie the user rated, as the import checks). Running the real `neighbors` and
 * `predict` at scale 1 would take many minutes and measure those commands,
 * not the import; the import only needs files of the right shape and size.
 * MySQL: a throwaway database `recsys_bench_<pid>` on the server of
 * RECSYS_BENCH_MYSQL_URL (or RECSYS_TEST_MYSQL_URL), dropped afterwards.
 */
import mysql from "mysql2/promise";
import { withAtomicFile } from "../lib/atomic_file.ts";
import { formatNeighborLine } from "../lib/neighbor_file.ts";
import { readMovies } from "../lib/movielens_csv.ts";
import { type RatingsTable, readRatingsTable } from "../lib/ratings_table.ts";
import { maskStoreUrl } from "../lib/store/open.ts";
import { CSV_HEADERS, RUN_FILE_NAMES } from "../lib/run_dir.ts";
import { type ImportStats, importStore } from "../tools/import.ts";
import type { BenchContext, BenchEntry, BenchMeasure } from "./context.ts";

const K = 50, TOP = 100;

/** Ascending distinct ids of column `col`. */
function distinctIds(col: Int32Array): Int32Array {
  const max = col.reduce((m, v) => (v > m ? v : m), 0);
  const seen = new Uint8Array(max + 1);
  for (let i = 0; i < col.length; i++) seen[col[i]] = 1;
  const out: number[] = [];
  for (let v = 1; v <= max; v++) if (seen[v]) out.push(v);
  return Int32Array.from(out);
}

/** Each id's K successors (cyclically) with strictly falling similarities. */
async function writeNeighbors(path: string, ids: Int32Array): Promise<void> {
  const k = Math.min(K, ids.length - 1);
  const nids = new Int32Array(k), keys = new Int32Array(k);
  for (let j = 0; j < k; j++) keys[j] = 950_000 - j * 9_000 - 1;
  await withAtomicFile(path, async (out) => {
    for (let r = 0; r < ids.length; r++) {
      for (let j = 0; j < k; j++) nids[j] = ids[(r + 1 + j) % ids.length];
      await out.writeString(formatNeighborLine(ids[r], nids, keys, k));
    }
  });
}

async function writeRecommendations(path: string, users: Int32Array, movies: Int32Array) {
  const top = Math.min(TOP, movies.length);
  await withAtomicFile(path, async (out) => {
    await out.writeString(CSV_HEADERS.classicRecommendations + "\n");
    for (let r = 0; r < users.length; r++) {
      let text = "";
      for (let j = 0; j < top; j++) {
        const m = movies[(r * 7 + j) % movies.length];
        text += `${users[r]},${m},${(4.9 - j * 0.03).toFixed(4)}\n`;
      }
      await out.writeString(text);
    }
  });
}

/**
 * The ranking model's list in the pipeline's format: for each user with
 * ratings (either split), `TOP` movies they did not rate, taken cyclically
 * from the catalogue, with the user's first rated movie as "because" on nine
 * rows in ten (the tenth has none, as a popularity list would).
 */
async function writeServing(path: string, tables: RatingsTable[], movies: Int32Array) {
  // Per-user CSR of (movie, rating2) over both splits, by counting sort on user.
  let maxUser = 0, n = 0;
  for (const t of tables) {
    n += t.length;
    for (let i = 0; i < t.length; i++) if (t.users[i] > maxUser) maxUser = t.users[i];
  }
  const start = new Int32Array(maxUser + 2);
  for (const t of tables) for (let i = 0; i < t.length; i++) start[t.users[i] + 1]++;
  for (let u = 1; u <= maxUser + 1; u++) start[u] += start[u - 1];
  const fill = start.slice(0, maxUser + 1);
  const rated = new Int32Array(n), rated2 = new Uint8Array(n);
  for (const t of tables) {
    for (let i = 0; i < t.length; i++) {
      const k = fill[t.users[i]]++;
      rated[k] = t.movies[i];
      rated2[k] = t.ratings[i];
    }
  }
  const maxMovie = movies.reduce((m, v) => (v > m ? v : m), 0);
  const stamp = new Int32Array(Math.max(maxMovie, rated.reduce((m, v) => (v > m ? v : m), 0)) + 1);
  await withAtomicFile(path, async (out) => {
    await out.writeString(CSV_HEADERS.serving + "\n");
    for (let u = 1; u <= maxUser; u++) {
      if (start[u] === start[u + 1]) continue;
      for (let k = start[u]; k < start[u + 1]; k++) stamp[rated[k]] = u;
      const because = `${rated[start[u]]},${rated2[start[u]] / 2}`;
      let text = "";
      for (let j = 0, rank = 0; rank < TOP && j < movies.length; j++) {
        const m = movies[(u * 7 + j) % movies.length];
        if (stamp[m] === u) continue;
        rank++;
        text += `${u},${rank},${m},${(0.9 - rank * 0.005).toFixed(6)},` +
          `${(4.9 - rank * 0.03).toFixed(6)},${rank % 10 === 0 ? "," : because}\n`;
      }
      await out.writeString(text);
    }
  });
}

/** `<dir>/import-input/` with the split linked in and the generated files made once. */
export async function importInput(ctx: BenchContext): Promise<string> {
  const dir = `${ctx.dir}/import-input`;
  await Deno.mkdir(dir, { recursive: true });
  const { train, test, userNeighbors, itemNeighbors, recommendations, serving } = RUN_FILE_NAMES;
  for (const name of [train, test, "movies.csv", "links.csv"]) {
    await Deno.symlink(`../${name}`, `${dir}/${name}`).catch((err) => {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    });
  }
  let ids: { users: Int32Array; movies: Int32Array } | null = null;
  const load = async () => {
    if (!ids) {
      const { table } = await readRatingsTable(`${ctx.dir}/${train}`);
      const movies = (await readMovies(`${ctx.dir}/movies.csv`)).map((m) => m.movieId);
      ids = { users: distinctIds(table.users), movies: Int32Array.from(movies) };
    }
    return ids;
  };
  await ctx.ensure(
    `import-input/${userNeighbors}`,
    async (p) => writeNeighbors(p, (await load()).users),
  );
  await ctx.ensure(
    `import-input/${itemNeighbors}`,
    async (p) => writeNeighbors(p, (await load()).movies),
  );
  await ctx.ensure(`import-input/${recommendations}`, async (p) => {
    const { users, movies } = await load();
    await writeRecommendations(p, users, movies);
  });
  await ctx.ensure(`import-input/${serving}`, async (p) => {
    const tables = await Promise.all(
      [train, test].map(async (name) => (await readRatingsTable(`${ctx.dir}/${name}`)).table),
    );
    await writeServing(p, tables, (await load()).movies);
  });
  return dir;
}

function measure(stats: ImportStats, seconds: number): BenchMeasure {
  const extra: Record<string, number | string> = {};
  for (const [table, n] of Object.entries(stats.tables)) {
    const s = stats.loadSeconds[table as keyof ImportStats["loadSeconds"]];
    extra[table] = `${n} rows, ${s.toFixed(2)} s, ${Math.round(n / s)} rows/s`;
  }
  return { seconds, work: stats.rows, unit: "rows", extra };
}

async function benchImport(ctx: BenchContext, db: string): Promise<BenchMeasure> {
  const dir = await importInput(ctx);
  const t0 = performance.now();
  const stats = await importStore({ db, dir, progress: false });
  return measure(stats, (performance.now() - t0) / 1000);
}

export const importSqliteEntry: BenchEntry = {
  name: "import-sqlite",
  description: "import split + neighbors + recommendations into SQLite (target < 2 min at scale 1)",
  async run(ctx) {
    const path = `${ctx.dir}/.bench-import-${Deno.pid}.db`;
    try {
      return await benchImport(ctx, `sqlite:${path}`);
    } finally {
      for (const p of [path, `${path}-wal`, `${path}-shm`]) await Deno.remove(p).catch(() => {});
    }
  },
};

export const importMysqlEntry: BenchEntry = {
  name: "import-mysql",
  description: "import split + neighbors + recommendations into MySQL/MariaDB (LOAD DATA LOCAL)",
  async run(ctx) {
    const base = Deno.env.get("RECSYS_BENCH_MYSQL_URL") ?? Deno.env.get("RECSYS_TEST_MYSQL_URL");
    if (!base) {
      throw new Error("import-mysql needs RECSYS_BENCH_MYSQL_URL or RECSYS_TEST_MYSQL_URL");
    }
    const name = `recsys_bench_${Deno.pid}`;
    const admin = await mysql.createConnection({ uri: base, connectTimeout: 3000 });
    try {
      await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
      const u = new URL(base);
      u.pathname = "/" + name;
      console.error(`import-mysql: into ${maskStoreUrl(u.toString())}`);
      return await benchImport(ctx, u.toString());
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    }
  },
};
