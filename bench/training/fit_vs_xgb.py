#!/usr/bin/python3
"""Like-for-like training time (issue 3): ONE fit of ours vs ONE XGBoost `hist` fit, same rows, same features.

For each row count:
  1. `generate --rows N --seed 11` (skipped when the file is already in the work folder);
  2. bench/TrainingScale (C#): LeadDataset.Load + the sample schema, the trainer's split (oldest 80% by created_at
     for training, newest 20% held out, DataSplit.TrainTest), FeaturePlan fit + encode (timed), then one
     CandidateFitter.Fit per tree grid point (the code path of every CV fold and of the final fit in `train`),
     with the product's thread settings and, with --threads default,2, LightGBM also at 2 threads. It exports the
     encoded float32 matrices;
  3. here: XGBoost `hist` on exactly those exported matrices (no re-encoding), one .fit() per distinct
     hyper-parameter point, n_jobs=2 and n_jobs=1 (--xgb-jobs), grow_policy="lossguide", max_leaves = our leaves,
     max_depth=0 (no depth limit: leaf-wise growth like LightGBM's and FastTree's), same trees and learning rate,
     max_bin 256 (ours 255), min_child_weight = minLeaf * ybar*(1-ybar) (the hessian of minLeaf rows at the base
     rate: XGBoost has no minimum row count per leaf, only a minimum hessian sum);
  4. the table: our fit seconds, XGBoost fit seconds, ratio ours/XGBoost (wall and CPU), held-out AUCs.

Run through bench/training/run_fit_vs_xgb.sh from the repository root (it builds first), or:
    /usr/bin/python3 bench/training/fit_vs_xgb.py --rows 1000000 [--threads default,2] [--xgb-jobs 2,1] [--work DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import xgboost
from sklearn.metrics import roc_auc_score
from xgboost import XGBClassifier

GENERATE = ["dotnet", "run", "-c", "Release", "--no-build", "--project", "src/Training", "--", "generate"]
OURS = ["dotnet", "bench/TrainingScale/bin/Release/net10.0/LeadPropensity.TrainingScale.dll"]
DEFAULT_POINTS = "lightgbm:300:8:0.05:80,lightgbm:200:31:0.05:20,fasttree:300:8:0.05:80"


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run(args):
    print("$ " + " ".join(args), flush=True)
    r = subprocess.run(args)
    if r.returncode != 0:
        raise SystemExit(f"failed ({r.returncode}): {' '.join(args)}")


def xgb_fit(x, y, xt, yt, trees, leaves, lr, min_leaf, jobs, seed):
    ybar = float(y.mean())
    mcw = min_leaf * ybar * (1 - ybar)
    m = XGBClassifier(tree_method="hist", n_estimators=trees, learning_rate=lr, max_leaves=leaves, grow_policy="lossguide",
                      max_depth=0, min_child_weight=mcw, max_bin=256, random_state=seed, n_jobs=jobs, eval_metric="logloss")
    before = loadavg()
    t0 = time.perf_counter(); c0 = time.process_time()
    m.fit(x, y)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    auc = roc_auc_score(yt, m.predict(xt, output_margin=True))
    return {"seconds": wall, "cpu_seconds": cpu, "auc": auc, "min_child_weight": mcw, "n_jobs": jobs,
            "load_before": before, "load_after": loadavg()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="1000000", help="comma-separated row counts")
    ap.add_argument("--points", default=DEFAULT_POINTS, help="trainer:trees:leaves:lr:minLeaf[@threads], comma-separated")
    ap.add_argument("--threads", default="default,2", help="our tree trainers' thread settings (default = the product's)")
    ap.add_argument("--xgb-jobs", default="2,1", help="XGBoost n_jobs values, comma-separated (2 = both cores; 1 = like our LightGBM)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--work", default="/tmp/lp-scale")
    ap.add_argument("--json", default=None, help="write all results here")
    a = ap.parse_args()
    if not os.path.isfile("LeadPropensity.sln"):
        raise SystemExit("run from the repository root")
    os.makedirs(a.work, exist_ok=True)
    jobs = [int(j) for j in a.xgb_jobs.split(",") if j.strip()]
    print(f"xgboost {xgboost.__version__}, numpy {np.__version__}; {os.cpu_count()} cores; load average {loadavg()}", flush=True)
    all_results = []
    for n in [int(v) for v in a.rows.split(",") if v.strip()]:
        data = os.path.join(a.work, f"leads-{n}.csv")
        if not os.path.isfile(data):
            t0 = time.perf_counter()
            run(GENERATE + ["--rows", str(n), "--seed", "11", "--out", data])
            print(f"generated {n} rows in {time.perf_counter() - t0:.1f} s", flush=True)
        mdir = os.path.join(a.work, f"matrix-{n}")
        ours_json = os.path.join(a.work, f"ours-{n}.json")
        run(OURS + ["--data", data, "--schema", "data/sample/schema.json", "--points", a.points, "--threads", a.threads,
                    "--seed", str(a.seed), "--export", mdir, "--json", ours_json])
        with open(ours_json) as f:
            ours = json.load(f)
        with open(os.path.join(mdir, "meta.json")) as f:
            meta = json.load(f)
        w = meta["width"]
        x = np.fromfile(os.path.join(mdir, "train.f32"), dtype=np.float32).reshape(-1, w)
        y = np.fromfile(os.path.join(mdir, "train.y"), dtype=np.uint8).astype(np.int32)
        xt = np.fromfile(os.path.join(mdir, "test.f32"), dtype=np.float32).reshape(-1, w)
        yt = np.fromfile(os.path.join(mdir, "test.y"), dtype=np.uint8).astype(np.int32)
        assert x.shape[0] == ours["trainRows"] and xt.shape[0] == ours["evalRows"]
        print(f"XGBoost reads the exported matrices: train {x.shape[0]} x {w}, held-out {xt.shape[0]} x {w} "
              f"(label rate {y.mean():.4f})", flush=True)

        xgb = {}
        for fit in ours["fits"]:
            key = (fit["trees"], fit["leaves"], fit["learningRate"], fit["minLeaf"])
            for j in jobs:
                if (key, j) in xgb:
                    continue
                r = xgb_fit(x, y, xt, yt, *key, j, a.seed)
                xgb[(key, j)] = r
                print(f"xgboost hist trees={key[0]} max_leaves={key[1]} lr={key[2]} min_child_weight={r['min_child_weight']:.2f} "
                      f"n_jobs={j}: {r['seconds']:.1f} s wall, {r['cpu_seconds']:.1f} s CPU; held-out AUC {r['auc']:.4f}; "
                      f"load average before {r['load_before']}, after {r['load_after']}", flush=True)
        del x, xt

        print(f"\n== {n:,} rows: {ours['trainRows']:,} training rows ({ours['split']}), width {w}; "
              f"load {ours['loadSeconds']:.1f} s, featurize {ours['featurizeSeconds']:.1f} s (ours only; XGBoost gets the encoded matrix)")
        print(f"   ML.NET thread settings in the product: FastTree NumberOfThreads={ours['fastTreeThreads']}, "
              f"LightGBM NumberOfThreads={ours['lightGbmThreads']}")
        hdr = f"   {'our fit':<52} {'threads':>7} {'ours s':>8} {'xgb n_jobs':>10} {'xgb s':>8} {'ratio wall':>10} {'ratio CPU':>9} {'AUC ours':>8} {'AUC xgb':>8}"
        print(hdr)
        rows = []
        for fit in ours["fits"]:
            key = (fit["trees"], fit["leaves"], fit["learningRate"], fit["minLeaf"])
            desc = f"{fit['trainer']}(trees={key[0]}, leaves={key[1]}, lr={key[2]}, minLeaf={key[3]})"
            th = f"{fit['threads']}{'' if fit['productDefault'] else '*'}"
            for j in jobs:
                r = xgb[(key, j)]
                ratio, cratio = fit["fitSeconds"] / r["seconds"], fit["fitCpuSeconds"] / r["cpu_seconds"]
                print(f"   {desc:<52} {th:>7} {fit['fitSeconds']:>8.1f} {j:>10} {r['seconds']:>8.1f} {ratio:>9.2f}x {cratio:>8.2f}x "
                      f"{fit['auc']:>8.4f} {r['auc']:>8.4f}")
                rows.append({"ours": fit, "xgb": r, "ratio_wall": ratio, "ratio_cpu": cratio})
        print("   (* = not the product's setting: a bench override through CandidateFitter.Fit's threads parameter)", flush=True)
        all_results.append({"rows": n, "ours": ours, "comparisons": rows})
        if a.json:
            with open(a.json, "w") as f:
                json.dump(all_results, f, indent=2)


if __name__ == "__main__":
    main()
