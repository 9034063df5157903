"""Histogram and exact boosting libraries for bench/ml-boosting.ts, on the league's own matrices.

Usage: /usr/bin/python3 bench/ml_boosting.py <case dir> [--no-exact]   (meta.json + *.f64 from bench/ml.ts)
Prints one JSON object per line: {"algorithm", "version", "fit_s", "cpu_s", "rmse"} for a learner
that ran (fit_s wall, cpu_s process CPU time: on a shared machine the CPU time is the steadier one;
XGBoost adds setup_s, the part of fit_s spent building its DMatrix),
{"algorithm", "skipped"} for one whose library is missing, so a missing package costs its row only.
Every learner gets the league's least-squares boosting: start at the mean label, `nRounds` trees of
depth `maxDepth`, learning rate `learningRate`, no regularisation, no subsampling, one thread.
"""
import json
import os
import sys
import time

try:
    import numpy as np
except ImportError as err:  # every row says why, rather than a traceback
    np = None
    NUMPY_MISSING = f"{err} (Debian: apt-get install python3-numpy)"


def xgboost_hist(p, base_score):
    import xgboost as xgb

    params = {
        "tree_method": "hist",
        "nthread": 1,
        "max_depth": p["maxDepth"],
        "eta": p["learningRate"],
        "max_bin": p["maxBins"],
        "min_child_weight": p["minSamplesLeaf"],
        "lambda": 0.0,  # XGBoost's default L2 of 1 would shrink leaves; the league has none
        "base_score": base_score,  # 1.7 starts at 0.5 unless told; the league starts at the mean
        "objective": "reg:squarederror",
    }

    class Model:
        def fit(self, x, y):
            # The DMatrix is inside the timing, as the league's fit starts from the same matrix
            # (XGBoost's quantile cuts and bin index are built in train()); its share is reported.
            started = time.perf_counter()
            matrix = xgb.DMatrix(x, label=y, nthread=1)
            self.setup_s = time.perf_counter() - started
            self.booster = xgb.train(params, matrix, num_boost_round=p["nRounds"])
            return self

        def predict(self, x):
            return self.booster.predict(xgb.DMatrix(x, nthread=1))

    return Model(), xgb.__version__


def sklearn_hist(p, _base_score):
    import sklearn
    from sklearn.ensemble import HistGradientBoostingRegressor

    model = HistGradientBoostingRegressor(
        max_iter=p["nRounds"],
        max_depth=p["maxDepth"],
        learning_rate=p["learningRate"],
        max_bins=min(255, p["maxBins"]),  # its cap: 255 bins plus one for missing values
        min_samples_leaf=p["minSamplesLeaf"],
        max_leaf_nodes=None,  # depth-limited like the league, not its default of 31 leaves
        l2_regularization=0.0,
        early_stopping=False,  # "auto" would hold out 10 % above 10,000 rows
    )
    return model, sklearn.__version__


def sklearn_exact(p, _base_score):
    import sklearn
    from sklearn.ensemble import GradientBoostingRegressor

    model = GradientBoostingRegressor(n_estimators=p["nRounds"], max_depth=p["maxDepth"], learning_rate=p["learningRate"], random_state=0)
    return model, sklearn.__version__


LEARNERS = {"xgboost-hist": xgboost_hist, "sklearn-histgb": sklearn_hist, "sklearn-exact": sklearn_exact}
DEBIAN_PACKAGE = {"xgboost-hist": "python3-xgboost", "sklearn-histgb": "python3-sklearn", "sklearn-exact": "python3-sklearn"}


def load(d, name, shape):
    return np.fromfile(os.path.join(d, name), dtype="<f8").reshape(shape)


def main(d, exact):
    names = [name for name in LEARNERS if exact or name != "sklearn-exact"]
    if np is None:
        for name in names:
            print(json.dumps({"algorithm": name, "skipped": NUMPY_MISSING}), flush=True)
        return
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    n_train, n_test, cols = meta["trainRows"], meta["testRows"], meta["cols"]
    x_train, y_train = load(d, "x_train.f64", (n_train, cols)), load(d, "y_train.f64", (n_train,))
    x_test = load(d, "x_test.f64", (n_test, cols))
    last, target = load(d, "last_test.f64", (n_test,)), load(d, "target_test.f64", (n_test,))
    p = meta["params"]["gradient-boosting"]
    for name in names:
        try:
            model, version = LEARNERS[name](p, float(y_train.mean()))
        except ImportError as err:
            print(json.dumps({"algorithm": name, "skipped": f"{err} (Debian: apt-get install {DEBIAN_PACKAGE[name]})"}), flush=True)
            continue
        repeats = 1 if name == "sklearn-exact" else meta["repeats"]
        times, cpu, setup = [], [], []
        for _ in range(repeats):
            started, started_cpu = time.perf_counter(), time.process_time()
            model.fit(x_train, y_train)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            setup.append(getattr(model, "setup_s", 0.0))
        pred = last * (1 + model.predict(x_test))
        rmse = float(np.sqrt(np.mean((target - pred) ** 2)))
        line = {"algorithm": name, "version": version, "fit_s": float(np.median(times)), "cpu_s": float(np.median(cpu)), "rmse": rmse}
        if hasattr(model, "setup_s"):
            line["setup_s"] = float(np.median(setup))
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], "--no-exact" not in sys.argv[2:])
