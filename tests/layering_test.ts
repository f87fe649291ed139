/**
 * The layering rules of docs/ARCHITECTURE.md, checked on the source: every
 * relative import of every module is read and held to them, and the module
 * graph must have no cycle. A new edge that breaks a rule fails here with
 * the importing file and the imported one.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;
const SOURCE_DIRS = ["lib", "tools", "eval", "mr", "bench", "routes", "islands", "components"];

/**
 * Composers: the only modules that may call into another stage, through its
 * public entry (main.ts, the dispatcher, imports every command module; mod.ts,
 * the library surface, takes `evaluate` from eval/mod.ts).
 */
const COMPOSERS = new Set(["main.ts", "mod.ts", "tools/pipeline.ts", "tools/demo.ts"]);

/** A stage's public entry: what composers (and bench/) may import from another stage. */
function isPublicEntry(path: string): boolean {
  return path === "eval/mod.ts" || path === "mr/mod.ts" ||
    /^tools\/[a-z_]+\.ts$/.test(path) && !/_(worker|bundle|server)\.ts$/.test(path);
}

/** The stage a module belongs to: a top folder, one stage per command file in tools/, the web. */
function stageOf(path: string): string {
  const [top, rest] = [path.split("/")[0], path.split("/").slice(1).join("/")];
  if (top === "routes" || top === "islands" || top === "components") return "web";
  if (top === "tools") {
    const name = rest.replace(/\.tsx?$/, "").replace(/_(worker|bundle|server)$/, "");
    return name === "web" ? "web" : `tools/${name}`;
  }
  return top;
}

async function sourceFiles(): Promise<string[]> {
  const out = ["main.ts", "mod.ts"];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(ROOT + dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (/\.tsx?$/.test(e.name)) out.push(p);
    }
  };
  for (const d of SOURCE_DIRS) await walk(d);
  return out.sort();
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)|new URL\(\s*["'](\.[^"']+\.tsx?)["']/g;

/**
 * Relative imports of `file`, as paths from the project root; a Worker's
 * module (`new URL("./x_worker.ts", import.meta.url)`) counts as an edge
 * for the layering rules but not for cycles: it is started, not imported.
 */
async function importsOf(file: string): Promise<{ to: string; worker: boolean }[]> {
  const src = await Deno.readTextFile(ROOT + file);
  const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
  const out: { to: string; worker: boolean }[] = [];
  for (const m of src.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    const parts = (dir ? dir + "/" + spec : spec).split("/");
    const norm: string[] = [];
    for (const p of parts) {
      if (p === "." || p === "") continue;
      if (p === "..") norm.pop();
      else norm.push(p);
    }
    out.push({ to: norm.join("/"), worker: m[3] !== undefined });
  }
  return out;
}

/** Why the edge `from → to` breaks a rule, or null. */
function violation(from: string, to: string): string | null {
  const a = stageOf(from), b = stageOf(to);
  if (a === "lib") return b === "lib" ? null : "lib/ imports only lib/";
  if (from.startsWith("islands/")) {
    return to.startsWith("islands/") || to === "lib/movie_view.ts"
      ? null
      : "islands import only islands/ and the view module (no server code in the bundle)";
  }
  if (from.startsWith("components/") && to.startsWith("routes/")) {
    return "components never import routes";
  }
  if (b === "bench" && a !== "bench" && from !== "main.ts") return "only main.ts imports bench/";
  if (b === "lib" || a === b || from === "main.ts") return null;
  if (!COMPOSERS.has(from) && a !== "bench") {
    return `${a} imports another stage (${b}); only ${
      [...COMPOSERS].join(", ")
    } and bench/ compose stages`;
  }
  return isPublicEntry(to) ? null : `${to} is not a public entry of ${b}`;
}

Deno.test("layering", async (t) => {
  const files = await sourceFiles();
  const edges = new Map<string, { to: string; worker: boolean }[]>();
  for (const f of files) edges.set(f, await importsOf(f));
  const graph = new Map([...edges].map(([f, es]) => [f, es.map((e) => e.to)]));
  const imports = new Map([...edges].map(([f, es]) => [f, es.filter((e) => !e.worker)]));

  await t.step("every relative import names an existing module", () => {
    const missing = [...graph].flatMap(([f, deps]) =>
      deps.filter((d) => /\.tsx?$/.test(d) && !graph.has(d) && !d.startsWith("static/"))
        .map((d) => `${f} → ${d}`)
    );
    assert.deepEqual(missing, []);
  });

  await t.step("no import breaks a layering rule", () => {
    const broken = [...graph].flatMap(([f, deps]) =>
      deps.filter((d) => graph.has(d)).flatMap((d) => {
        const why = violation(f, d);
        return why === null ? [] : [`${f} → ${d}: ${why}`];
      })
    );
    assert.deepEqual(broken, []);
  });

  await t.step("the module graph has no cycle", () => {
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const visit = (f: string, stack: string[]) => {
      state.set(f, 1);
      for (const { to: d } of imports.get(f) ?? []) {
        if (!graph.has(d)) continue;
        if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].join(" → "));
        else if (!state.has(d)) visit(d, [...stack, d]);
      }
      state.set(f, 2);
    };
    for (const f of files) if (!state.has(f)) visit(f, [f]);
    assert.deepEqual(cycles, []);
  });

  await t.step("lib/models/ holds no CLI or console code", async () => {
    const offenders: string[] = [];
    for (const f of files.filter((f) => f.startsWith("lib/models/"))) {
      if ((edges.get(f) ?? []).some((e) => e.to === "lib/command.ts")) offenders.push(f);
      const code = (await Deno.readTextFile(ROOT + f)).split("\n")
        .filter((l) => !/^\s*(\*|\/\/)/.test(l)).join("\n");
      if (/\bconsole\.|Deno\.(stdout|stderr)|UsageError/.test(code)) offenders.push(f);
    }
    assert.deepEqual(offenders, []);
  });

  await t.step("the rules catch a stage reaching into another", () => {
    assert.match(violation("mr/local_runner.ts", "tools/split.ts") ?? "", /another stage/);
    assert.match(violation("lib/x.ts", "tools/web.ts") ?? "", /lib\/ imports only lib/);
    assert.match(violation("islands/A.tsx", "lib/store/store.ts") ?? "", /islands import only/);
    assert.match(violation("tools/pipeline.ts", "eval/evaluate.ts") ?? "", /not a public entry/);
    assert.equal(violation("tools/pipeline.ts", "eval/mod.ts"), null);
  });
});
