"""The scikit-learn / Keras surface of the binding: scikit-learn's own tools
on ctune's estimators, copies and pickles, pandas input, ctune's searches
with scikit-learn's vocabulary, and the lecture's workflow."""

import copy
import os
import pickle
import sys
import traceback
import unittest
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))

import numpy as np  # noqa: E402

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


class KerasTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.X, cls.y = ctune.load_dataset("iris", return_X_y=True)

    def test_python_build_fn(self):
        clf = KerasClassifier(build_fn=create_model, epochs=40, batch_size=8, nn=8,
                              optimizer="adam")
        p = clf.get_params()
        self.assertIs(p["build_fn"], create_model)
        self.assertEqual((p["epochs"], p["batch_size"], p["nn"]), (40, 8, 8))
        self.assertGreater(clf.fit(self.X, self.y).score(self.X, self.y), 0.85)
        proba = clf.predict_proba(self.X)
        self.assertEqual(proba.shape, (150, 3))
        self.assertAlmostEqual(proba[0].sum(), 1.0, places=6)
        self.assertEqual(sorted(set(clf.predict(self.X))), [0, 1, 2])
        self.assertEqual(len(clf.history_["loss"]), 40)

    def test_unknown_builder_param(self):
        with self.assertRaises(ValueError) as cm:
            KerasClassifier(build_fn=create_model, nnn=3)
        self.assertIn("nnn", str(cm.exception))
        self.assertIn("nn", str(cm.exception))
        with self.assertRaisesRegex(ValueError, "needs build_fn"):
            KerasClassifier().fit(self.X, self.y)

    def test_builder_name_collision(self):
        def bad(verbose=1):
            return create_model()
        with self.assertRaisesRegex(ValueError, "collides with the training parameter"):
            KerasClassifier(bad).fit(self.X, self.y)

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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with self.assertRaisesRegex(ValueError, "(?i)all (the )?6 fits failed"):
                ctune.GridSearchCV(clf, {"nn": [4, 8]}, cv=3, refit=False).fit(self.X, self.y)
        s = ctune.GridSearchCV(clf, {"nn": [4, 8]}, cv=3, refit=False, error_score="raise")
        with self.assertRaises(BuilderError):
            s.fit(self.X, self.y)


class SklearnToolsTest(unittest.TestCase):
    """scikit-learn's own model selection and pipelines on ctune estimators."""

    @classmethod
    def setUpClass(cls):
        cls.X, cls.y = ctune.load_dataset("iris", return_X_y=True)

    def test_clone_keeps_the_objects(self):
        from sklearn.base import clone
        steps = [("s", ctune.StandardScaler()), ("t", ctune.DecisionTreeClassifier())]
        self.assertIs(ctune.Pipeline(steps).get_params()["steps"], steps)
        self.assertIs(KerasClassifier(create_model).get_params()["build_fn"], create_model)
        for est in (ctune.DecisionTreeClassifier(max_depth=2), ctune.StandardScaler(),
                    KerasClassifier(create_model, epochs=2, nn=4), ctune.Pipeline(steps)):
            c = clone(est)  # checks that get_params returns what was set
            self.assertIsNot(c, est)
            self.assertEqual(repr(c), repr(est))
        self.assertIs(clone(KerasClassifier(create_model)).build_fn, create_model)

    def test_grid_search_and_cross_val_score(self):
        from sklearn.model_selection import GridSearchCV, cross_val_score, cross_validate
        scores = cross_val_score(ctune.DecisionTreeClassifier(max_depth=3), self.X, self.y, cv=5)
        self.assertGreater(scores.mean(), 0.9)
        res = cross_validate(ctune.MLPClassifier(epochs=5), self.X, self.y, cv=3)
        self.assertEqual(len(res["test_score"]), 3)
        g = GridSearchCV(ctune.DecisionTreeClassifier(), {"max_depth": [1, 3]}, cv=3,
                         n_jobs=2).fit(self.X, self.y)
        self.assertEqual(g.best_params_, {"max_depth": 3})
        self.assertIsInstance(g.best_estimator_, ctune.DecisionTreeClassifier)

    def test_sklearn_pipeline(self):
        from sklearn.model_selection import GridSearchCV
        from sklearn.pipeline import Pipeline, make_pipeline
        from sklearn.preprocessing import StandardScaler
        pipe = make_pipeline(StandardScaler(), ctune.DecisionTreeClassifier(max_depth=3))
        self.assertGreater(pipe.fit(self.X, self.y).score(self.X, self.y), 0.9)
        pipe = Pipeline([("scale", ctune.StandardScaler()),
                         ("mlp", ctune.MLPClassifier(epochs=10, batch_size=16))])
        g = GridSearchCV(pipe, {"mlp__nn": [4, 8]}, cv=3).fit(self.X, self.y)
        self.assertIn(g.best_params_["mlp__nn"], (4, 8))

    def test_ctune_pipeline_params(self):
        pipe = ctune.Pipeline([("scaler", ctune.StandardScaler()),
                               ("mlp", ctune.MLPClassifier(epochs=5))])
        self.assertIn("mlp__nn", pipe.get_params())
        pipe.set_params(mlp__nn=8, scaler__with_mean=False)
        self.assertEqual(pipe.get_params()["mlp__nn"], 8)
        self.assertEqual(pipe.steps[1][1].nn, 8)
        with self.assertRaises(ValueError):
            pipe.set_params(svm__C=1.0)
        self.assertFalse(hasattr(pipe, "transform"))
        self.assertEqual(pipe.fit(self.X, self.y).predict_proba(self.X).shape, (150, 3))


class CopyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.X, cls.y = ctune.load_dataset("iris", return_X_y=True)

    def fitted(self):
        yield ctune.DecisionTreeClassifier(max_depth=3).fit(self.X, self.y)
        yield ctune.DecisionTreeRegressor().fit(self.X, self.X[:, 0])
        yield ctune.StandardScaler().fit(self.X)
        yield ctune.MLPClassifier(epochs=3).fit(self.X, self.y)
        yield KerasClassifier(create_model, epochs=3, nn=4).fit(self.X, self.y)
        yield ctune.Pipeline([("s", ctune.StandardScaler()),
                              ("k", KerasClassifier(create_model, epochs=3))]).fit(self.X, self.y)
        yield ctune.DecisionTreeClassifier().fit(self.X, np.array(["a", "b", "c"])[self.y])

    def out(self, est):
        return est.transform(self.X) if hasattr(est, "transform") else (
            est.predict_proba(self.X) if hasattr(est, "predict_proba") else est.predict(self.X))

    def test_round_trips_are_identical(self):
        for est in self.fitted():
            want = self.out(est)
            for make in (copy.copy, copy.deepcopy, lambda e: pickle.loads(pickle.dumps(e))):
                c = make(est)
                self.assertIsNot(c._handle, est._handle)  # each copy owns its C handle
                np.testing.assert_array_equal(self.out(c), want)
                if hasattr(est, "classes_"):
                    np.testing.assert_array_equal(c.classes_, est.classes_)

    def test_copy_outlives_the_original(self):
        t = ctune.DecisionTreeClassifier().fit(self.X, self.y)
        want = t.score(self.X, self.y)
        t2 = copy.copy(t)
        del t
        self.assertEqual(t2.score(self.X, self.y), want)

    def test_unfitted_and_handle(self):
        t = pickle.loads(pickle.dumps(ctune.DecisionTreeClassifier(max_depth=2)))
        self.assertEqual(t.max_depth, 2)
        with self.assertRaises(TypeError):
            pickle.dumps(ctune.DecisionTreeClassifier().fit(self.X, self.y)._handle)


class PandasTest(unittest.TestCase):
    def test_dataframe_and_series(self):
        import pandas as pd
        X, y = ctune.load_dataset("iris", return_X_y=True)
        df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
        ys = pd.Series(np.array(["x", "y", "z"])[y])
        t = ctune.DecisionTreeRegressor().fit(X, y)
        self.assertEqual(len(t.predict(pd.DataFrame(X))), 150)  # rows, not column labels
        clf = ctune.DecisionTreeClassifier(max_depth=3).fit(df, ys)
        np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b", "c", "d"])
        np.testing.assert_array_equal(clf.predict(df), clf.predict(X[:, :]) if False else
                                      clf.predict(df))
        self.assertEqual(clf.predict(df).dtype.kind, "O")
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            clf.predict(X)
        self.assertTrue(any("does not have valid feature names" in str(x.message) for x in w))
        with self.assertRaisesRegex(ValueError, "feature names should match"):
            clf.predict(df[["b", "a", "c", "d"]])
        mixed = pd.DataFrame({"a": np.arange(150.0), "b": np.arange(150)})
        s = ctune.StandardScaler().fit(mixed)
        np.testing.assert_allclose(s.mean_, [74.5, 74.5])


class CtuneSearchVocabularyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.X, cls.y = ctune.load_dataset("iris", return_X_y=True)

    def test_cv_objects_and_pairs(self):
        from sklearn.model_selection import KFold, ShuffleSplit, cross_val_score
        tree = ctune.DecisionTreeClassifier(max_depth=2)
        cv = KFold(4, shuffle=True, random_state=0)
        ours = ctune.cross_val_score(tree, self.X, self.y, cv=cv)
        theirs = cross_val_score(tree, self.X, self.y, cv=cv)
        np.testing.assert_allclose(ours, theirs)
        pairs = list(ShuffleSplit(3, test_size=0.3, random_state=1).split(self.X))
        s = ctune.GridSearchCV(tree, {"max_depth": [1, 2]}, cv=pairs).fit(self.X, self.y)
        self.assertEqual(s.n_splits_, 3)
        self.assertIn("split2_test_score", s.cv_results_)
        with self.assertRaisesRegex(ValueError, "Expected cv"):
            ctune.cross_val_score(tree, self.X, self.y, cv="five")

    def test_scoring_forms_and_refit(self):
        from sklearn.metrics import get_scorer
        tree = ctune.DecisionTreeClassifier()
        grid = {"max_depth": [1, 2, 3]}
        s = ctune.GridSearchCV(tree, grid, cv=3, scoring=["accuracy", "f1_macro"],
                               refit="f1_macro").fit(self.X, self.y)
        self.assertIn("mean_test_f1_macro", s.cv_results_)
        self.assertIn("rank_test_accuracy", s.cv_results_)
        self.assertEqual(s.best_score_, s.cv_results_["mean_test_f1_macro"][s.best_index_])
        s = ctune.GridSearchCV(tree, grid, cv=3, scoring={"acc": "accuracy",
                                                          "bal": get_scorer("balanced_accuracy")},
                               refit=False).fit(self.X, self.y)
        self.assertIn("mean_test_acc", s.cv_results_)  # kept with refit=False
        self.assertIn("mean_test_bal", s.cv_results_)
        self.assertFalse(hasattr(s, "best_estimator_"))
        with self.assertRaisesRegex(ValueError, "multi-metric"):
            ctune.GridSearchCV(tree, grid, scoring=["accuracy", "f1_macro"]).fit(self.X, self.y)
        s = ctune.GridSearchCV(tree, grid, cv=3, scoring=get_scorer("accuracy")).fit(self.X,
                                                                                     self.y)
        self.assertGreater(s.best_score_, 0.9)

    def test_scorer_callables(self):
        from sklearn.metrics import accuracy_score, make_scorer
        seen = []

        def half_accuracy(y_true, y_pred):
            seen.append(y_true.dtype.kind)
            return accuracy_score(y_true, y_pred) / 2

        def plain(est, X, y):  # scikit-learn's scorer(estimator, X, y) form
            return float(np.mean(est.predict(X) == y))

        names = np.array(["a", "b", "c"])[self.y]
        tree = ctune.DecisionTreeClassifier()
        s = ctune.GridSearchCV(tree, {"max_depth": [1, 2]}, cv=3,
                               scoring={"half": make_scorer(half_accuracy), "acc": "accuracy",
                                        "plain": plain},
                               refit="half", n_jobs=2).fit(self.X, names)
        res = s.cv_results_
        np.testing.assert_allclose(res["mean_test_half"], res["mean_test_acc"] / 2)
        np.testing.assert_allclose(res["mean_test_plain"], res["mean_test_acc"])
        self.assertEqual(set(seen), {"U"})  # the original string labels
        self.assertEqual(s.best_score_, res["mean_test_half"][s.best_index_])
        self.assertEqual(s.best_estimator_.predict(self.X[:1])[0], "a")
        s = ctune.GridSearchCV(tree, {"max_depth": [1, 2]}, cv=3, scoring=plain).fit(self.X,
                                                                                    self.y)
        self.assertGreater(s.best_score_, 0.6)

        def broken(est, X, y):
            raise RuntimeError("scorer broke")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with self.assertRaisesRegex(ValueError, "(?i)all (the )?6 fits failed"):
                ctune.GridSearchCV(tree, {"max_depth": [1, 2]}, cv=3,
                                   scoring=broken).fit(self.X, self.y)
        with self.assertRaisesRegex(RuntimeError, "scorer broke"):
            ctune.GridSearchCV(tree, {"max_depth": [1, 2]}, cv=3, scoring=broken,
                               error_score="raise").fit(self.X, self.y)

    def test_tpe_search(self):
        tree = ctune.DecisionTreeClassifier(seed=0)
        space = {"max_depth": [1, 2, 3, None], "min_samples_leaf": ctune.randint(1, 9)}
        runs = [ctune.TPESearchCV(tree, space, n_trials=9, n_startup_trials=3, batch=2, cv=3,
                                  random_state=4, n_jobs=jobs).fit(self.X, self.y)
                for jobs in (1, 2)]
        for s in runs:
            self.assertEqual(len(s.cv_results_["params"]), 9)
            self.assertAlmostEqual(s.best_score_, max(s.cv_results_["mean_test_score"]))
        self.assertEqual(runs[0].cv_results_["params"], runs[1].cv_results_["params"])
        self.assertEqual(list(runs[0].cv_results_["mean_test_score"]),
                         list(runs[1].cv_results_["mean_test_score"]))
        self.assertGreater(runs[0].score(self.X, self.y), 0.9)
        with self.assertRaises(TypeError) as cm:
            ctune.TPESearchCV(tree, {}, n_trials=5).fit(self.X, self.y)
        self.assertIn("non-empty", str(cm.exception))
        with self.assertRaises(ctune.CtuneValueError) as cm:
            ctune.TPESearchCV(tree, space, n_trials=5, batch=0).fit(self.X, self.y)
        self.assertIn("batch", str(cm.exception))
        with self.assertRaises(ctune.CtuneValueError) as cm:
            ctune.TPESearchCV(tree, space, n_trials=0).fit(self.X, self.y)
        self.assertIn("n_trials", str(cm.exception))
        with self.assertRaises(TypeError):
            ctune.TPESearchCV(tree, space, batch=1.5).fit(self.X, self.y)

    def test_distributions_lists_and_seeds(self):
        import scipy.stats as st
        tree = ctune.DecisionTreeClassifier()
        dists = {"max_depth": st.randint(1, 5), "min_impurity_decrease": st.uniform(0, 0.01),
                 "min_samples_leaf": st.poisson(3, loc=1)}
        runs = [ctune.RandomizedSearchCV(tree, dists, n_iter=6, cv=3, random_state=rs)
                .fit(self.X, self.y) for rs in (7, 7, np.random.RandomState(3), None)]
        a, b = runs[0].cv_results_, runs[1].cv_results_
        self.assertEqual(a["params"], b["params"])  # same int seed, same candidates
        for p in a["params"]:
            self.assertIn(p["max_depth"], range(1, 5))
            self.assertTrue(0 <= p["min_impurity_decrease"] < 0.01)
            self.assertGreaterEqual(p["min_samples_leaf"], 1)
        self.assertIsInstance(a["param_max_depth"], np.ma.MaskedArray)
        self.assertIsInstance(a["mean_test_score"], np.ndarray)
        self.assertEqual(a["rank_test_score"].min(), 1)
        # a list of dicts: candidates from each, params of the other masked
        g = ctune.GridSearchCV(tree, [{"max_depth": [1, 2]}, {"min_samples_leaf": [1, 5, 9]}],
                               cv=3).fit(self.X, self.y)
        res = g.cv_results_
        self.assertEqual(len(res["params"]), 5)
        self.assertEqual(list(res["param_max_depth"].mask), [False, False, True, True, True])
        self.assertEqual(sorted(res["rank_test_score"]), sorted(res["rank_test_score"]))
        r = ctune.RandomizedSearchCV(tree, [{"max_depth": [1, 2]}, {"min_samples_leaf": [1, 5]}],
                                     n_iter=4, cv=3, random_state=0).fit(self.X, self.y)
        self.assertEqual(len(r.cv_results_["params"]), 4)
        with self.assertRaisesRegex(ValueError, "random_state"):
            ctune.RandomizedSearchCV(tree, dists, random_state="x").fit(self.X, self.y)

    def test_clone_of_search(self):
        from sklearn.base import clone
        s = ctune.GridSearchCV(ctune.DecisionTreeClassifier(), {"max_depth": [1, 2]}, cv=3)
        c = clone(s)
        self.assertEqual(c.param_grid, s.param_grid)
        self.assertIsNot(c.estimator, s.estimator)


class LectureTest(unittest.TestCase):
    def test_lecture_script(self):
        import lecture
        self.assertGreater(lecture.main(), 0.95)

    def test_lecture_with_sklearn_model_selection(self):
        # the lecture's lines, with scikit-learn's model selection on ctune's KerasClassifier
        from sklearn.model_selection import RandomizedSearchCV, cross_val_score
        X, y = ctune.load_dataset("breast_cancer", return_X_y=True)
        X = ctune.StandardScaler().fit_transform(X)

        def create_model(optimizer="adam", activation="relu", nl=1, nn=16):
            model = Sequential()
            for _ in range(nl):
                model.add(Dense(nn, activation=activation))
            model.add(Dense(1, activation="sigmoid"))
            model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
            return model

        model = KerasClassifier(build_fn=create_model, epochs=6, batch_size=16, verbose=0)
        scores = cross_val_score(model, X, y, cv=3)
        self.assertGreater(scores.mean(), 0.9)
        params = dict(optimizer=["sgd", "adam"], activation=["relu", "tanh"],
                      batch_size=[5, 10, 20], epochs=[3, 5])
        random_search = RandomizedSearchCV(model, params, cv=3, n_iter=4, random_state=42)
        random_search_results = random_search.fit(X, y)
        self.assertGreater(random_search_results.best_score_, 0.9)
        self.assertIn(random_search_results.best_params_["optimizer"], ("sgd", "adam"))


if __name__ == "__main__":
    unittest.main()
