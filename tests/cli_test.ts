import assert from "node:assert/strict";
import {
  type Command,
  commandHelp,
  flagName,
  type FlagSpec,
  type FlagTable,
  parseFlags,
  UsageError,
} from "../lib/command.ts";
import { COMMANDS } from "../main.ts";

/** Every command and subcommand with its path (`mr emr-plan`). */
function allCommands(): { path: string; command: Command<FlagTable> }[] {
  const out: { path: string; command: Command<FlagTable> }[] = [];
  const walk = (c: Command<FlagTable>, path: string) => {
    out.push({ path, command: c });
    for (const sub of c.subcommands ?? []) walk(sub, `${path} ${sub.name}`);
  };
  for (const c of COMMANDS) walk(c, c.name);
  return out;
}

/** Every flag of every command: path, flag name (kebab-case), spec, and the help line. */
function allFlags(): { path: string; name: string; spec: FlagSpec; line: string }[] {
  return allCommands().flatMap(({ path, command }) => {
    const help = commandHelp("recsys", { ...command, name: path }).split("\n");
    return Object.entries(command.flags).map(([key, spec]) => {
      const name = flagName(key);
      const line = help.find((l) => l.startsWith(`  --${name} `) || l === `  --${name}`) ?? "";
      return { path, name, spec, line };
    });
  });
}

/** Runs the CLI in a subprocess: exit code, stdout, stderr. */
async function cli(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-net",
      "--allow-run",
      "--allow-sys",
      "main.ts",
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("CLI", async (t) => {
  await t.step("--help lists the commands", async () => {
    const r = await cli("--help");
    assert.equal(r.code, 0);
    for (const c of ["split", "synth", "bench"]) {
      assert.match(r.stdout, new RegExp(`^  ${c} `, "m"));
    }
  });

  await t.step("a command's --help documents every flag with its default", async () => {
    const r = await cli("split", "--help");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--test-ratio <n>\s+.*\(default: 0\.2\)/);
    assert.match(r.stdout, /--seed <n>\s+.*\(default: 42\)/);
    assert.match(r.stdout, /--input <file\|dir>\s+.*\(required\)/);
    assert.match(r.stdout, /--skip-invalid/);
  });

  await t.step("every command's --help documents every flag with its default", () => {
    const flags = allFlags();
    assert.ok(flags.length > 100, `${flags.length} flags`);
    for (const { path, name, spec, line } of flags) {
      const where = `${path} --${name}`;
      assert.ok(line, `${where} is in the help`);
      assert.ok(line.includes(spec.doc), `${where}: its doc`);
      if (spec.type === "boolean") continue;
      if (spec.required) assert.ok(line.endsWith("(required)"), where);
      else if (spec.default !== undefined) {
        const d = Array.isArray(spec.default) ? spec.default.join(",") : String(spec.default);
        assert.ok(line.endsWith(`(default: ${d})`), `${where}: default ${d}`);
      }
      if (spec.type === "string" && spec.choices) {
        assert.ok(line.includes(spec.arg ?? spec.choices.join("|")), `${where}: its choices`);
      }
    }
  });

  await t.step("every --help follows the flag rule of docs/ARCHITECTURE.md", async () => {
    const rule = await Deno.readTextFile(new URL("../docs/ARCHITECTURE.md", import.meta.url));
    assert.match(rule, /## 9\. Flags/);
    const flags = allFlags();
    const named = (n: string) => flags.filter((f) => f.name === n);
    for (const f of named("out")) {
      assert.ok(f.spec.arg === "<file>" || f.spec.arg === "<dir>", `${f.path} --out: file or dir`);
    }
    for (const f of named("k")) assert.match(f.spec.doc, /kept/, `${f.path} --k: kept`);
    for (const f of named("use-k")) assert.match(f.spec.doc, /used/, `${f.path} --use-k: used`);
    for (const f of named("top")) assert.match(f.spec.doc, /per user/, `${f.path} --top: length`);
    for (const f of named("cutoff")) assert.match(f.spec.doc, /@N/, `${f.path} --cutoff`);
    for (const f of named("seed")) assert.equal(f.spec.type, "integer", `${f.path} --seed`);
    for (const f of named("data")) {
      assert.equal(f.spec.arg, "<dir>", `${f.path} --data`);
      assert.match(f.spec.doc, /release directory/, `${f.path} --data: a release`);
    }
    for (const f of named("db")) assert.equal(f.spec.arg, "<url>", `${f.path} --db`);
    assert.deepEqual(
      flags.filter((f) => /^(threads|dir|out-dir)$/.test(f.name)).map((f) => f.path),
      [],
      "--workers and --out everywhere",
    );
    // --layout beside every release directory read (accuracy: ML-100k's fold files).
    for (const { path, command } of allCommands()) {
      const keys = Object.keys(command.flags);
      if (keys.includes("data") && path !== "accuracy") assert.ok(keys.includes("layout"), path);
    }
    // Each old spelling is named in the rule's list.
    for (const f of flags) {
      for (const old of f.spec.was ?? []) {
        assert.ok(rule.includes(`\`--${old}`), `docs name the old --${old} of ${f.path}`);
      }
    }
  });

  await t.step("an old spelling still works, with a one-line notice naming the new one", () => {
    const notices: string[] = [];
    const table = {
      cutoff: { type: "integer", default: 10, was: ["top"], doc: "N of the @N metrics" },
    } as const;
    const v = parseFlags("eval", table, ["--top", "5"], (l) => notices.push(l));
    assert.deepEqual(v, { cutoff: 5 });
    assert.deepEqual(notices, [
      "eval: --top is now --cutoff (the old spelling still works in this release)",
    ]);
  });

  await t.step("an unknown model exits 2 in every command that takes one", async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/r.csv`, "1,1,4.0,1\n1,2,3.0,2\n2,1,5.0,3\n");
      for (
        const args of [
          ["eval", "--train", `${dir}/r.csv`, "--test", `${dir}/r.csv`, "--model", "nope"],
          ["predict", "--train", `${dir}/r.csv`, "--model", "nope", "--out", `${dir}/o.csv`],
          ["pipeline", "--data", dir, "--out", `${dir}/o`, "--ranking-model", "nope"],
          ["eval", "--train", `${dir}/r.csv`, "--test", `${dir}/r.csv`, "--model", "ease:x=1"],
        ]
      ) {
        const r = await cli(...args);
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, /unknown model "nope"|valid keys: lambda, lowRatingWeight/);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("an unknown command exits non-zero naming it", async () => {
    const r = await cli("frobnicate");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
    assert.equal(r.stderr.trim().split("\n").length, 1);
  });

  await t.step("an unknown flag exits non-zero naming it", async () => {
    const r = await cli("split", "--input", "x", "--out", "y", "--ratio", "3");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown flag --ratio/);
  });

  await t.step("a missing required flag exits non-zero naming it", async () => {
    const r = await cli("split", "--out", "y");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing required flag --input/);
  });

  await t.step("a bad value exits non-zero naming flag and value", async () => {
    const r = await cli("split", "--input", "x", "--out", "y", "--test-ratio", "1.5");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--test-ratio: '1\.5' \(must be < 1\)/);
  });

  await t.step("a missing input file is a one-line error naming it", async () => {
    const dir = await Deno.makeTempDir();
    const r = await cli("split", "--input", `${dir}/nope.csv`, "--out", dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nope\.csv/);
    await Deno.remove(dir, { recursive: true });
  });

  await t.step("a header-only ratings file exits 1 with 'file: no ratings'", async () => {
    const dir = await Deno.makeTempDir();
    await Deno.writeTextFile(`${dir}/ratings.csv`, "userId,movieId,rating,timestamp\n");
    const r = await cli("split", "--input", `${dir}/ratings.csv`, "--out", `${dir}/out`);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), `error: ${dir}/ratings.csv: no ratings`);
    await Deno.remove(dir, { recursive: true });
  });
});

Deno.test("parseFlags", async (t) => {
  const table = {
    k: { type: "integer", default: 50, min: 1, doc: "k" },
    out: { type: "string", required: true, doc: "out" },
    mode: { type: "string", choices: ["user", "item"], default: "user", doc: "mode" },
    ks: { type: "int-list", default: [10], min: 1, doc: "ks" },
    strict: { type: "boolean", doc: "strict" },
  } as const;

  await t.step("applies defaults and maps kebab-case flags to option names", () => {
    assert.deepEqual(parseFlags("x", table, ["--out", "f"]), {
      k: 50,
      out: "f",
      mode: "user",
      ks: [10],
      strict: false,
    });
    assert.deepEqual(
      parseFlags("x", table, ["--out=f", "--k", "7", "--ks", "10,20", "--strict"]).ks,
      [10, 20],
    );
  });

  await t.step("rejects out-of-range, fractional and non-choice values", () => {
    assert.throws(() => parseFlags("x", table, ["--out", "f", "--k", "0"]), UsageError);
    assert.throws(
      () => parseFlags("x", table, ["--out", "f", "--k", "2.5"]),
      /expected an integer/,
    );
    assert.throws(
      () => parseFlags("x", table, ["--out", "f", "--mode", "both"]),
      /one of user, item/,
    );
    assert.throws(() => parseFlags("x", table, ["--out"]), /--out needs a value/);
  });
});
