"""Ctrl-C during a long C call: a KeyboardInterrupt delivered by
signal.raise_signal from a timer thread cancels the C work (fit, search,
cross_val_score) and is raised in Python; the handles stay usable. And a
search whose every fit fails raises."""

import os
import signal
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import ctune  # noqa: E402
from ctune._native import C  # noqa: E402

X = [[float(i % 7), float(i % 5), float(i % 3)] for i in range(120)]
Y = [i % 2 for i in range(120)]
LONG = dict(epochs=100000, batch_size=4)  # hours of training unless cancelled


def interrupt_soon(delay=0.3):
    t = threading.Timer(delay, signal.raise_signal, args=(signal.SIGINT,))
    t.start()
    return t


class InterruptTest(unittest.TestCase):
    def interrupted(self, call):
        timer = interrupt_soon()
        try:
            with self.assertRaises(KeyboardInterrupt):
                call()
        finally:
            timer.cancel()
            timer.join()
        # the C call ended: the error it left is the cancellation's
        self.assertIn("cancelled", (C.ctune_last_error() or b"").decode())

    def test_fit_is_interrupted(self):
        clf = ctune.MLPClassifier(**LONG)
        self.interrupted(lambda: clf.fit(X, Y))
        # the request ended with that fit: the next one runs to the end
        clf.set_params(epochs=2)
        clf.fit(X, Y)
        self.assertEqual(len(clf.predict(X)), len(X))

    def test_search_is_interrupted(self):
        search = ctune.GridSearchCV(ctune.MLPClassifier(**LONG), {"nn": [4, 8]}, cv=2, n_jobs=2)
        self.interrupted(lambda: search.fit(X, Y))

    def test_cross_val_score_is_interrupted(self):
        self.interrupted(lambda: ctune.cross_val_score(ctune.MLPClassifier(**LONG), X, Y, cv=2))

    def test_all_fits_failed_raises(self):
        X3 = [[float(i % 7), float(i % 5)] for i in range(90)]
        Y3 = [i % 3 for i in range(90)]
        search = ctune.GridSearchCV(ctune.DecisionTreeClassifier(), {"max_depth": [1, 2]}, cv=3,
                                    scoring="roc_auc")
        with self.assertRaises(ValueError) as cm:
            search.fit(X3, Y3)
        self.assertIn("all 6 fits failed; first error:", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
