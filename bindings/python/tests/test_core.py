"""Tests of the binding's core: loading, errors, input handling, params,
fitted attributes, model files."""

import os
import subprocess
import sys
import tempfile
import unittest
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402

import ctune  # noqa: E402
from ctune import _data  # noqa: E402

X = [[0, 0], [0, 1], [1, 0], [1, 1], [2, 2], [2, 3]]
Y = [3, 7, 7, 7, 3, 7]


class CoreTest(unittest.TestCase):
    def test_version(self):
        self.assertRegex(ctune.version(), r"^\d+\.\d+\.\d+$")

    def test_dummy_lists(self):
        clf = ctune.DummyClassifier(strategy="most_frequent")
        self.assertEqual(clf.get_params(), {"strategy": "most_frequent", "seed": 0})
        clf.fit(X, Y)
        np.testing.assert_array_equal(clf.classes_, [3, 7])
        self.assertIsInstance(clf.classes_, np.ndarray)
        np.testing.assert_array_equal(clf.predict(X), [7] * 6)
        proba = clf.predict_proba(X)
        self.assertEqual(proba.shape, (6, 2))
        self.assertAlmostEqual(proba[0].sum(), 1.0)
        self.assertAlmostEqual(clf.score(X, Y), 4 / 6)
        self.assertEqual(clf.n_features_in_, 2)

    def test_methods_per_kind(self):
        self.assertTrue(hasattr(ctune.DecisionTreeClassifier(), "predict_proba"))
        self.assertFalse(hasattr(ctune.DecisionTreeClassifier(), "transform"))
        self.assertFalse(hasattr(ctune.DecisionTreeRegressor(), "predict_proba"))
        self.assertFalse(hasattr(ctune.StandardScaler(), "predict"))
        self.assertTrue(hasattr(ctune.StandardScaler(), "fit_transform"))
        self.assertEqual(ctune.MLPClassifier()._estimator_type, "classifier")
        self.assertEqual(ctune.MLPRegressor()._estimator_type, "regressor")

    def test_unknown_param(self):
        with self.assertRaises(TypeError) as cm:
            ctune.DummyClassifier(strategi="prior")
        self.assertIn("strategi", str(cm.exception))
        self.assertIn("strategy", str(cm.exception))
        with self.assertRaises(ValueError) as cm:
            ctune.DummyClassifier().set_params(strategi="prior")
        self.assertIn("strategy", str(cm.exception))
        # values are checked by the C library at fit, naming the parameter
        with self.assertRaises(ctune.CtuneValueError) as cm:
            ctune.DummyClassifier(strategy="best").fit(X, Y)
        self.assertIn("strategy", str(cm.exception))

    def test_not_fitted(self):
        clf = ctune.DummyClassifier()
        for method in (clf.predict, clf.predict_proba):
            with self.assertRaises(ctune.NotFittedError) as cm:
                method(X)
            self.assertIsInstance(cm.exception, ValueError)
            self.assertIsInstance(cm.exception, AttributeError)
            self.assertIn("not fitted", str(cm.exception))
        self.assertFalse(clf.__sklearn_is_fitted__())
        self.assertFalse(hasattr(ctune.DecisionTreeClassifier(), "feature_importances_"))
        self.assertFalse(hasattr(ctune.StandardScaler(), "mean_"))

    def test_bad_input_messages(self):
        bad = np.array(X, dtype=float)
        bad[4, 1] = np.nan
        with self.assertRaises(ValueError) as cm:
            ctune.DummyClassifier().fit(bad, Y)
        self.assertIn("row 4, column 1 is NaN", str(cm.exception))
        bad[4, 1] = np.inf
        with self.assertRaisesRegex(ValueError, "infinity.*row 4, column 1 is \\+Inf"):
            ctune.DummyClassifier().fit(bad, Y)
        with self.assertRaisesRegex(ValueError, "Expected 2D array, got 1D array"):
            ctune.DummyClassifier().fit(np.arange(6.0), Y)
        with self.assertRaisesRegex(ValueError, "Complex data not supported"):
            ctune.DummyClassifier().fit(np.array(X) + 1j, Y)
        with self.assertRaisesRegex(ValueError, "0 sample"):
            ctune.DummyClassifier().fit(np.empty((0, 2)), [])
        with self.assertRaisesRegex(ValueError, "inconsistent numbers of samples"):
            ctune.DummyClassifier().fit(X, Y[:4])
        with self.assertRaisesRegex(ValueError, "Unknown label type: 'continuous'"):
            ctune.DecisionTreeClassifier().fit(X, [0.5, 1, 2, 3, 4, 5])
        with self.assertRaisesRegex(ValueError, "requires y"):
            ctune.DecisionTreeRegressor().fit(X, None)
        with self.assertRaises(ValueError):
            ctune.DummyClassifier().fit([[1, 2], [3]], [0, 1])
        fitted = ctune.DecisionTreeRegressor().fit(X, Y)
        with self.assertRaisesRegex(ValueError, "X has 3 features, but DecisionTreeRegressor is "
                                                "expecting 2 features as input"):
            fitted.predict(np.ones((2, 3)))

    def test_sparse_rejected(self):
        import scipy.sparse
        with self.assertRaisesRegex(TypeError, "sparse matrix was passed, but dense data is "
                                               "required"):
            ctune.DecisionTreeClassifier().fit(scipy.sparse.csr_matrix(np.array(X, float)), Y)

    def test_array_like_inputs(self):
        class OnlyArray:
            def __init__(self, a):
                self.a = np.asarray(a, dtype=float)

            def __array__(self, dtype=None):
                return self.a if dtype is None else self.a.astype(dtype)

        t = ctune.DecisionTreeRegressor().fit(OnlyArray(X), Y)
        np.testing.assert_array_equal(t.predict(OnlyArray(X)), t.predict(X))

    def test_strided_input_without_copy(self):
        big = np.arange(60, dtype=np.float64).reshape(10, 6)
        view = big[::2, 1:4]  # rows 2 apart, 3 contiguous columns
        self.assertIs(ctune._validation.check_X(view), view)
        d = _data.Data(view)
        self.assertIs(d._keep[0], view)
        # float32 passes as it is; columns not contiguous are copied
        f32 = np.ones((4, 3), dtype=np.float32)
        self.assertIs(ctune._validation.check_X(f32), f32)
        self.assertIsNot(ctune._validation.check_X(big[:, ::2]), big)
        t1 = ctune.DecisionTreeRegressor().fit(view, np.arange(5.0))
        t2 = ctune.DecisionTreeRegressor().fit(np.array(view), np.arange(5.0))
        np.testing.assert_array_equal(t1.predict(view), t2.predict(view))

    def test_string_and_object_labels(self):
        Xa = np.array(X, dtype=float)
        for labels in (np.array(["cat", "dog", "dog", "dog", "cat", "dog"]),
                       np.array(["cat", "dog", "dog", "dog", "cat", "dog"], dtype=object),
                       [True, False, False, False, True, False]):
            t = ctune.DecisionTreeClassifier().fit(Xa, labels)
            np.testing.assert_array_equal(t.predict(Xa), labels)
            np.testing.assert_array_equal(t.classes_, np.unique(labels))

    def test_fitted_attributes(self):
        Xi, yi = ctune.load_dataset("iris", return_X_y=True)
        t = ctune.DecisionTreeClassifier(max_depth=3).fit(Xi, yi)
        self.assertAlmostEqual(t.feature_importances_.sum(), 1.0)
        tree = t.tree_
        self.assertEqual(tree.max_depth, 3)
        self.assertEqual(tree.node_count, len(tree.children_left))
        self.assertEqual(tree.n_node_samples[0], 150)
        self.assertEqual(tree.value.shape, (tree.node_count, 1, 3))
        self.assertEqual(t.get_depth(), 3)
        s = ctune.StandardScaler().fit(Xi)
        np.testing.assert_allclose(s.mean_, Xi.mean(axis=0))
        np.testing.assert_allclose(s.var_, Xi.var(axis=0))
        np.testing.assert_allclose(s.scale_, Xi.std(axis=0))
        m = ctune.MLPClassifier(epochs=3).fit(Xi, yi)
        self.assertEqual(len(m.history_["loss"]), 3)

    def test_clone_is_unfitted(self):
        clf = ctune.DummyRegressor(strategy="median").fit(X, [1, 2, 3, 4, 5, 6])
        c = clf.clone()
        self.assertEqual(c.get_params(), clf.get_params())
        with self.assertRaises(ctune.NotFittedError):
            c.predict(X)
        self.assertAlmostEqual(clf.predict([[0, 0]])[0], 3.5)

    def test_library_log_reaches_warnings(self):
        s = ctune.RandomizedSearchCV(ctune.DecisionTreeClassifier(), {"max_depth": [1, 2]},
                                     n_iter=5, cv=3, random_state=0)
        Xi, yi = ctune.load_dataset("iris", return_X_y=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            s.fit(Xi, yi)
        self.assertTrue(any("n_iter" in str(x.message) for x in w), [str(x.message) for x in w])
        self.assertEqual(len(s.cv_results_["params"]), 2)


class IoTest(unittest.TestCase):
    def test_datasets(self):
        self.assertEqual(sorted(ctune.dataset_names()), ["breast_cancer", "digits", "iris"])
        b = ctune.load_dataset("iris", as_numpy=False)
        self.assertEqual(len(b.data), 150)
        self.assertEqual(len(b.data[0]), 4)
        self.assertEqual(b.target_names, ["setosa", "versicolor", "virginica"])
        with self.assertRaises(ValueError) as cm:
            ctune.load_dataset("irs")
        self.assertIn("iris", str(cm.exception))

    def test_csv_errors_name_line_and_column(self):
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write("a,b,target\n1,2,0\n3,abc,1\n")
        try:
            with self.assertRaises(ValueError) as cm:
                ctune.load_csv(f.name)
            self.assertIn("line 3, column 2", str(cm.exception))
        finally:
            os.unlink(f.name)

    def test_model_round_trip(self):
        Xi, yi = ctune.load_dataset("iris", return_X_y=True)
        clf = ctune.DummyClassifier(strategy="stratified", seed=3).fit(Xi, yi)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.ctm")
            ctune.save_model(clf, path)
            back = ctune.load_model(path)
            self.assertIsInstance(back, ctune.DummyClassifier)
            np.testing.assert_array_equal(back.predict(Xi), clf.predict(Xi))
            self.assertEqual(back.get_params(), clf.get_params())

    def test_class_names_reach_the_cli(self):
        Xi, yi = ctune.load_dataset("iris", return_X_y=True)
        names = np.array(["cat", "dog", "emu"])[yi]
        tree = ctune.DecisionTreeClassifier(max_depth=3).fit(Xi, names)
        with tempfile.TemporaryDirectory() as tmp:
            model, data = os.path.join(tmp, "m.ctm"), os.path.join(tmp, "x.csv")
            ctune.save_model(tree, model)
            back = ctune.load_model(model)
            np.testing.assert_array_equal(back.classes_, ["cat", "dog", "emu"])
            np.testing.assert_array_equal(back.predict(Xi), tree.predict(Xi))
            cli = os.environ.get("CTUNE_CLI")
            if not cli:
                return
            np.savetxt(data, Xi[:5], delimiter=",", header="a,b,c,d", comments="")
            out = subprocess.run([cli, "predict", "--model-file", model, "--data", data],
                                 capture_output=True, text=True, check=True).stdout
            self.assertEqual(out.split(), ["prediction"] + list(tree.predict(Xi[:5])))


if __name__ == "__main__":
    unittest.main()
