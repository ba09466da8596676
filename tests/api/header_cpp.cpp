// The public header compiles as C++ (-Wall -Wextra -Werror -pedantic), links
// against the shared library and runs a small randomized search.
#include <ctune.h>

#include <cstdio>
#include <cstring>
#include <vector>

namespace {

struct Guard {
    ctune_data *data = nullptr;
    ctune_estimator *tree = nullptr;
    ctune_space *space = nullptr;
    ctune_search *search = nullptr;
    ~Guard()
    {
        ctune_search_free(search);
        ctune_space_free(space);
        ctune_estimator_free(tree);
        ctune_data_free(data);
    }
};

int fail(const char *what)
{
    std::fprintf(stderr, "header_cpp: %s: %s\n", what, ctune_last_error());
    return 1;
}

} // namespace

int main()
{
    const size_t n = 120, d = 3;
    std::vector<double> X(n * d), y(n);
    if (ctune_make_blobs(X.data(), y.data(), nullptr, n, d, 3, 0.8, 11) != CTUNE_OK)
        return fail("make_blobs");
    Guard g;
    if (ctune_data_new(&g.data, X.data(), CTUNE_FLOAT64, n, d, 0, y.data(), 1) != CTUNE_OK)
        return fail("data");
    if (ctune_decision_tree_classifier_new(&g.tree) != CTUNE_OK)
        return fail("tree");
    if (ctune_space_parse(&g.space, "max_depth: 1|2|3|none; criterion: gini|entropy") != CTUNE_OK)
        return fail("space");
    if (ctune_search_new_randomized(&g.search, g.tree, g.space, 5, 1) != CTUNE_OK ||
        ctune_search_set_options(g.search, "cv=3, n_jobs=2") != CTUNE_OK ||
        ctune_search_fit(g.search, g.data) != CTUNE_OK)
        return fail("search");
    double best = 0;
    if (ctune_search_best_score(&best, g.search) != CTUNE_OK)
        return fail("best score");
    char params[256];
    ctune_params_to_text(params, sizeof params, ctune_search_best_params(g.search));
    std::printf("ctune %s from C++: best %.4f with %s\n", ctune_version_string(), best, params);
    return best > 0.9 && std::strlen(params) > 0 ? 0 : 1;
}
