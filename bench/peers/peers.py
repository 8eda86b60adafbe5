#!/usr/bin/python3
"""Peer comparison for issue 3: our trainer vs scikit-learn and XGBoost on identical train/test files.

For each data set the train/test split is written ONCE to a temporary folder; our `train --test-data`
and every peer then learn from the same train.csv and are judged on the same test.csv. All metrics in the
tables (ours included) come from the python functions below, computed from predicted probabilities; the
numbers our manifest.json reports are printed as a cross-check.

With --truth (sample only) every model is also judged against the TRUE probabilities of an independent file that our
`generate --seed 7` writes: mean |p - true probability|, and its AUC next to the AUC of the true probabilities themselves
(the oracle). For context the peers are also fitted on all sample rows (train + test), which is not the protocol.

Run it through bench/peers/run_peers.sh (which installs the Debian packages and builds the trainer), or:
    /usr/bin/python3 bench/peers/peers.py [--datasets sample,bank,bank-noduration] [--repeat 1] [--truth]
from the repository root.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
import sklearn
import xgboost
from xgboost import XGBClassifier

SEED = 42
TEST_SHARE = 0.2
BOOT = 500  # paired bootstrap resamples of the test set
BANK = os.environ.get("BANK_CSV", "../shared/data/bank-marketing.csv")  # override with BANK_CSV=...
TRUTH_SEED, TRUTH_ROWS = 7, 20000  # the independent file with known true probabilities (--truth)


# ----------------------------------------------------------------------------------------------- metrics
def ece_equal_width(p, y, bins=10):
    """Expected calibration error over 10 equal-width bins: bin = floor(p*B), 1.0 in the last bin (as Core's Metrics)."""
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    b = np.minimum(np.floor(p * bins).astype(int), bins - 1)
    total = 0.0
    for k in range(bins):
        m = b == k
        if m.any():
            total += m.sum() / len(p) * abs(p[m].mean() - y[m].mean())
    return total


def metrics(p, y):
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=int)
    return {
        "auc": roc_auc_score(y, p),
        "logloss": log_loss(y, np.clip(p, 1e-15, 1 - 1e-15), labels=[0, 1]),
        "brier": brier_score_loss(y, p),
        "ece": ece_equal_width(p, y),
    }


# ----------------------------------------------------------------------------------------------- splits
def read_raw(path):
    # Every value as its exact text: the CSV we hand to our trainer must be byte-faithful to the source values.
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


def split_time(df, ts_col):
    """The most recent TEST_SHARE of rows (ties by row order) is the test part, exactly as DataSplit.TrainTest."""
    t = pd.to_datetime(df[ts_col], utc=True)
    order = np.lexsort((np.arange(len(df)), t.values.astype("int64")))
    cut = len(df) - int(round(len(df) * TEST_SHARE))
    train_idx, test_idx = np.sort(order[:cut]), np.sort(order[cut:])
    return df.iloc[train_idx].reset_index(drop=True), df.iloc[test_idx].reset_index(drop=True)


def split_stratified(df, label_col, positive):
    y = df[label_col].str.strip().str.lower().isin([v.lower() for v in positive])
    tr, te = train_test_split(df, test_size=TEST_SHARE, stratify=y, random_state=SEED)
    return tr.sort_index().reset_index(drop=True), te.sort_index().reset_index(drop=True)


# ----------------------------------------------------------------------------------------------- features for the peers
def labels(schema, df):
    pos = set(v.lower() for v in schema["label"]["positive"])
    return df[schema["label"]["column"]].str.strip().str.lower().isin(pos).astype(int).values


TOKEN_SPLIT = re.compile(r"[ ,.;:/\-&()\t\"']+")


def tokens(text):
    """Lower-cased unigrams and bigrams, the same tokens as Core's TextEncoder."""
    words = [w for w in TOKEN_SPLIT.split(text.lower()) if w]
    out = list(words)
    out += [words[i] + " " + words[i + 1] for i in range(len(words) - 1)]
    return out


class Featurizer:
    """Builds peer feature frames from the schema, with the schema's missing tokens as missing.

    numeric -> float (NaN when missing); boolean -> 1/0 (NaN when missing); categorical -> lower-cased level
    (native categorical for HistGradientBoosting via ordinal codes, one-hot for XGBoost; missing is NaN / all-zero);
    text -> binary bag of the 80 most frequent unigrams+bigrams seen >= 20 times (as our TextEncoder);
    datetime -> month, day of week, hour (and age in days vs the timestamp for non-timestamp dates).
    Columns that are ignored or not available at scoring time are left out, as in our trainer.
    """

    def __init__(self, schema, train):
        self.schema = schema
        self.missing = set(t.strip().lower() for t in schema.get("missingTokens", ["", "NA", "N/A", "null", "Select", "unknown"]))
        label = schema["label"]["column"]
        ident = schema.get("id")
        self.cols = [c for c in schema["columns"]
                     if c["name"] not in (label, ident) and c.get("type") != "ignore" and c.get("availableAtScoring", True)]
        self.levels, self.vocab = {}, {}
        for c in self.cols:
            v = self._clean(train[c["name"]])
            if c["type"] == "categorical":
                self.levels[c["name"]] = sorted(v.dropna().str.lower().unique())
            elif c["type"] == "text":
                counts = {}
                for s in v.dropna():
                    for t in set(tokens(s)):
                        counts[t] = counts.get(t, 0) + 1
                kept = sorted(((-n, t) for t, n in counts.items() if n >= 20))[:80]
                self.vocab[c["name"]] = [t for _, t in kept]

    def _clean(self, s):
        s = s.astype(str).str.strip()
        return s.where(~s.str.lower().isin(self.missing), None)

    def label(self, df):
        return labels(self.schema, df)

    def frame(self, df, onehot):
        """Returns (X, categorical mask)."""
        out, cat_mask = {}, []
        ts = self.schema.get("timestamp")
        tsv = pd.to_datetime(self._clean(df[ts]), utc=True, errors="coerce") if ts else None
        for c in self.cols:
            name, kind = c["name"], c["type"]
            v = self._clean(df[name])
            if kind == "numeric":
                out[name] = pd.to_numeric(v, errors="coerce"); cat_mask.append(False)
            elif kind == "boolean":
                lv = v.str.lower()
                t = set(w.lower() for w in c.get("trueValues") or ["yes", "true", "1", "y", "t"])
                f = set(w.lower() for w in c.get("falseValues") or ["no", "false", "0", "n", "f"])
                out[name] = np.where(lv.isin(t), 1.0, np.where(lv.isin(f), 0.0, np.nan)); cat_mask.append(False)
            elif kind == "categorical":
                levels = self.levels[name]
                lv = v.str.lower()
                if onehot:
                    for lev in levels:
                        out[f"{name}={lev}"] = (lv == lev).astype(float).values; cat_mask.append(False)
                else:
                    code = {lev: i for i, lev in enumerate(levels)}
                    out[name] = lv.map(code).astype(float).values; cat_mask.append(True)
            elif kind == "text":
                sets = v.apply(lambda s: set(tokens(s)) if s is not None else None)
                for tok in self.vocab[name]:
                    out[f"{name}~{tok}"] = sets.apply(lambda st: np.nan if st is None else float(tok in st)).values; cat_mask.append(False)
            elif kind == "datetime":
                d = pd.to_datetime(v, utc=True, errors="coerce")
                if ts and name != ts:
                    out[name + ":age_days"] = (tsv - d).dt.total_seconds().values / 86400; cat_mask.append(False)
                out[name + ":month"] = d.dt.month.astype(float).values; cat_mask.append(False)
                out[name + ":dow"] = d.dt.dayofweek.astype(float).values; cat_mask.append(False)
                out[name + ":hour"] = d.dt.hour.astype(float).values; cat_mask.append(False)
            else:
                raise ValueError(f"unknown column type {kind} for {name}")
        return pd.DataFrame(out), np.array(cat_mask)


# ----------------------------------------------------------------------------------------------- models
def peer_models(cat_mask_ord):
    """The three peers named in issue 3, with fixed seeds (library defaults otherwise)."""
    def hgb():
        return HistGradientBoostingClassifier(categorical_features=cat_mask_ord, random_state=SEED)
    return [
        ("sklearn HistGradientBoosting", False, hgb),
        # cv=5 as the issue names it: sklearn then uses StratifiedKFold WITHOUT shuffling, i.e. contiguous blocks of the
        # (time-ordered) training file, so each calibrator is fitted on a different period than its model saw.
        ("sklearn HGB + isotonic (cv=5)", False, lambda: CalibratedClassifierCV(hgb(), method="isotonic", cv=5)),
        # The same with shuffled stratified folds, as our own cross-validation folds are.
        ("sklearn HGB + isotonic (cv=5 shuf.)", False, lambda: CalibratedClassifierCV(
            hgb(), method="isotonic", cv=StratifiedKFold(5, shuffle=True, random_state=SEED))),
        ("xgboost XGBClassifier(hist)", True, lambda: XGBClassifier(tree_method="hist", random_state=SEED, n_jobs=2, eval_metric="logloss")),
    ]


def make_peer(make, onehot, mask):
    """A new unfitted peer; HistGradientBoosting (also inside the calibrator) learns the categorical codes natively."""
    model = make()
    if not onehot:
        if hasattr(model, "categorical_features"):
            model.set_params(categorical_features=mask)
        else:
            model.estimator.set_params(categorical_features=mask)
    return model


def run_ours(repo, train_csv, test_csv, schema, work, trainer="auto", truth=None):
    out = os.path.join(work, "models-" + trainer)
    before = set(os.listdir(out)) if os.path.isdir(out) else set()
    cmd = ["dotnet", "run", "-c", "Release", "--no-build", "--project", "src/Training", "--", "train",
           "--data", train_csv, "--test-data", test_csv, "--schema", schema, "--out", out, "--seed", str(SEED)]
    if trainer != "auto":
        cmd += ["--trainer", trainer]
    if truth:
        cmd += ["--truth-data", truth.data_csv, "--truth", truth.truth_csv]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=repo, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit(f"our trainer failed ({r.returncode}): {' '.join(cmd)}")
    new = [d for d in os.listdir(out) if d not in before and os.path.isfile(os.path.join(out, d, "manifest.json"))]
    if len(new) != 1:
        raise SystemExit(f"expected one new bundle in {out}, found {new}")
    with open(os.path.join(out, new[0], "manifest.json")) as f:
        manifest = json.load(f)
    return manifest, secs, " ".join(cmd)


# ----------------------------------------------------------------------------------------------- true probabilities (--truth)
def generate_truth(repo, folder):
    """Writes the independent file and its truth (lead id, true probability) with our `generate` command."""
    os.makedirs(folder, exist_ok=True)
    data_csv, truth_csv = os.path.join(folder, "leads.csv"), os.path.join(folder, "leads.truth.csv")
    cmd = ["dotnet", "run", "-c", "Release", "--no-build", "--project", "src/Training", "--", "generate",
           "--rows", str(TRUTH_ROWS), "--seed", str(TRUTH_SEED), "--out", data_csv, "--truth", truth_csv]
    r = subprocess.run(cmd, cwd=repo, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit(f"generate failed ({r.returncode}): {' '.join(cmd)}")
    return data_csv, truth_csv


class TruthSet:
    """The generated leads with their labels and true probabilities, joined by the schema's id column."""

    def __init__(self, schema, data_csv, truth_csv):
        self.data_csv, self.truth_csv = data_csv, truth_csv
        self.leads = read_raw(data_csv)
        self.y = labels(schema, self.leads)
        t = read_raw(truth_csv)
        true_p = pd.Series(t["true_probability"].astype(float).values, index=t[t.columns[0]])
        if not true_p.index.is_unique:
            raise SystemExit(f"{truth_csv}: a lead id occurs more than once")
        self.p = true_p.reindex(self.leads[schema["id"]]).values
        if np.isnan(self.p).any():
            raise SystemExit(f"{truth_csv}: no truth for lead '{self.leads[schema['id']][np.isnan(self.p)].iloc[0]}'")
        self.oracle_auc = roc_auc_score(self.y, self.p)

    def score(self, p):
        return {"auc": roc_auc_score(self.y, p), "mae": float(np.mean(np.abs(np.asarray(p, dtype=float) - self.p))),
                "oracle_auc": self.oracle_auc}

    def from_manifest(self, t):
        """Ours: the manifest's truth section (computed by our trainer on the same file), checked against this file."""
        if t["rows"] != len(self.y) or abs(t["trueProbabilityAuc"] - self.oracle_auc) > 1e-9:
            print(f"WARNING: manifest truth ({t['rows']} rows, oracle AUC {t['trueProbabilityAuc']:.6f}) does not match "
                  f"{self.data_csv} ({len(self.y)} rows, oracle AUC {self.oracle_auc:.6f})")
        return {"auc": t["modelAuc"], "mae": t["meanAbsoluteError"], "oracle_auc": t["trueProbabilityAuc"]}


def peers_on_all_rows(schema, df, truth):
    """Context, not the protocol: each peer fitted on every row of df (train + test) and judged against the truth."""
    fz = Featurizer(schema, df)
    y = fz.label(df)
    rows = []
    for name, onehot, make in peer_models(None):
        X, mask = fz.frame(df, onehot)
        model = make_peer(make, onehot, mask)
        model.fit(X, y)
        rows.append({"model": name, "truth": truth.score(model.predict_proba(fz.frame(truth.leads, onehot)[0])[:, 1])})
    return rows


def print_truth(truth, rows, all_rows):
    print(f"\n### Sample vs the true probabilities (independent file: generate --rows {TRUTH_ROWS} --seed {TRUTH_SEED}; "
          f"{len(truth.y)} leads, {truth.y.sum()} positive)")
    print("AUC = AUC of the model's probabilities against the file's labels; oracle AUC = AUC of the true probabilities; "
          "truth MAE = mean |p - true probability|. Ours from its manifest's truth section.")
    print("\n| model                                | fitted on                         | AUC    | oracle AUC | gap     | truth MAE |")
    print("|--------------------------------------|-----------------------------------|--------|------------|---------|-----------|")
    for fitted_on, rs in (("training part (the protocol)", rows), ("all rows (not the protocol)", all_rows)):
        for r in rs:
            t = r["truth"]
            print(f"| {r['model']:<36} | {fitted_on:<33} | {t['auc']:.4f} | {t['oracle_auc']:.4f}     | "
                  f"{t['oracle_auc'] - t['auc']:+.4f} | {t['mae']:.4f}    |")


# ----------------------------------------------------------------------------------------------- one data set
def fmt_row(name, m, secs):
    return f"| {name:<36} | {m['auc']:.4f} | {m['logloss']:.4f}   | {m['brier']:.4f} | {m['ece']:.4f} | {secs:8.1f} |"


def bench_dataset(repo, key, title, schema_path, train_csv, test_csv, work, repeat, truth=None):
    with open(os.path.join(repo, schema_path)) as f:
        schema = json.load(f)
    train = read_raw(train_csv); test = read_raw(test_csv)
    fz = Featurizer(schema, train)
    y_tr, y_te = fz.label(train), fz.label(test)
    rows = []

    # ours
    ours_secs, manifest, cmd = [], None, None
    for _ in range(repeat):
        manifest, s, cmd = run_ours(repo, train_csv, test_csv, os.path.join(repo, schema_path), work, truth=truth)
        ours_secs.append(s)
    p = np.array(manifest["heldOut"]["probabilities"], dtype=float)
    lab = np.array(manifest["heldOut"]["labels"], dtype=int)
    if len(lab) != len(y_te) or not np.array_equal(lab, y_te):
        print(f"WARNING: manifest heldOut labels do not match test.csv labels row for row ({len(lab)} vs {len(y_te)})")
    m = metrics(p, lab)
    m["p"] = p
    mm = manifest["metrics"]
    tr = manifest["trainer"]
    cross = {"auc": mm["rocAuc"], "logloss": mm["logLoss"], "brier": mm["brier"], "ece": mm["eceEqualWidth"]}
    rows.append({"model": f"ours ({tr['name']}, {manifest['calibration']['method']})", "ours": True, **m,
                 "fit_seconds": statistics.median(ours_secs), "all_seconds": ours_secs})
    if truth:
        rows[0]["truth"] = truth.from_manifest(manifest["truth"])

    # peers
    for name, onehot, make in peer_models(None):
        X_tr, mask = fz.frame(train, onehot)
        X_te, _ = fz.frame(test, onehot)
        secs, model = [], None
        for _ in range(repeat):
            model = make_peer(make, onehot, mask)
            t0 = time.perf_counter()
            model.fit(X_tr, y_tr)
            secs.append(time.perf_counter() - t0)
        pp = model.predict_proba(X_te)[:, 1]
        rows.append({"model": name, "ours": False, **metrics(pp, y_te), "p": pp, "fit_seconds": statistics.median(secs), "all_seconds": secs})
        if truth:
            rows[-1]["truth"] = truth.score(model.predict_proba(fz.frame(truth.leads, onehot)[0])[:, 1])

    peers = [r for r in rows if not r["ours"]]
    ours = rows[0]
    best_auc = max(peers, key=lambda r: r["auc"])
    best_ece = min(peers, key=lambda r: r["ece"])
    verdict = {
        "auc_gap": ours["auc"] - best_auc["auc"], "best_auc_peer": best_auc["model"],
        "ece_ratio": ours["ece"] / best_ece["ece"] if best_ece["ece"] > 0 else float("inf"),
        "ece_diff": ours["ece"] - best_ece["ece"], "best_ece_peer": best_ece["model"],
    }
    # Paired bootstrap over test rows: how much of the gap is noise of a single test set?
    rng = np.random.default_rng(SEED)
    po, pa, pe = ours["p"], best_auc["p"], best_ece["p"]
    auc_d, ece_d = [], []
    for _ in range(BOOT):
        i = rng.integers(0, len(y_te), len(y_te))
        auc_d.append(roc_auc_score(y_te[i], po[i]) - roc_auc_score(y_te[i], pa[i]))
        ece_d.append(ece_equal_width(po[i], y_te[i]) - ece_equal_width(pe[i], y_te[i]))
    verdict["auc_gap_ci95"] = [float(np.percentile(auc_d, 2.5)), float(np.percentile(auc_d, 97.5))]
    verdict["ece_diff_ci95"] = [float(np.percentile(ece_d, 2.5)), float(np.percentile(ece_d, 97.5))]
    verdict["auc_goal_met"] = verdict["auc_gap"] >= -0.002
    verdict["ece_goal_met"] = ours["ece"] <= best_ece["ece"]

    print(f"\n### {title}")
    print(f"train {len(train)} rows ({y_tr.sum()} positive), test {len(test)} rows ({y_te.sum()} positive); schema {schema_path}")
    print(f"ours: {tr['description'] if tr.get('description') else tr['name']} {json.dumps(tr['hyperParameters'])}; selection: {tr.get('selection','')}")
    print(f"ours: calibration {manifest['calibration']['method']}; split in manifest: {manifest['data']['split']}")
    print("\n| model                                | AUC    | log loss | Brier  | ECE    | fit s    |")
    print("|--------------------------------------|--------|----------|--------|--------|----------|")
    for r in rows:
        print(fmt_row(r["model"], r, r["fit_seconds"]))
    print(f"\nmanifest cross-check (ours, C# metrics): AUC {cross['auc']:.4f}, log loss {cross['logloss']:.4f}, "
          f"Brier {cross['brier']:.4f}, ECE {cross['ece']:.4f}")
    print(f"ours AUC - best peer AUC ({best_auc['model']}): {verdict['auc_gap']:+.4f}  -> goal (>= -0.002) "
          f"{'MET' if verdict['auc_goal_met'] else 'NOT met'}; paired bootstrap 95% interval of the gap "
          f"[{verdict['auc_gap_ci95'][0]:+.4f}, {verdict['auc_gap_ci95'][1]:+.4f}]")
    print(f"ours ECE vs best peer ECE ({best_ece['model']}): {ours['ece']:.4f} vs {best_ece['ece']:.4f} "
          f"(ratio {verdict['ece_ratio']:.2f}, diff {verdict['ece_diff']:+.4f}) -> goal (<=) {'MET' if verdict['ece_goal_met'] else 'NOT met'}; "
          f"paired bootstrap 95% interval of the diff [{verdict['ece_diff_ci95'][0]:+.4f}, {verdict['ece_diff_ci95'][1]:+.4f}]")
    print("ours fit seconds = wall time of the whole `train` command (dotnet start, load, 5-fold CV over the grid, calibration, "
          f"final fit, permutation importance, {'truth check, ' if truth else ''}bundle); peers = .fit() only.")
    print(f"ours CV timings: " + "; ".join(f"{c['candidate']} {c['seconds']}s (oof AUC {c['outOfFoldAuc']:.4f}, logloss {c['outOfFoldLogLoss']:.4f})" for c in manifest["crossValidation"]))
    imp = manifest.get("importance", [])[:6]
    print("ours top fields (test log-loss increase when permuted): " + ", ".join(f"{i['field']} {i['logLossIncrease']:.4f}" for i in imp))
    for r in rows:
        r.pop("p", None)
    return {"key": key, "title": title, "rows": rows, "manifest_metrics": cross, "verdict": verdict, "command": cmd,
            "trainer": tr, "calibration": manifest["calibration"], "cross_validation": manifest["crossValidation"],
            "train_rows": len(train), "test_rows": len(test)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", default="sample,bank,bank-noduration")
    ap.add_argument("--repeat", type=int, default=1, help="fits per model; the table shows the median fit time")
    ap.add_argument("--work", default=None, help="folder for splits and bundles (default: a new temp folder)")
    ap.add_argument("--json", default=None, help="also write all results to this JSON file")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--truth", action="store_true",
                    help=f"sample only: also judge every model against the true probabilities of `generate --seed {TRUTH_SEED}`")
    a = ap.parse_args()
    repo = os.getcwd()
    if not os.path.isfile(os.path.join(repo, "LeadPropensity.sln")):
        raise SystemExit("run from the repository root")
    work = a.work or tempfile.mkdtemp(prefix="lp-peers-")
    os.makedirs(work, exist_ok=True)
    print(f"python {sys.version.split()[0]}, scikit-learn {sklearn.__version__}, xgboost {xgboost.__version__}, "
          f"pandas {pd.__version__}, numpy {np.__version__}; work folder {work}")

    wanted = a.datasets.split(",")
    if a.truth and "sample" not in wanted:
        ap.error("--truth needs the sample data set")
    results = []
    # Each split is written once; both bank-marketing variants share one split (only the schema differs).
    if "sample" in wanted:
        d = os.path.join(work, "sample"); os.makedirs(d, exist_ok=True)
        df = read_raw("data/sample/leads.csv")
        tr, te = split_time(df, "created_at")
        tr.to_csv(os.path.join(d, "train.csv"), index=False); te.to_csv(os.path.join(d, "test.csv"), index=False)
        truth = None
        if a.truth:
            with open("data/sample/schema.json") as f:
                schema = json.load(f)
            truth = TruthSet(schema, *generate_truth(repo, os.path.join(d, "truth")))
        results.append(bench_dataset(repo, "sample", "Sample (data/sample/leads.csv, test = most recent 20% by created_at)",
                                     "data/sample/schema.json", os.path.join(d, "train.csv"), os.path.join(d, "test.csv"), d, a.repeat,
                                     truth))
        if truth:
            results[-1]["truth_all_rows"] = peers_on_all_rows(schema, df, truth)
            print_truth(truth, results[-1]["rows"], results[-1]["truth_all_rows"])
    if "bank" in wanted or "bank-noduration" in wanted:
        d = os.path.join(work, "bank"); os.makedirs(d, exist_ok=True)
        df = read_raw(BANK)
        tr, te = split_stratified(df, "output", ["yes"])
        tr.to_csv(os.path.join(d, "train.csv"), index=False); te.to_csv(os.path.join(d, "test.csv"), index=False)
        if "bank" in wanted:
            results.append(bench_dataset(repo, "bank", "Bank marketing WITH duration (leaky; stratified random 20%, seed 42)",
                                         "bench/peers/bank-marketing.schema.json", os.path.join(d, "train.csv"), os.path.join(d, "test.csv"),
                                         os.path.join(d, "with"), a.repeat))
        if "bank-noduration" in wanted:
            results.append(bench_dataset(repo, "bank-noduration", "Bank marketing WITHOUT duration (stratified random 20%, seed 42)",
                                         "bench/peers/bank-marketing.no-duration.schema.json", os.path.join(d, "train.csv"),
                                         os.path.join(d, "test.csv"), os.path.join(d, "without"), a.repeat))
    print("\n## Summary")
    for r in results:
        v = r["verdict"]
        print(f"- {r['key']}: AUC gap {v['auc_gap']:+.4f} ({'met' if v['auc_goal_met'] else 'NOT met'}), "
              f"ECE ours/best peer {v['ece_ratio']:.2f} ({'met' if v['ece_goal_met'] else 'NOT met'})")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2, default=float)
    if not a.keep and a.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
