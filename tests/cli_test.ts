import assert from "node:assert/strict";
import { parseFlags, UsageError } from "../lib/command.ts";

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
