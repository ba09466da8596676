"""Custom estimators written in Python behind the C vtable, their error
paths, and scikit-learn estimators tuned by ctune's searches."""

import os
import pickle
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402

import ctune  # noqa: E402

SEEN = {}


class NearestCentroid:
    def __init__(self, shrink=0.0, verbose=0):
        self.shrink = shrink
        self.verbose = verbose  # a name Keras-style builders may not use: fine here

    def fit(self, X, y):
        SEEN["X"], SEEN["y"], SEEN["seed"] = type(X), type(y), self.fit_seed_
        SEEN["writeable"] = X.flags.writeable
        self.mu = np.array([X[y == c].mean(axis=0) for c in range(self.n_classes_)])
        self.mu *= 1.0 - self.shrink

    def _dist(self, X):
        return ((X[:, None, :] - self.mu[None, :, :]) ** 2).sum(axis=2)

    def predict(self, X):
        return self._dist(X).argmin(axis=1)

    def predict_proba(self, X):
        d = self._dist(X)
        e = np.exp(-(d - d.min(axis=1, keepdims=True)))  # a stable softmax of -distance
        return e / e.sum(axis=1, keepdims=True)  # 2-D numpy


class Broken(NearestCentroid):
    def __init__(self, fail="fit"):
        self.fail = fail
        self.shrink = 0.0

    def fit(self, X, y):
        if self.fail == "fit":
            raise RuntimeError("Broken.fit refuses")
        super().fit(X, y)

    def predict(self, X):
        if self.fail == "predict":
            return [0]  # wrong length
        return super().predict(X)


class SlowCentroid(NearestCentroid):
    def __init__(self, shrink=0.0, delay=0.0):
        self.shrink = shrink
        self.delay = delay

    def fit(self, X, y):
        time.sleep(self.delay)
        super().fit(X, y)


class SearchTimeoutTest(unittest.TestCase):
    """timeout= of the searches: the C library's budget, shared by the dicts
    of a list; stopped_by_ says which budget ended the search."""

    @classmethod
    def setUpClass(cls):
        cls.X, cls.y = ctune.load_dataset("iris", return_X_y=True)
        cls.grid = {"shrink": [i / 100 for i in range(30)]}

    def test_timeout_ends_the_search(self):
        slow = ctune.custom_estimator(SlowCentroid, delay=0.05)
        t0 = time.monotonic()
        s = ctune.GridSearchCV(slow, self.grid, cv=2, timeout=0.3).fit(self.X, self.y)
        took = time.monotonic() - t0
        self.assertEqual(s.stopped_by_, "timeout")
        n = len(s.cv_results_["params"])
        self.assertGreaterEqual(n, 1)
        self.assertLess(n, 30)
        self.assertLess(took, 0.3 + 2.0)  # 30 x 2 fits of 50 ms unbounded: a generous bound
        self.assertIn(s.best_params_, s.cv_results_["params"])
        self.assertTrue(hasattr(s, "best_estimator_"))
        # each finished candidate scores as in an unbounded run
        full = ctune.GridSearchCV(ctune.custom_estimator(SlowCentroid), self.grid,
                                  cv=2).fit(self.X, self.y)
        self.assertEqual(full.stopped_by_, "grid")
        by_shrink = {p["shrink"]: m for p, m in zip(full.cv_results_["params"],
                                                    full.cv_results_["mean_test_score"])}
        for p, m in zip(s.cv_results_["params"], s.cv_results_["mean_test_score"]):
            self.assertEqual(m, by_shrink[p["shrink"]])
        # a list of dicts shares one budget
        two = [{"shrink": self.grid["shrink"][:15]}, {"shrink": self.grid["shrink"][15:]}]
        s = ctune.GridSearchCV(slow, two, cv=2, timeout=0.3).fit(self.X, self.y)
        self.assertEqual(s.stopped_by_, "timeout")
        self.assertLess(len(s.cv_results_["params"]), 30)
        s = ctune.RandomizedSearchCV(ctune.custom_estimator(SlowCentroid), self.grid, n_iter=3,
                                     cv=2, timeout=60, random_state=0).fit(self.X, self.y)
        self.assertEqual(s.stopped_by_, "n_iter")

    def test_bad_timeouts(self):
        est = ctune.custom_estimator(SlowCentroid)
        for bad in (0, -1, 0.0, float("nan"), float("inf"), "soon"):
            with self.assertRaises(Exception) as ctx:
                ctune.GridSearchCV(est, {"shrink": [0.0]}, cv=2, timeout=bad).fit(self.X, self.y)
            self.assertIn("timeout", str(ctx.exception))


class CustomEstimatorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.X, cls.y = ctune.load_dataset("iris", return_X_y=True)

    def test_custom_classifier_everywhere(self):
        est = ctune.custom_estimator(NearestCentroid)
        self.assertEqual(est.name, "NearestCentroid")
        self.assertEqual(est.get_params(), {"shrink": 0.0, "verbose": 0})
        self.assertGreater(est.fit(self.X, self.y).score(self.X, self.y), 0.9)
        self.assertIs(SEEN["X"], np.ndarray)  # numpy, a read-only view of the caller's X
        self.assertFalse(SEEN["writeable"])
        self.assertIs(SEEN["y"], np.ndarray)
        self.assertEqual(est.predict_proba(self.X).shape, (150, 3))
        scores = ctune.cross_val_score(est, self.X, self.y, cv=3)
        self.assertGreater(scores.mean(), 0.85)
        s = ctune.GridSearchCV(est, {"shrink": [0.0, 0.5]}, cv=3, n_jobs=2).fit(self.X, self.y)
        self.assertEqual(len(s.cv_results_["params"]), 2)
        self.assertEqual(ctune.check_estimator(est, "skip=concurrency"), [])

    def test_fit_seed(self):
        est = ctune.custom_estimator(NearestCentroid)
        est.fit(self.X, self.y)
        self.assertEqual(SEEN["seed"], 0)
        seeds = set()
        for rs in (1, 2):
            ctune.RandomizedSearchCV(est, {"shrink": ctune.uniform(0, 0.1)}, n_iter=1, cv=2,
                                     random_state=rs, refit=False).fit(self.X, self.y)
            seeds.add(SEEN["seed"])
        self.assertEqual(len(seeds), 2)  # each search derives its tasks' seeds

    def test_pickle_fitted_custom(self):
        est = ctune.custom_estimator(NearestCentroid, shrink=0.1).fit(self.X, self.y)
        back = pickle.loads(pickle.dumps(est))
        np.testing.assert_array_equal(back.predict(self.X), est.predict(self.X))
        self.assertEqual(back.get_params(), est.get_params())

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
        # error_score=nan: the failed fits score NaN and the search goes on
        s = ctune.GridSearchCV(est, {"fail": ["fit", "none"]}, cv=3).fit(self.X, self.y)
        means = s.cv_results_["mean_test_score"]
        self.assertTrue(np.isnan(means[0]))
        self.assertGreater(means[1], 0.9)
        # when every fit fails the search raises, as scikit-learn's
        with self.assertRaisesRegex(ValueError, "(?i)all (the )?3 fits failed"):
            ctune.GridSearchCV(est, {"fail": ["fit"]}, cv=3).fit(self.X, self.y)
        report = ctune.check_estimator(ctune.custom_estimator(Broken), "skip=concurrency")
        self.assertTrue(any("fit" in line for line in report))

    def test_bad_kind(self):
        with self.assertRaises(ValueError):
            ctune.custom_estimator(NearestCentroid, kind="clusterer")


class SklearnEstimatorTest(unittest.TestCase):
    def test_ctune_search_tunes_sklearn_estimators(self):
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.neighbors import KNeighborsClassifier
        X, y = ctune.load_dataset("iris", return_X_y=True)
        s = ctune.GridSearchCV(KNeighborsClassifier(), {"n_neighbors": [1, 5, 15]}, cv=3)
        s.fit(X, y)
        self.assertEqual(len(s.cv_results_["params"]), 3)
        self.assertIsInstance(s.best_estimator_, KNeighborsClassifier)
        self.assertGreater(s.best_score_, 0.9)
        # a scikit-learn estimator with a 'verbose' parameter is no Keras builder
        s = ctune.RandomizedSearchCV(LogisticRegression(max_iter=200),
                                     {"C": ctune.loguniform(0.01, 10)}, n_iter=3, cv=3,
                                     random_state=0).fit(X, y)
        self.assertEqual(len(s.cv_results_["param_C"]), 3)
        wrapped = ctune.custom_estimator(LogisticRegression(max_iter=200, verbose=0))
        self.assertGreater(ctune.cross_val_score(wrapped, X, y, cv=3).mean(), 0.9)
        self.assertEqual(ctune.custom_estimator(Ridge).fit(X, X[:, 0])._estimator_type,
                         "regressor")
        r = ctune.cross_val_score(Ridge(), X, X[:, 0], cv=3)
        self.assertEqual(r.shape, (3,))
        pipe = ctune.Pipeline([("scale", ctune.StandardScaler()), ("knn", KNeighborsClassifier())])
        self.assertGreater(pipe.fit(X, y).score(X, y), 0.9)
        from sklearn.decomposition import PCA
        pipe = ctune.Pipeline([("pca", PCA(n_components=2)),
                               ("tree", ctune.DecisionTreeClassifier())])
        self.assertGreater(pipe.fit(X, y).score(X, y), 0.9)


if __name__ == "__main__":
    unittest.main()
