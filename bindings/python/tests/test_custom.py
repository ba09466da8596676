"""Custom estimators written in Python behind the C vtable, and their error paths."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import ctune  # noqa: E402


class NearestCentroid:
    def __init__(self, shrink=0.0):
        self.shrink = shrink

    def fit(self, X, y):
        d = len(X[0])
        self.mu = []
        for c in range(self.n_classes_):
            rows = [x for x, t in zip(X, y) if int(t) == c]
            self.mu.append([sum(r[j] for r in rows) / len(rows) for j in range(d)])

    def _dist(self, x):
        return [sum((a - b) ** 2 for a, b in zip(x, m)) for m in self.mu]

    def predict(self, X):
        return [min(range(len(self.mu)), key=lambda c: self._dist(x)[c]) for x in X]

    def predict_proba(self, X):
        out = []
        for x in X:
            dist = self._dist(x)
            e = [pow(2.718281828459045, min(dist) - v) for v in dist]
            s = sum(e)
            out.append([v / s for v in e])
        return out


class Broken(NearestCentroid):
    def __init__(self, fail="fit"):
        self.fail = fail

    def fit(self, X, y):
        if self.fail == "fit":
            raise RuntimeError("Broken.fit refuses")
        super().fit(X, y)

    def predict(self, X):
        if self.fail == "predict":
            return [0]  # wrong length
        return super().predict(X)


class CustomEstimatorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.X, cls.y = ctune.load_dataset("iris", return_X_y=True, as_numpy=False)

    def test_custom_classifier_everywhere(self):
        est = ctune.custom_estimator(NearestCentroid)
        self.assertEqual(est.name, "NearestCentroid")
        self.assertEqual(est.get_params(), {"shrink": 0.0})
        self.assertGreater(est.fit(self.X, self.y).score(self.X, self.y), 0.9)
        scores = ctune.cross_val_score(est, self.X, self.y, cv=3)
        self.assertGreater(sum(scores) / 3, 0.85)
        s = ctune.GridSearchCV(est, {"shrink": [0.0, 0.5]}, cv=3, n_jobs=2).fit(self.X, self.y)
        self.assertEqual(len(s.cv_results_["params"]), 2)
        self.assertEqual(ctune.check_estimator(est, "skip=concurrency"), [])
        # several scorers, the best picked by the one refit names
        s = ctune.GridSearchCV(est, {"shrink": [0.0, 0.5]}, cv=3, scoring="accuracy|f1_macro",
                               refit="f1_macro").fit(self.X, self.y)
        self.assertIn("mean_test_f1_macro", s.cv_results_)
        self.assertIsNotNone(s.best_estimator_)
        # a scoring value is scorer names only, never more options
        with self.assertRaises(ValueError):
            ctune.GridSearchCV(est, {"shrink": [0.0]}, scoring="accuracy, n_jobs=2").fit(self.X,
                                                                                        self.y)

    def test_error_paths(self):
        est = ctune.custom_estimator(Broken)
        with self.assertRaises(RuntimeError) as cm:
            est.fit(self.X, self.y)
        self.assertIn("Broken.fit refuses", str(cm.exception))
        est.set_params(fail="predict")
        est.fit(self.X, self.y)
        with self.assertRaises(ValueError) as cm:
            est.predict(self.X)
        self.assertIn("predict returned 1 values", str(cm.exception))
        with self.assertRaises(ValueError):
            est.set_params(nope=1)
        # in a search with error_score=nan the failed fits score NaN and it goes on
        s = ctune.GridSearchCV(est, {"fail": ["fit", "none"]}, cv=3).fit(self.X, self.y)
        means = s.cv_results_["mean_test_score"]
        self.assertTrue(means[0] != means[0])  # NaN for fail=fit
        self.assertGreater(means[1], 0.9)
        # the conformance kit names the broken check
        report = ctune.check_estimator(ctune.custom_estimator(Broken), "skip=concurrency")
        self.assertTrue(any("fit" in line for line in report))

    def test_bad_kind(self):
        with self.assertRaises(ValueError):
            ctune.custom_estimator(NearestCentroid, kind="clusterer")


if __name__ == "__main__":
    unittest.main()
