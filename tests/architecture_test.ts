/**
 * docs/ARCHITECTURE.md stays true where a test is cheap: every module and
 * file the folder map (§2) names exists, and every flag rule of §9 is
 * checked on the help itself by tests/cli_test.ts.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;
const FILE = /\.(ts|tsx|md|json|lock|css|svg|png)$/;

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(ROOT + path).then(() => true, () => false);
}

/** Names matching a `*` pattern in `dir` (e.g. `movielens_*.ts`). */
async function matches(dir: string, pattern: string): Promise<string[]> {
  const re = new RegExp("^" + pattern.replaceAll(".", "\\.").replaceAll("*", ".*") + "$");
  const out: string[] = [];
  for await (const e of Deno.readDir(ROOT + (dir || "."))) if (re.test(e.name)) out.push(e.name);
  return out;
}

/**
 * The files §2 names, each with the folders it may be in: a bullet's
 * backticked names, in the folder the bullet is about (its first backticked
 * folder) or the one it last moved to (e.g. `static/` — `style.css`), unless
 * the name has a slash.
 */
async function namedFiles(doc: string): Promise<{ name: string; dirs: string[] }[]> {
  const section = doc.slice(doc.indexOf("## 2. Folder map"), doc.indexOf("## 3."));
  const bullets = section.split(/\n(?=\s*- `)/).slice(1);
  const out: { name: string; dirs: string[] }[] = [];
  for (const bullet of bullets) {
    let first = "", folder = "";
    for (const [, token] of bullet.matchAll(/`([^`]+)`/g)) {
      if (/^[\w.-]+(\/[\w.-]+)*\/$/.test(token)) {
        // A folder: from the root when it is there, else within the bullet's first folder.
        const dir = (await exists(token)) ? token : first + token;
        if (!(await exists(dir))) continue; // a folder made at run time (.cache/…)
        folder = dir;
        if (!first) first = folder;
      } else if (FILE.test(token) && !/\s/.test(token)) {
        out.push(
          token.includes("/") ? { name: token, dirs: [""] } : {
            name: token,
            dirs: [...new Set([folder, first])],
          },
        );
      }
    }
  }
  return out;
}

Deno.test("docs/ARCHITECTURE.md", async (t) => {
  const doc = await Deno.readTextFile(`${ROOT}docs/ARCHITECTURE.md`);
  const files = await namedFiles(doc);

  await t.step("the folder map names many files", () => {
    assert.ok(files.length > 80, `${files.length} names`);
    const paths = files.flatMap((f) => f.dirs.map((d) => d + f.name));
    for (const f of ["lib/toolkit.ts", "lib/code_fingerprint.ts", "mod.ts", "eval/mod.ts"]) {
      assert.ok(paths.includes(f), f);
    }
  });

  await t.step("every module and file the folder map names exists", async () => {
    const missing: string[] = [];
    for (const { name, dirs } of files) {
      let found = false;
      for (const d of dirs) {
        const path = d + name;
        const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
        const base = path.slice(path.lastIndexOf("/") + 1);
        if (base.includes("*") ? (await matches(dir, base)).length > 0 : await exists(path)) {
          found = true;
        }
      }
      if (!found) missing.push(`${name} (in ${dirs.join(" or ") || "the root"})`);
    }
    assert.deepEqual(missing, []);
  });

  await t.step("it names no export the code dropped", async () => {
    const mode = await Deno.readTextFile(`${ROOT}lib/mode.ts`);
    const line = doc.match(/`lib\/mode\.ts` — ([^\n]*)/);
    assert.ok(line, "the folder map has lib/mode.ts");
    const names = [...line[1].matchAll(/`(\w+)[^`]*`/g)].map((m) => m[1]);
    assert.ok(names.length >= 2, names.join());
    for (const name of names) {
      assert.match(mode, new RegExp(`export (const|type|function) ${name}\\b`), name);
    }
  });
});
