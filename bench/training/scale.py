#!/usr/bin/python3
"""Training-time benchmark: our `train` on generated leads vs one XGBoost `hist` fit with the same trees.

For each row count: `generate --rows N --seed 11`, then our `train --trainer T` (the whole command, timed by wall
clock: load, featurize, 5-fold CV over T's grid points, calibration, final fit, importance, bundle), then XGBoost
hist on the same training part (the oldest 80% by created_at, as our trainer splits) with the trees, leaves and
learning rate of our chosen candidate (read from manifest.json trainer.hyperParameters), timed around .fit() only.
Also times the 20,000-row sample with the default trainer (auto), which issue 3 wants under a minute on 2 cores.

Run through bench/training/run_scale.sh from the repository root.
This times the whole `train` protocol; for a like-for-like ONE fit vs ONE XGBoost fit on the same encoded matrix
see bench/training/run_fit_vs_xgb.sh (fit_vs_xgb.py + bench/TrainingScale).
"""
import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from peers import Featurizer, read_raw, split_time  # noqa: E402
import xgboost  # noqa: E402
from xgboost import XGBClassifier  # noqa: E402

DOTNET = ["dotnet", "run", "-c", "Release", "--no-build", "--project", "src/Training", "--"]


LAST_CPU = [0.0]


def children_cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def load():
    return os.getloadavg()[0]


def sh(args, timeout=None):
    """Runs a command; returns (result, wall seconds) and leaves its CPU seconds (user+sys, all threads) in LAST_CPU."""
    t0 = time.perf_counter(); c0 = children_cpu()
    # Own process group, so that a timeout also stops the trainer that `dotnet run` started (not only `dotnet run`).
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, time.perf_counter() - t0
    r = subprocess.CompletedProcess(args, proc.returncode, out, err)
    LAST_CPU[0] = children_cpu() - c0
    if r.returncode != 0:
        sys.stderr.write(r.stdout[-4000:] + r.stderr[-4000:])
        raise SystemExit(f"failed ({r.returncode}): {' '.join(args)}")
    return r, time.perf_counter() - t0


def newest_manifest(out, before):
    new = [d for d in os.listdir(out) if d not in before and os.path.isfile(os.path.join(out, d, "manifest.json"))]
    if len(new) != 1:
        raise SystemExit(f"expected one new bundle in {out}, found {new}")
    with open(os.path.join(out, new[0], "manifest.json")) as f:
        return json.load(f)


def train_ours(data, schema, out, trainer, timeout):
    os.makedirs(out, exist_ok=True)
    before = set(os.listdir(out))
    args = DOTNET + ["train", "--data", data, "--schema", schema, "--out", out, "--seed", "42"]
    if trainer != "auto":
        args += ["--trainer", trainer]
    r, secs = sh(args, timeout)
    if r is None:
        return None, secs, " ".join(args)
    return newest_manifest(out, before), secs, " ".join(args)


def xgb_fit(x, y, hp):
    m = XGBClassifier(tree_method="hist", n_estimators=int(hp["trees"]), learning_rate=hp["learningRate"],
                      max_leaves=int(hp["leaves"]), grow_policy="lossguide", max_depth=0,
                      random_state=42, n_jobs=2, eval_metric="logloss")
    t0 = time.perf_counter(); c0 = time.process_time()
    m.fit(x, y)
    return time.perf_counter() - t0, time.process_time() - c0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="1000000", help="comma-separated row counts to generate and train on")
    ap.add_argument("--trainers", default="fasttree,lightgbm")
    ap.add_argument("--timeout", type=float, default=25 * 60, help="give up on one of our runs after this many seconds")
    ap.add_argument("--sample-repeat", type=int, default=3, help="timed runs of the 20k sample (auto); 0 to skip")
    ap.add_argument("--work", default=None)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    if not os.path.isfile("LeadPropensity.sln"):
        raise SystemExit("run from the repository root")
    work = a.work or tempfile.mkdtemp(prefix="lp-scale-")
    os.makedirs(work, exist_ok=True)
    schema = os.path.abspath("data/sample/schema.json")
    with open(schema) as f:
        schema_json = json.load(f)
    print(f"xgboost {xgboost.__version__}; {os.cpu_count()} cores; work folder {work}", flush=True)
    results = {"sizes": [], "sample": None}

    if a.sample_repeat > 0:
        secs, cpus, man = [], [], None
        for _ in range(a.sample_repeat):
            man, s, cmd = train_ours(os.path.abspath("data/sample/leads.csv"), schema, os.path.join(work, "sample-models"), "auto", a.timeout)
            secs.append(s); cpus.append(LAST_CPU[0])
            print(f"sample 20k auto: {s:.1f} s wall, {LAST_CPU[0]:.1f} s CPU, load average {load():.1f}", flush=True)
        results["sample"] = {"seconds": secs, "cpu_seconds": cpus, "median": statistics.median(secs), "command": cmd,
                             "chosen": man["trainer"]["name"], "cv": man["crossValidation"]}
        print(f"sample 20k (auto, chose {man['trainer']['name']}): median {statistics.median(secs):.1f} s over {len(secs)} runs "
              f"-> goal (< 60 s) {'MET' if statistics.median(secs) < 60 else 'NOT met'}", flush=True)
        print("  CV: " + "; ".join(f"{c['candidate']} {c['seconds']}s" for c in man["crossValidation"]), flush=True)

    for n in [int(v) for v in a.rows.split(",") if v.strip()]:
        data = os.path.join(work, f"leads-{n}.csv")
        if not os.path.isfile(data):
            _, gs = sh(DOTNET + ["generate", "--rows", str(n), "--seed", "11", "--out", data])
            print(f"\n{n} rows generated in {gs:.1f} s", flush=True)
        raw = read_raw(data)
        tr, _ = split_time(raw, "created_at")
        fz = Featurizer(schema_json, tr)
        x, _ = fz.frame(tr, onehot=True)
        y = fz.label(tr)
        del raw
        entry = {"rows": n, "train_rows": len(tr), "xgb_features": x.shape[1], "runs": []}
        for trainer in a.trainers.split(","):
            man, secs, cmd = train_ours(data, schema, os.path.join(work, f"models-{n}-{trainer}"), trainer, a.timeout)
            if man is None:
                print(f"{n} rows, ours {trainer}: > {a.timeout:.0f} s (stopped)", flush=True)
                entry["runs"].append({"trainer": trainer, "ours_seconds": None, "timed_out_after": secs, "command": cmd})
                continue
            ours_cpu, ours_load = LAST_CPU[0], load()
            hp = man["trainer"]["hyperParameters"]
            xs, xcpu = xgb_fit(x, y, hp)
            cv = man["crossValidation"]
            chosen_cv = next((c for c in cv if c["candidate"] == man["trainer"]["description"]), None)
            run = {"trainer": trainer, "ours_seconds": secs, "command": cmd, "chosen": man["trainer"]["description"],
                   "hyperParameters": hp, "cv": cv, "xgb_seconds": xs, "ratio": secs / xs,
                   "ours_cpu_seconds": ours_cpu, "xgb_cpu_seconds": xcpu, "load_after": ours_load, "test_auc": man["metrics"]["rocAuc"]}
            entry["runs"].append(run)
            print(f"{n} rows, ours {trainer}: {secs:.1f} s wall / {ours_cpu:.1f} s CPU, load average {ours_load:.1f} (chose {man['trainer']['description']}; CV "
                  + "; ".join(f"{c['candidate']} {c['seconds']}s" for c in cv)
                  + f"); xgboost hist same trees/leaves/lr, one fit on {len(tr)} rows x {x.shape[1]} features: {xs:.1f} s wall / {xcpu:.1f} s CPU; "
                  f"ratio ours/xgb {secs / xs:.1f}x wall, {ours_cpu / xcpu:.1f}x CPU", flush=True)
        results["sizes"].append(entry)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(results, f, indent=2)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)
    if a.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
