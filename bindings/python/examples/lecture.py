#!/usr/bin/env python3
"""The lecture, in Python, against the C library: a Keras-style create_model
wrapped as a KerasClassifier, cross-validated, then tuned by random search.

After `pip install .` (or from the build tree:
    CTUNE_LIBRARY=build/lib/libctune.so.1 PYTHONPATH=bindings/python \\
        python3 bindings/python/examples/lecture.py).
scikit-learn's `from sklearn.model_selection import cross_val_score,
RandomizedSearchCV` runs the same lines (see docs/python.md).
"""
import ctune
from ctune import Dense, KerasClassifier, Pipeline, RandomizedSearchCV, Sequential, StandardScaler


def create_model(optimizer="adam", activation="relu", nl=1, nn=16):
    model = Sequential()
    for _ in range(nl):
        model.add(Dense(nn, activation=activation))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def main():
    X, y = ctune.load_dataset("breast_cancer", return_X_y=True)
    model = Pipeline([("scaler", StandardScaler()),
                      ("keras", KerasClassifier(build_fn=create_model, epochs=6, batch_size=16))])

    scores = ctune.cross_val_score(model, X, y, cv=3)
    print("cross_val_score (cv=3): %.4f +/- %.4f" % (scores.mean(), scores.std()))

    params = dict(keras__optimizer=["sgd", "adam"], keras__activation=["relu", "tanh"],
                  keras__batch_size=[5, 10, 20], keras__epochs=[3, 5])
    search = RandomizedSearchCV(model, params, cv=3, n_iter=10, random_state=42).fit(X, y)
    print("random search: best score %.4f with %s" % (search.best_score_, search.best_params_))

    params = dict(keras__nl=[1, 2, 3], keras__nn=[16, 64, 128])
    search = RandomizedSearchCV(model, params, cv=3, n_iter=10, random_state=42).fit(X, y)
    print("random search: best score %.4f with %s" % (search.best_score_, search.best_params_))
    return search.best_score_


if __name__ == "__main__":
    main()
