import assert from "node:assert/strict";
import { readManifest, runSteps, type Step, StepOutputError } from "../lib/step_runner.ts";

/** Two steps: `upper` reads in.txt and writes mid.txt; `count` reads mid.txt and writes out.txt. */
function makeSteps(dir: string, runs: string[], suffix = "!"): Step[] {
  return [
    {
      name: "upper",
      inputs: [`${dir}/in.txt`],
      outputs: [`${dir}/mid.txt`],
      options: { suffix },
      async run() {
        runs.push("upper");
        const text = (await Deno.readTextFile(`${dir}/in.txt`)).toUpperCase() + suffix;
        await Deno.writeTextFile(`${dir}/mid.txt`, text);
        return { length: text.length };
      },
    },
    {
      name: "count",
      inputs: [`${dir}/mid.txt`],
      outputs: [`${dir}/out.txt`],
      options: {},
      async run() {
        runs.push("count");
        const n = (await Deno.readTextFile(`${dir}/mid.txt`)).length;
        await Deno.writeTextFile(`${dir}/out.txt`, String(n));
        return n;
      },
    },
  ];
}

Deno.test("step runner", async (t) => {
  const dir = await Deno.makeTempDir();
  const manifest = `${dir}/manifest.json`;
  await Deno.writeTextFile(`${dir}/in.txt`, "abc");

  await t.step("runs every step the first time and records it", async () => {
    const runs: string[] = [];
    const reports = await runSteps(manifest, makeSteps(dir, runs));
    assert.deepEqual(runs, ["upper", "count"]);
    assert.deepEqual(reports.map((r) => [r.status, r.reason]), [
      ["ran", "first run"],
      ["ran", "first run"],
    ]);
    assert.equal(await Deno.readTextFile(`${dir}/out.txt`), "4");
    const m = await readManifest(manifest);
    assert.deepEqual(m.steps.upper.options, { suffix: "!" });
    assert.deepEqual(m.steps.upper.result, { length: 4 });
    assert.equal(m.steps.upper.inputs[`${dir}/in.txt`].size, 3);
  });

  await t.step("skips every step when nothing changed, keeping recorded results", async () => {
    const runs: string[] = [];
    const reports = await runSteps(manifest, makeSteps(dir, runs));
    assert.deepEqual(runs, []);
    assert.deepEqual(reports.map((r) => r.status), ["skipped", "skipped"]);
    assert.equal(reports[1].result, 4);
  });

  await t.step("redoes a step whose input changed and everything downstream", async () => {
    await Deno.writeTextFile(`${dir}/in.txt`, "abcdef");
    const runs: string[] = [];
    const reports = await runSteps(manifest, makeSteps(dir, runs));
    assert.deepEqual(runs, ["upper", "count"]);
    assert.equal(reports[0].reason, "input changed: in.txt");
    assert.equal(reports[1].reason, "input rebuilt: mid.txt");
    assert.equal(await Deno.readTextFile(`${dir}/out.txt`), "7");
  });

  await t.step("redoes a step whose option changed", async () => {
    const runs: string[] = [];
    const reports = await runSteps(manifest, makeSteps(dir, runs, "??"));
    assert.deepEqual(runs, ["upper", "count"]);
    assert.equal(reports[0].reason, "options changed: suffix");
    assert.equal(await Deno.readTextFile(`${dir}/out.txt`), "8");
  });

  await t.step("redoes only the step whose output was deleted", async () => {
    await Deno.remove(`${dir}/out.txt`);
    const runs: string[] = [];
    await runSteps(manifest, makeSteps(dir, runs, "??"));
    assert.deepEqual(runs, ["count"]);
    assert.equal(await Deno.readTextFile(`${dir}/out.txt`), "8");
  });

  await t.step("keeps finished steps recorded when a later step fails", async () => {
    await Deno.writeTextFile(`${dir}/in.txt`, "xy");
    const steps = makeSteps(dir, []);
    steps[1] = {
      ...steps[1],
      run: () => Promise.reject(new Error("boom")),
    };
    await assert.rejects(runSteps(manifest, steps), /boom/);
    const runs: string[] = [];
    await runSteps(manifest, makeSteps(dir, runs));
    assert.deepEqual(runs, ["count"], "upper was recorded before count failed");
  });

  await t.step("fails a step that does not write a declared output", async () => {
    const steps: Step[] = [{
      name: "lazy",
      inputs: [],
      outputs: [`${dir}/never.txt`],
      options: {},
      run: () => Promise.resolve(),
    }];
    await assert.rejects(runSteps(manifest, steps), StepOutputError);
  });

  await Deno.remove(dir, { recursive: true });
});
