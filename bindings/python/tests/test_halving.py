"""Successive halving and Hyperband from Python: scikit-learn's schedule and attributes."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import ctune  # noqa: E402

try:
    import warnings
    warnings.filterwarnings("ignore")
    import numpy as np
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV as SkHalvingGrid
    from sklearn.tree import DecisionTreeClassifier as SkTree
except ImportError:  # pragma: no cover
    SkHalvingGrid = None

ATTRS = ("n_iterations_", "n_possible_iterations_", "n_required_iterations_",
         "n_remaining_candidates_", "n_resources_", "n_candidates_", "min_resources_",
         "max_resources_")


class HalvingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.X, cls.y = ctune.load_dataset("iris", return_X_y=True, as_numpy=False)

    @unittest.skipIf(SkHalvingGrid is None, "scikit-learn is not installed")
    def test_schedule_matches_sklearn(self):
        grid = {"max_depth": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]}
        for kw in ({}, {"factor": 2}, {"min_resources": "smallest"},
                   {"min_resources": "smallest", "aggressive_elimination": True}):
            ours = ctune.HalvingGridSearchCV(ctune.DecisionTreeClassifier(), grid, cv=3,
                                             **kw).fit(self.X, self.y)
            sk = SkHalvingGrid(SkTree(), grid, cv=3, **kw).fit(np.array(self.X),
                                                                np.array(self.y))
            for a in ATTRS:
                self.assertEqual(getattr(ours, a), getattr(sk, a), "%s with %s" % (a, kw))
            self.assertEqual(list(ours.cv_results_["iter"]), list(sk.cv_results_["iter"]))
            self.assertEqual(list(ours.cv_results_["n_resources"]),
                             list(sk.cv_results_["n_resources"]))

    def test_epochs_random_and_hyperband(self):
        est = ctune.MLPClassifier(nn=4, batch_size=16)
        space = {"learning_rate": ctune.loguniform(1e-3, 1e-1), "activation": ["relu", "tanh"]}
        s = ctune.HalvingRandomSearchCV(est, space, resource="epochs", max_resources=4,
                                        n_candidates=4, factor=2, random_state=3, n_jobs=2)
        s.fit(self.X, self.y)
        self.assertEqual(s.n_resources_, [1, 2, 4])
        self.assertEqual(s.n_candidates_, [4, 2, 1])
        self.assertEqual(len(s.cv_results_["params"]), 7)
        self.assertEqual(s.cv_results_["params"][-1]["epochs"], 4)
        self.assertEqual(s.best_params_["epochs"], 4)
        self.assertGreater(s.score(self.X, self.y), 0.3)
        hb = ctune.HyperbandSearchCV(est, space, max_epochs=4, factor=2, random_state=3)
        hb.fit(self.X, self.y)
        self.assertEqual(hb.n_iterations_, 3)  # brackets
        self.assertEqual(int(max(hb.cv_results_["n_resources"])), 4)
        self.assertIn("bracket", hb.cv_results_)

    def test_bad_options(self):
        est = ctune.DecisionTreeClassifier()
        for kw, word in (({"factor": 1}, "factor"), ({"resource": "nope", "max_resources": 3},
                                                     "resource"),
                         ({"min_resources": 10, "max_resources": 5, "resource": "max_depth"},
                          "resource")):
            with self.assertRaises(ValueError) as cm:
                ctune.HalvingGridSearchCV(est, {"min_samples_leaf": [1, 2]}, **kw).fit(self.X,
                                                                                        self.y)
            self.assertIn(word, str(cm.exception))
        with self.assertRaises(ValueError):
            ctune.HalvingGridSearchCV(est, {"max_depth": [1]}, resource="a, b=2").fit(self.X,
                                                                                     self.y)


if __name__ == "__main__":
    unittest.main()
