/**
 * Bench entry `peer-ease`: the shipped ranking model beside the plain numpy
 * script its users would otherwise write (bench/peers/ease.py), in one run
 * on the bench context's training split (issue #23's target: ours ≤ 1.0×
 * the peer's time).
 *
 * Ours: `ease-weighted` fit, then every training user's top 100 written as
 * recommendations.csv (lib/recommend/model_files.ts), wall and CPU seconds.
 * The peer: the same EASE (the same movies: it models as many of the most
 * rated as ours does, λ 300, w 0.5), then every user's top 100 in blocks of
 * 2,000 users, no file written; its fit and ranking seconds as it prints
 * them. Reading the ratings is timed for neither. Both sides' CPU seconds
 * (all threads) are recorded too: on a shared machine `cpuRatio` means
 * more than the wall `ratio`. Both top-10 lists are
 * compared: `overlap10` is the mean share of a user's top 10 in both.
 *
 * Needs `python3` with numpy and scipy (`pip install numpy scipy`); without
 * them the entry records NaN and says why. Never a product dependency.
 */
import process from "node:process";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import type { EaseModel } from "../lib/models/ease.ts";
import { resolveModel } from "../lib/models/registry.ts";
import { writeRecommendations } from "../lib/recommend/model_files.ts";
import type { BenchEntry } from "./context.ts";

const PEER = new URL("./peers/ease.py", import.meta.url).pathname;

async function hasNumpy(): Promise<boolean> {
  try {
    const out = await new Deno.Command("python3", {
      args: ["-c", "import numpy, scipy"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Each user's listed movies (the first 10 lines per user) from a `userId,movieId[,…]` file. */
async function topTen(path: string, header: boolean): Promise<Map<number, Set<number>>> {
  const lists = new Map<number, Set<number>>();
  const lines = (await Deno.readTextFile(path)).split("\n");
  for (let k = header ? 1 : 0; k < lines.length; k++) {
    if (!lines[k]) continue;
    const [u, i] = lines[k].split(",", 2).map(Number);
    const s = lists.get(u) ?? new Set<number>();
    if (s.size < 10) s.add(i);
    lists.set(u, s);
  }
  return lists;
}

export const peerEaseEntry: BenchEntry = {
  name: "peer-ease",
  description: "ease-weighted fit + every user's top 100 beside the numpy peer " +
    "bench/peers/ease.py (target ≤ 1.0×; needs python3 with numpy, scipy)",
  async run(ctx) {
    const m = buildRatingMatrix((await readRatingsTable(ctx.files.train)).table);
    const out = `${ctx.dir}/peer_ours_recommendations.csv`;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { spec, options } = resolveModel("ease-weighted", "ranking");
    const model = await spec.fit(m, options) as EaseModel;
    const fitSeconds = (performance.now() - t0) / 1000;
    const fitCpu = process.cpuUsage(cpu0);
    const r = await writeRecommendations(model, m, out, { top: 100 });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const items = model.colItems.length;
    const extra: Record<string, number | string> = {
      items,
      fitSeconds: Number(fitSeconds.toFixed(2)),
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
      fitCpuSeconds: Number(((fitCpu.user + fitCpu.system) / 1e6).toFixed(2)),
    };
    if (!(await hasNumpy())) {
      extra.peer = "not run: python3 with numpy and scipy not found (pip install numpy scipy)";
    } else {
      const lists = `${ctx.dir}/peer_lists.csv`;
      const p = await new Deno.Command("python3", {
        args: [PEER, "--train", ctx.files.train, "--items", String(items), "--lists", lists],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      if (!p.success) throw new Error(`peer-ease: ${PEER} failed (exit ${p.code})`);
      const peer = JSON.parse(new TextDecoder().decode(p.stdout).trim().split("\n").at(-1)!);
      const peerSeconds = peer.fitSeconds + peer.rankSeconds;
      const peerCpu = peer.fitCpuSeconds + peer.rankCpuSeconds;
      const ours = await topTen(out, true), theirs = await topTen(lists, false);
      let shared = 0, users = 0;
      for (const [u, a] of ours) {
        const b = theirs.get(u);
        if (!b || a.size === 0) continue;
        let both = 0;
        for (const i of a) if (b.has(i)) both++;
        shared += both / a.size;
        users++;
      }
      await Deno.remove(lists);
      Object.assign(extra, {
        peerSeconds: Number(peerSeconds.toFixed(2)),
        peerFitSeconds: Number(peer.fitSeconds.toFixed(2)),
        peerCpuSeconds: Number(peerCpu.toFixed(2)),
        peerFitCpuSeconds: Number(peer.fitCpuSeconds.toFixed(2)),
        ratio: Number((seconds / peerSeconds).toFixed(3)),
        cpuRatio: Number((Number(extra.cpuSeconds) / peerCpu).toFixed(3)),
        overlap10: Number((shared / users).toFixed(4)),
      });
    }
    await Deno.remove(out);
    return { seconds, work: r.users, unit: "users", extra };
  },
};
