/**
 * README's "Use it from TypeScript" program, extracted from README.md and run
 * as written (from the repository root, where its `./mod.ts` resolves) on a
 * small synthetic release; its lines are checked against the library and the
 * data it read.
 */
import assert from "node:assert/strict";
import { synthesize } from "../tools/synth.ts";
import { fitRankingModel, fitRatingModel, readMovies, readRatings } from "../mod.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** The first ```ts block of README's "Use it from TypeScript" section. */
async function readmeProgram(): Promise<string> {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const section = readme.slice(readme.indexOf("## Use it from TypeScript"));
  const m = section.match(/```ts\n([\s\S]*?)```/);
  assert.ok(m, "README has a ts block under 'Use it from TypeScript'");
  return m[1];
}

Deno.test("README's TypeScript program", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "readme-example-" });
  try {
    await synthesize(dir, { scale: 0.002, seed: 5 });
    const program = await readmeProgram();
    const ratings = await readRatings(dir);
    // The user with the fewest ratings: the most candidates for a list of 10.
    const count = new Map<number, number>();
    for (let k = 0; k < ratings.length; k++) {
      count.set(ratings.users[k], (count.get(ratings.users[k]) ?? 0) + 1);
    }
    const userId = [...count].sort((a, b) => a[1] - b[1] || a[0] - b[0])[0][0];

    await t.step("is about 15 lines", () => {
      const lines = program.trim().split("\n").length;
      assert.ok(lines >= 10 && lines <= 20, `${lines} lines`);
    });

    await t.step("runs as shown and prints the shipped models' top 10 with stars", async () => {
      const out = await new Deno.Command(Deno.execPath(), {
        // `deno run -A -`: the program from stdin, its `./mod.ts` resolved from the root.
        args: ["run", "-A", "-", dir, String(userId)],
        cwd: ROOT,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const w = out.stdin.getWriter();
      await w.write(new TextEncoder().encode(program));
      await w.close();
      const { code, stdout, stderr } = await out.output();
      const text = new TextDecoder().decode(stdout);
      assert.equal(code, 0, new TextDecoder().decode(stderr));
      const lines = text.trim().split("\n");
      assert.equal(lines[0], `top 10 for user ${userId} (${ratings.length} ratings):`);
      assert.equal(lines.length, 11);

      // The same list and stars from the library directly.
      const movies = await readMovies(dir);
      const ranker = await fitRankingModel(ratings, "ease-weighted");
      const predictor = await fitRatingModel(ratings, "blend");
      const rated = new Set<number>();
      for (let k = 0; k < ratings.length; k++) {
        if (ratings.users[k] === userId) rated.add(ratings.movies[k]);
      }
      const expected = ranker.recommend(userId, 10).map((p, r) =>
        `${String(r + 1).padStart(2)}. ${predictor.predict(userId, p.movieId).toFixed(1)}★  ${
          movies.get(p.movieId)!.title
        }`
      );
      assert.deepEqual(lines.slice(1), expected);
      for (const p of ranker.recommend(userId, 10)) assert.ok(!rated.has(p.movieId));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
