import assert from "node:assert/strict";
import { fingerprintCode, localImports } from "../lib/code_fingerprint.ts";

Deno.test("code fingerprint", async (t) => {
  await t.step(
    "reads static, re-exported, dynamic and Worker imports, not comments or types",
    () => {
      const text = [
        `import { a } from "./a.ts";`,
        `export { b } from "../b.ts";`,
        `import "./side.ts";`,
        `const c = await import("./c.ts");`,
        `new Worker(new URL("./w_worker.ts", import.meta.url), { type: "module" });`,
        `import { x } from "npm:preact";`,
        `import type { T } from "./types_only.ts";`,
        `export type {\n  U,\n  V,\n} from "./more_types.ts";`,
        `import { type W, value } from "./mixed.ts";`,
        ` * import { fromDoc } from "./example.ts";`,
        `// import { old } from "./old.ts";`,
      ].join("\n");
      const expected = "./a.ts ../b.ts ./side.ts ./c.ts ./w_worker.ts ./mixed.ts".split(" ");
      assert.deepEqual(localImports(text), expected);
    },
  );

  await t.step("changes with a reachable module and only with one", async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${dir}/root.ts`,
        `import { b } from "./b.ts";\nexport const a = b;\n`,
      );
      await Deno.writeTextFile(`${dir}/b.ts`, `export const b = 1;\n`);
      await Deno.writeTextFile(`${dir}/table.ts`, `import "./b.ts";\n`);
      await Deno.writeTextFile(`${dir}/other.ts`, `export const o = 1;\n`);
      const url = (f: string) => new URL(`file://${dir}/${f}`).href;
      const code = { roots: [url("root.ts")] };
      const before = await fingerprintCode(code);
      assert.equal(Object.keys(before).length, 2);
      await Deno.writeTextFile(`${dir}/other.ts`, `export const o = 2;\n`);
      assert.deepEqual(await fingerprintCode(code), before);
      await Deno.writeTextFile(`${dir}/b.ts`, `export const b = 2;\n`);
      const after = await fingerprintCode(code);
      const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
      assert.equal(changed.length, 1);
      assert.ok(changed[0].endsWith("/b.ts"));
      // An excluded module is neither hashed nor followed.
      const excluded = await fingerprintCode({
        roots: [url("table.ts")],
        exclude: [url("table.ts")],
      });
      assert.deepEqual(excluded, {});
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
