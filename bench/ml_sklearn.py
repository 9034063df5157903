"""scikit-learn side of bench/ml.ts: the same prepared data and parameters, fit timings and RMSE.

Usage: /usr/bin/python3 bench/ml_sklearn.py <dir>   (dir/<case>/meta.json + *.f64 from bench/ml.ts)
Prints one JSON object per line: {"case", "algorithm", "fit_s", "rmse"}; without numpy or
scikit-learn, one line {"algorithm": "*", "skipped": reason} instead.
Features are the league's scaled features, the label is the next return, and RMSE is computed
on prices (last * (1 + predicted return)), exactly as the TypeScript side does.
"""
import json
import os
import sys
import time

try:
    import numpy as np
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
    from sklearn.linear_model import ElasticNet
    from sklearn.tree import DecisionTreeRegressor
except ImportError as err:  # one line saying why, which bench/ml.ts prints, rather than a traceback
    print(json.dumps({"algorithm": "*", "skipped": f"{err} (Debian: apt-get install python3-sklearn)"}))
    sys.exit(0)


class StandardisedElasticNet:
    """ElasticNet on standardised X and y (population std), like the league's coordinate descent."""

    def __init__(self, alpha, l1_ratio):
        self.model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio)

    def fit(self, x, y):
        self.mx, self.sx = x.mean(0), x.std(0)
        self.sx[self.sx == 0] = 1
        self.my, self.sy = y.mean(), y.std() or 1.0
        self.model.fit((x - self.mx) / self.sx, (y - self.my) / self.sy)
        return self

    def predict(self, x):
        return self.model.predict((x - self.mx) / self.sx) * self.sy + self.my


def models(p):
    def forest(max_features):
        return RandomForestRegressor(
            n_estimators=p["random-forest"]["nTrees"],
            max_depth=p["random-forest"]["maxDepth"],
            max_features=max_features,
            bootstrap=True,
            n_jobs=1,
            random_state=p["random-forest"]["seed"],
        )

    return {
        "elasticnet": StandardisedElasticNet(p["elasticnet"]["regParam"], p["elasticnet"]["l1Ratio"]),
        "decision-tree": DecisionTreeRegressor(max_depth=p["decision-tree"]["maxDepth"], random_state=0),
        "random-forest": forest(p["random-forest"]["maxFeaturesCount"]),
        # scikit-learn's own default for regression forests: every feature at every split.
        "random-forest/all-features": forest(1.0),
        "gradient-boosting": GradientBoostingRegressor(
            n_estimators=p["gradient-boosting"]["nRounds"],
            max_depth=p["gradient-boosting"]["maxDepth"],
            learning_rate=p["gradient-boosting"]["learningRate"],
            random_state=0,
        ),
    }


def load(d, name, shape):
    return np.fromfile(os.path.join(d, name), dtype="<f8").reshape(shape)


def main(root):
    for case in sorted(os.listdir(root)):
        d = os.path.join(root, case)
        with open(os.path.join(d, "meta.json")) as f:
            meta = json.load(f)
        n_train, n_test, cols = meta["trainRows"], meta["testRows"], meta["cols"]
        x_train = load(d, "x_train.f64", (n_train, cols))
        y_train = load(d, "y_train.f64", (n_train,))
        x_test = load(d, "x_test.f64", (n_test, cols))
        last = load(d, "last_test.f64", (n_test,))
        target = load(d, "target_test.f64", (n_test,))
        for name, model in models(meta["params"]).items():
            times = []
            for _ in range(meta["repeats"]):
                started = time.perf_counter()
                model.fit(x_train, y_train)
                times.append(time.perf_counter() - started)
            pred = last * (1 + model.predict(x_test))
            rmse = float(np.sqrt(np.mean((target - pred) ** 2)))
            print(json.dumps({"case": case, "algorithm": name, "fit_s": float(np.median(times)), "rmse": rmse}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
