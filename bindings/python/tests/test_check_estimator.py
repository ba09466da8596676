"""scikit-learn's own conformance suite (check_estimator) on every
estimator the package exposes, with a small MLP budget. Each check passes,
or is listed with its reason in the estimator's _xfail_checks tag (the same
dict that expected_failed_checks() gives newer scikit-learn)."""

import os
import sys
import unittest
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import ctune  # noqa: E402
from ctune import Dense, Optimizer, Sequential  # noqa: E402


def small_model(nn=8, meta=None):
    """A one-hidden-layer network for any task (the checks use tiny data)."""
    model = Sequential([Dense(nn, activation="relu")])
    k = meta.get("n_classes_", 0)
    opt = Optimizer("adam", learning_rate=0.05)
    if k:
        model.add(Dense(1 if k == 2 else k, activation="sigmoid" if k == 2 else "softmax"))
        model.compile(opt, loss="binary_crossentropy" if k == 2
                      else "sparse_categorical_crossentropy")
    else:
        model.add(Dense(meta["n_outputs_"]))
        model.compile(opt, loss="mse")
    return model


class Centroid:
    def __init__(self, shrink=0.0):
        self.shrink = shrink

    def fit(self, X, y):
        import numpy as np
        self.mu = np.array([X[y == c].mean(axis=0) for c in range(self.n_classes_)])

    def predict(self, X):
        return ((X[:, None, :] - self.mu[None]) ** 2).sum(axis=2).argmin(axis=1)


BUDGET = dict(epochs=30, batch_size=16)


def estimators():
    return [
        ctune.DummyClassifier(strategy="stratified"),  # "prior" predicts one class, as sklearn's
        ctune.DummyRegressor(),
        ctune.DecisionTreeClassifier(),
        ctune.DecisionTreeRegressor(),
        ctune.StandardScaler(),
        ctune.MLPClassifier(learning_rate=0.05, **BUDGET),
        ctune.MLPRegressor(learning_rate=0.05, **BUDGET),
        ctune.KerasClassifier(small_model, **BUDGET),
        ctune.KerasRegressor(small_model, **BUDGET),
        ctune.Pipeline([("scale", ctune.StandardScaler()),
                        ("tree", ctune.DecisionTreeClassifier())]),
        ctune.custom_estimator(Centroid),
    ]


class CheckEstimatorTest(unittest.TestCase):
    def test_every_estimator_conforms(self):
        from sklearn.utils.estimator_checks import check_estimator
        for est in estimators():
            name = type(est).__name__
            xfail = ctune.expected_failed_checks(est)
            for reason in xfail.values():
                self.assertTrue(reason.strip(), name)
            ran = skipped = 0
            for e, check in check_estimator(est, generate_only=True):
                check_name = getattr(check, "func", check).__name__
                with self.subTest(estimator=name, check=check_name):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        try:
                            check(e)
                            ran += 1
                        except unittest.SkipTest:
                            skipped += 1
                            self.assertTrue(check_name in xfail or
                                            (name == "Pipeline" and check_name ==
                                             "check_parameters_default_constructible"),
                                            "%s skipped %s" % (name, check_name))
            self.assertGreater(ran, 30, name)

    def test_tag_forms_agree(self):
        tree = ctune.DecisionTreeClassifier()
        self.assertEqual(tree._estimator_type, "classifier")
        tags = tree._get_tags()
        self.assertTrue(tags["requires_y"])
        self.assertEqual(ctune.expected_failed_checks(tree), tags["_xfail_checks"])
        self.assertIn("check_class_weight_classifiers", tags["_xfail_checks"])
        self.assertTrue(ctune.MLPRegressor()._get_tags()["multioutput"])
        self.assertTrue(ctune.DummyRegressor()._get_tags()["poor_score"])

    def test_new_style_tags(self):
        """__sklearn_tags__ builds scikit-learn >= 1.6's Tags (stand-ins here,
        with the documented fields, as 1.2 has none)."""
        import dataclasses

        import sklearn.utils as su

        def dc(name, **fields):
            return dataclasses.make_dataclass(name, [(k, object, dataclasses.field(default=v))
                                                     for k, v in fields.items()])

        fakes = {
            "Tags": dc("Tags", estimator_type=None, target_tags=None, transformer_tags=None,
                       classifier_tags=None, regressor_tags=None, array_api_support=False,
                       no_validation=False, non_deterministic=False, requires_fit=True,
                       _skip_test=False, input_tags=None),
            "TargetTags": dc("TargetTags", required=False, one_d_labels=False,
                             two_d_labels=False, positive_only=False, multi_output=False,
                             single_output=True),
            "TransformerTags": dc("TransformerTags", preserves_dtype=("float64",)),
            "ClassifierTags": dc("ClassifierTags", poor_score=False, multi_class=True,
                                 multi_label=False),
            "RegressorTags": dc("RegressorTags", poor_score=False),
            "InputTags": dc("InputTags", one_d_array=False, two_d_array=True,
                            three_d_array=False, sparse=False, categorical=False, string=False,
                            dict=False, positive_only=False, allow_nan=False, pairwise=False),
        }
        saved = {k: getattr(su, k, None) for k in fakes}
        try:
            for k, v in fakes.items():
                setattr(su, k, v)
            t = ctune.DecisionTreeClassifier().__sklearn_tags__()
            self.assertEqual(t.estimator_type, "classifier")
            self.assertTrue(t.target_tags.required)
            self.assertFalse(t.input_tags.sparse)
            self.assertIsNone(t.regressor_tags)
            t = ctune.DummyRegressor().__sklearn_tags__()
            self.assertTrue(t.regressor_tags.poor_score)
            self.assertTrue(t.target_tags.multi_output)
            t = ctune.StandardScaler().__sklearn_tags__()
            self.assertEqual(t.estimator_type, "transformer")
            self.assertIsNotNone(t.transformer_tags)
            self.assertFalse(t.target_tags.required)
        finally:
            for k, v in saved.items():
                if v is None:
                    delattr(su, k)
                else:
                    setattr(su, k, v)


if __name__ == "__main__":
    unittest.main()
