/* The lecture's scikit-learn recap in C: random search over a decision tree.
 *
 *   param_dist = {"max_depth": [3, None], "max_features": randint(1, 9),
 *                 "min_samples_leaf": randint(1, 9), "criterion": ["gini", "entropy"]}
 *   tree_cv = RandomizedSearchCV(DecisionTreeClassifier(), param_dist, cv=5)
 *   tree_cv.fit(X, y)
 *   print(tree_cv.best_params_, tree_cv.best_score_)
 *
 * Build: cc tree_search.c $(pkg-config --cflags --libs ctune) -o tree_search
 * Run:   ./tree_search [dataset]      (breast_cancer by default; iris, digits) */
#include <stdio.h>

#include <ctune.h>

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "breast_cancer";
    ctune_data *data = NULL;
    ctune_estimator *tree = NULL;
    ctune_space *space = NULL;
    ctune_search *search = NULL;
    int rc = 1;
    double best, train_acc;
    char params[256];

    if (ctune_dataset_load(&data, name, NULL) != CTUNE_OK ||
        ctune_decision_tree_classifier_new(&tree) != CTUNE_OK ||
        ctune_space_parse(&space,
                          "max_depth: 3|none; max_features: randint(1, 9); "
                          "min_samples_leaf: randint(1, 9); criterion: gini|entropy") != CTUNE_OK ||
        ctune_search_new_randomized(&search, tree, space, 20, 0) != CTUNE_OK ||
        ctune_search_set_options(search, "cv=5") != CTUNE_OK ||
        ctune_search_fit(search, data) != CTUNE_OK ||
        ctune_search_best_score(&best, search) != CTUNE_OK) {
        fprintf(stderr, "tree_search: %s\n", ctune_last_error());
        goto out;
    }
    ctune_params_to_text(params, sizeof params, ctune_search_best_params(search));
    printf("Tuned Decision Tree Parameters: %s\n", params);
    printf("Best score is %.4f\n", best);

    /* the refitted best tree, ready to use */
    size_t depth, leaves;
    ctune_estimator *best_tree = ctune_search_best_estimator(search);
    if (ctune_tree_depth(&depth, best_tree) == CTUNE_OK &&
        ctune_tree_n_leaves(&leaves, best_tree) == CTUNE_OK &&
        ctune_estimator_score(&train_acc, best_tree, data) == CTUNE_OK)
        printf("Refitted tree: depth %zu, %zu leaves, training accuracy %.4f\n", depth, leaves,
               train_acc);
    rc = 0;
out:
    ctune_search_free(search);
    ctune_space_free(space);
    ctune_estimator_free(tree);
    ctune_data_free(data);
    return rc;
}
