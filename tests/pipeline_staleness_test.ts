/**
 * Nothing goes stale: the pipeline's manifest fingerprints each step's full
 * configuration and the code it runs (lib/code_fingerprint.ts), so editing a
 * model's default in its module and rerunning `pipeline` reruns exactly the
 * steps that depend on it. The tree is copied, the copy's source edited, and
 * the copy's `main.ts pipeline` run against one output directory.
 */
import assert from "node:assert/strict";
import { synthesize } from "../tools/synth.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const TREE = ["main.ts", "mod.ts", "deno.json", "deno.lock"];
const TREE_DIRS = [
  "lib",
  "tools",
  "eval",
  "mr",
  "bench",
  "routes",
  "islands",
  "components",
  "static",
];

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyDir(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

async function edit(path: string, from: string, to: string): Promise<void> {
  const text = await Deno.readTextFile(path);
  assert.ok(text.includes(from), `${path} has ${from}`);
  await Deno.writeTextFile(path, text.replace(from, to));
}

/** Runs the copy's pipeline; returns each step's status ("ran" or "skipped"), in order. */
async function pipeline(tree: string, args: string[]): Promise<Record<string, string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${tree}/main.ts`, "pipeline", ...args],
    cwd: tree,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, text + new TextDecoder().decode(out.stderr));
  const status: Record<string, string> = {};
  for (const m of text.matchAll(/^\[\d+\/\d+\] (\S+)\s+(running|up to date)/gm)) {
    status[m[1]] = m[2] === "running" ? "ran" : "skipped";
  }
  assert.equal(Object.keys(status).length, 10, text);
  return status;
}

const ran = (s: Record<string, string>) => Object.keys(s).filter((k) => s[k] === "ran");

Deno.test("pipeline reruns exactly what an edit reaches", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "staleness-" });
  try {
    const tree = `${root}/tree`;
    await Deno.mkdir(tree);
    for (const f of TREE) await Deno.copyFile(`${ROOT}${f}`, `${tree}/${f}`);
    for (const d of TREE_DIRS) await copyDir(`${ROOT}${d}`, `${tree}/${d}`);
    await synthesize(`${root}/data`, { scale: 0.002, seed: 4 });
    const args = [
      "--data",
      `${root}/data`,
      "--out",
      `${root}/out`,
      "--rating-model",
      "bias",
      "--ranking-model",
      "ease",
      "--k",
      "10",
      "--workers",
      "1",
    ];

    await t.step("a first run runs every step, a second none", async () => {
      assert.equal(ran(await pipeline(tree, args)).length, 10);
      assert.deepEqual(ran(await pipeline(tree, args)), []);
    });

    await t.step("an edit to code no step runs reruns nothing", async () => {
      await edit(`${tree}/routes/app.ts`, "\n", "\n// an edit the pipeline never runs\n");
      assert.deepEqual(ran(await pipeline(tree, args)), []);
    });

    await t.step(
      "EASE's default λ edited: the ranking model, the serving list, the import",
      async () => {
        await edit(
          `${tree}/lib/models/ease.ts`,
          "EASE_DEFAULTS = {\n  lambda: 500,",
          "EASE_DEFAULTS = {\n  lambda: 450,",
        );
        assert.deepEqual(ran(await pipeline(tree, args)), ["ranking-model", "serve", "import"]);
        assert.deepEqual(ran(await pipeline(tree, args)), []);
      },
    );

    await t.step(
      "the bias baseline's formula edited: every step that fits or uses it",
      async () => {
        // lib/baselines.ts: bias (rating-model, serve) and the classic evals' baselines.
        await edit(`${tree}/lib/baselines.ts`, "\n", "\n// an edit every bias fit runs\n");
        const after = ran(await pipeline(tree, args));
        assert.ok(after.includes("rating-model") && after.includes("serve"), after.join(","));
        assert.ok(after.includes("eval-user") && after.includes("eval-item"), after.join(","));
        assert.ok(!after.includes("split") && !after.includes("neighbors-user"), after.join(","));
        assert.ok(!after.includes("ranking-model"), after.join(","));
      },
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
