"""The numpy peer of `ease-weighted` (issue #23): the plain script a user would write.

EASE over the M most-rated movies (ties: smaller movieId), x = 1 for a rating
>= 4 stars and w below, B = I - P diag(1/diag P) with P = (X'X + lambda I)^-1,
then every user's top N unrated modelled movies, in blocks of users. Reads a
header-less ratings_train.csv (userId,movieId,rating,timestamp); prints one
JSON line with the timed seconds (fit, ranking), wall and CPU (all threads). With --lists, writes every
user's top 10 as `userId,movieId` lines after the clock stops (for overlap).

Run by `deno task bench --only peer-ease` (bench/peer_bench.ts); never a
product dependency or a test.
"""
import argparse
import json
import time

import numpy as np
import scipy.sparse as sp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--items", type=int, default=8000)
    ap.add_argument("--lam", type=float, default=300.0)
    ap.add_argument("--weight", type=float, default=0.5)
    ap.add_argument("--top", type=int, default=100)
    ap.add_argument("--block", type=int, default=2000)
    ap.add_argument("--lists")
    a = ap.parse_args()

    t0 = time.perf_counter()
    r = np.loadtxt(a.train, delimiter=",", usecols=(0, 1, 2), dtype=np.float64)
    users, u_idx = np.unique(r[:, 0].astype(np.int64), return_inverse=True)
    movies, m_idx = np.unique(r[:, 1].astype(np.int64), return_inverse=True)
    t_read = time.perf_counter() - t0

    t1, c1 = time.perf_counter(), time.process_time()
    counts = np.bincount(m_idx, minlength=len(movies))
    order = np.lexsort((movies, -counts))[: a.items]
    cols = np.full(len(movies), -1, dtype=np.int64)
    cols[order] = np.arange(len(order))
    keep = cols[m_idx] >= 0
    x = np.where(r[keep, 2] >= 4.0, 1.0, a.weight)
    X = sp.csr_matrix((x, (u_idx[keep], cols[m_idx[keep]])), shape=(len(users), len(order)))
    G = (X.T @ X).toarray()
    G[np.diag_indices_from(G)] += a.lam
    P = np.linalg.inv(G)
    B = (P / (-np.diag(P))).astype(np.float32)
    B[np.diag_indices_from(B)] = 0
    t_fit, c_fit = time.perf_counter() - t1, time.process_time() - c1

    t2, c2 = time.perf_counter(), time.process_time()
    Xb = X.astype(np.float32)
    n = min(a.top, len(order))
    top = np.empty((len(users), n), dtype=np.int64)
    for s in range(0, len(users), a.block):
        xb = Xb[s : s + a.block]
        scores = np.asarray(xb @ B)
        scores[xb.nonzero()] = -np.inf
        part = np.argpartition(-scores, n - 1, axis=1)[:, :n]
        ps = np.take_along_axis(scores, part, axis=1)
        top[s : s + a.block] = np.take_along_axis(part, np.argsort(-ps, axis=1, kind="stable"), axis=1)
    t_rank, c_rank = time.perf_counter() - t2, time.process_time() - c2

    if a.lists:
        with open(a.lists, "w") as f:
            for u in range(len(users)):
                for c in top[u, :10]:
                    f.write(f"{users[u]},{movies[order[c]]}\n")
    print(json.dumps({"items": len(order), "users": len(users), "readSeconds": t_read,
                      "fitSeconds": t_fit, "rankSeconds": t_rank,
                      "fitCpuSeconds": c_fit, "rankCpuSeconds": c_rank}))


if __name__ == "__main__":
    main()
