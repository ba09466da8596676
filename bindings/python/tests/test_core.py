"""Tests of the ctypes binding's core: loading, errors, data, params, estimators."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import ctune  # noqa: E402

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

X = [[0, 0], [0, 1], [1, 0], [1, 1], [2, 2], [2, 3]]
Y = [3, 7, 7, 7, 3, 7]


class CoreTest(unittest.TestCase):
    def test_version(self):
        self.assertRegex(ctune.version(), r"^\d+\.\d+\.\d+$")

    def test_dummy_lists(self):
        clf = ctune.DummyClassifier(strategy="most_frequent")
        self.assertEqual(clf.get_params()["strategy"], "most_frequent")
        clf.fit(X, Y)
        self.assertEqual(clf.classes_, [3, 7])
        self.assertEqual(clf.predict(X), [7.0] * 6)
        proba = clf.predict_proba(X)
        self.assertEqual(len(proba), 6)
        self.assertAlmostEqual(sum(proba[0]), 1.0)
        self.assertAlmostEqual(clf.score(X, Y), 4 / 6)

    def test_unknown_param_is_value_error(self):
        clf = ctune.DummyClassifier()
        with self.assertRaises(ValueError) as cm:
            clf.set_params(strategi="prior")
        self.assertIn("unknown parameter 'strategi'", str(cm.exception))
        self.assertIn("strategy", str(cm.exception))
        self.assertIsInstance(cm.exception, ctune.CtuneError)

    def test_predict_before_fit_is_state_error(self):
        clf = ctune.DummyClassifier()
        with self.assertRaises(ctune.CtuneError) as cm:
            clf.predict(X)
        self.assertNotIsInstance(cm.exception, ValueError)
        self.assertIn("not fitted", str(cm.exception))

    def test_nan_rejected_with_row(self):
        bad = [r[:] for r in X]
        bad[4][1] = float("nan")
        with self.assertRaises(ValueError) as cm:
            ctune.DummyClassifier().fit(bad, Y)
        self.assertIn("row 4, column 1 is NaN", str(cm.exception))

    def test_ragged_rows(self):
        with self.assertRaises(ValueError):
            ctune.DummyClassifier().fit([[1, 2], [3]], [0, 1])

    def test_clone_is_unfitted(self):
        clf = ctune.DummyRegressor(strategy="median").fit(X, [1, 2, 3, 4, 5, 6])
        c = clf.clone()
        self.assertEqual(c.get_params(), clf.get_params())
        with self.assertRaises(ctune.CtuneError):
            c.predict(X)
        self.assertAlmostEqual(clf.predict([[0, 0]])[0], 3.5)

    @unittest.skipIf(np is None, "numpy not installed")
    def test_numpy_zero_copy_float32_and_float64(self):
        for dt in (np.float32, np.float64):
            Xa = np.array(X, dtype=dt)
            ya = np.array(Y, dtype=np.float64)
            clf = ctune.DummyClassifier(strategy="prior").fit(Xa, ya)
            p = clf.predict(Xa)
            self.assertEqual(p.shape, (6,))
            self.assertTrue((p == 7).all())
        # non-contiguous views work (copied to contiguous)
        Xa = np.array(X, dtype=np.float64)[::2]
        self.assertEqual(ctune.DummyClassifier().fit(Xa, Y[::2]).predict(Xa).shape, (3,))


if __name__ == "__main__":
    unittest.main()


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
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write("a,b,target\n1,2,0\n3,abc,1\n")
        try:
            with self.assertRaises(ValueError) as cm:
                ctune.load_csv(f.name)
            self.assertIn("line 3, column 2", str(cm.exception))
        finally:
            os.unlink(f.name)

    def test_model_round_trip(self):
        import tempfile
        X, y = ctune.load_dataset("iris", return_X_y=True, as_numpy=False)
        clf = ctune.DummyClassifier(strategy="stratified", seed=3).fit(X, y)
        path = tempfile.mktemp(suffix=".ctm")
        try:
            ctune.save_model(clf, path)
            back = ctune.load_model(path)
            self.assertEqual(back.predict(X), clf.predict(X))
            self.assertEqual(back.get_params(), clf.get_params())
        finally:
            if os.path.exists(path):
                os.unlink(path)
