"""The scikit-learn / Keras surface of the binding."""

import os
import sys
import traceback
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))

import ctune  # noqa: E402
from ctune import Dense, KerasClassifier, Sequential  # noqa: E402


def create_model(optimizer="adam", activation="relu", nl=1, nn=16, meta=None):
    model = Sequential()
    for _ in range(nl):
        model.add(Dense(nn, activation=activation))
    if meta["n_classes_"] == 2:
        model.add(Dense(1, activation="sigmoid"))
        loss = "binary_crossentropy"
    else:
        model.add(Dense(meta["n_classes_"], activation="softmax"))
        loss = "sparse_categorical_crossentropy"
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


class BuilderError(Exception):
    pass


def failing_model(nn=16):
    raise BuilderError("no model for nn=%d" % nn)


class SklearnSurfaceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.X, cls.y = ctune.load_dataset("iris", return_X_y=True, as_numpy=False)

    def test_python_build_fn(self):
        clf = KerasClassifier(build_fn=create_model, epochs=40, batch_size=8, nn=8,
                              optimizer="adam")
        p = clf.get_params()
        self.assertEqual((p["epochs"], p["batch_size"], p["nn"]), (40, 8, 8))
        self.assertGreater(clf.fit(self.X, self.y).score(self.X, self.y), 0.85)
        proba = clf.predict_proba(self.X)
        self.assertEqual(len(proba[0]), 3)
        self.assertAlmostEqual(sum(proba[0]), 1.0, places=9)
        self.assertEqual(sorted(set(clf.predict(self.X))), [0.0, 1.0, 2.0])

    def test_unknown_builder_param(self):
        with self.assertRaises(ValueError) as cm:
            KerasClassifier(build_fn=create_model, nnn=3)
        self.assertIn("nnn", str(cm.exception))
        self.assertIn("nn", str(cm.exception))

    def test_failing_builder_reraises_with_traceback(self):
        clf = KerasClassifier(build_fn=failing_model)
        try:  # (assertRaises drops the traceback)
            clf.fit(self.X, self.y)
            self.fail("fit did not raise")
        except BuilderError as exc:
            tb = "".join(traceback.format_tb(exc.__traceback__))
            msg = str(exc)
        self.assertIn("failing_model", tb)
        self.assertIn("no model for nn=16", msg)
        # inside a search, error_score=nan keeps going, and when every fit
        # failed the search raises naming the first error (as scikit-learn);
        # error_score="raise" re-raises the Python error
        s = ctune.GridSearchCV(clf, {"nn": [4, 8]}, cv=3, refit=False)
        with self.assertRaises(ValueError) as cm:
            s.fit(self.X, self.y)
        self.assertIn("all 6 fits failed; first error: split 0: ", str(cm.exception))
        self.assertIn("no model for nn=4", str(cm.exception))
        s = ctune.GridSearchCV(clf, {"nn": [4, 8]}, cv=3, refit=False, error_score="raise")
        with self.assertRaises(BuilderError):
            s.fit(self.X, self.y)

    def test_cross_val_score_and_searches(self):
        tree = ctune.DecisionTreeClassifier(seed=0)
        scores = ctune.cross_val_score(tree, self.X, self.y, cv=5)
        self.assertEqual(len(scores), 5)
        self.assertGreater(sum(scores) / 5, 0.9)
        s = ctune.RandomizedSearchCV(tree, {"max_depth": [1, 2, 3, None],
                                            "min_samples_leaf": ctune.randint(1, 5)},
                                     n_iter=6, cv=3, random_state=1).fit(self.X, self.y)
        self.assertEqual(len(s.cv_results_["params"]), 6)
        self.assertIn("mean_test_score", s.cv_results_)
        self.assertIn(s.best_params_["max_depth"], (1, 2, 3, None))
        self.assertAlmostEqual(s.best_score_, max(v for v in s.cv_results_["mean_test_score"]))
        self.assertGreater(s.score(self.X, self.y), 0.9)
        g = ctune.GridSearchCV(ctune.MLPClassifier(epochs=20, batch_size=16),
                               {"nn": [4, 16], "activation": ["relu", "tanh"]}, cv=3,
                               n_jobs=2).fit(self.X, self.y)
        self.assertEqual(len(g.cv_results_["params"]), 4)
        self.assertEqual(g.best_estimator_.predict(self.X[:3])[0], 0.0)

    def test_tpe_search(self):
        tree = ctune.DecisionTreeClassifier(seed=0)
        space = {"max_depth": [1, 2, 3, None], "min_samples_leaf": ctune.randint(1, 9)}
        runs = [ctune.TPESearchCV(tree, space, n_trials=9, n_startup_trials=3, batch=2,
                                  random_state=4, n_jobs=jobs).fit(self.X, self.y)
                for jobs in (1, 2)]
        for s in runs:
            self.assertEqual(len(s.cv_results_["params"]), 9)
            self.assertAlmostEqual(s.best_score_, max(s.cv_results_["mean_test_score"]))
        self.assertEqual(runs[0].cv_results_["params"], runs[1].cv_results_["params"])
        self.assertEqual(runs[0].cv_results_["mean_test_score"],
                         runs[1].cv_results_["mean_test_score"])
        self.assertGreater(runs[0].score(self.X, self.y), 0.9)
        with self.assertRaises(ctune.CtuneValueError) as cm:
            ctune.TPESearchCV(tree, {}, n_trials=5).fit(self.X, self.y)
        self.assertIn("search space is empty", str(cm.exception))
        with self.assertRaises(ctune.CtuneValueError) as cm:
            ctune.TPESearchCV(tree, space, n_trials=5, batch=0).fit(self.X, self.y)
        self.assertIn("batch", str(cm.exception))
        with self.assertRaises(ValueError):
            ctune.TPESearchCV(tree, space, n_trials=0).fit(self.X, self.y)

    def test_pipeline_params(self):
        pipe = ctune.Pipeline([("scaler", ctune.StandardScaler()),
                               ("mlp", ctune.MLPClassifier(epochs=5))])
        self.assertIn("mlp__nn", pipe.get_params())
        pipe.set_params(mlp__nn=8, scaler__with_mean=False)
        self.assertEqual(pipe.get_params()["mlp__nn"], 8)
        with self.assertRaises(ValueError):
            pipe.set_params(svm__C=1.0)

    def test_lecture_script(self):
        import lecture
        self.assertGreater(lecture.main(), 0.95)


if __name__ == "__main__":
    unittest.main()
