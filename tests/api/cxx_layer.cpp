// ctune.hpp: handles free what they own, errors become ctune::error with the
// status and message, the argument adapters and helpers behave, and bad
// input throws instead of crashing. Each check prints what failed.
#include <ctune.hpp>
#if __has_include(<ctune_testing.h>)
#include <ctune_testing.h> // ctune_alloc_live(), where the test hooks live apart
#endif

#include <array>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace {

int failures = 0;

#define EXPECT(cond)                                                              \
    do {                                                                          \
        if (!(cond)) {                                                            \
            std::fprintf(stderr, "cxx_layer:%d: expected %s\n", __LINE__, #cond); \
            failures++;                                                           \
        }                                                                         \
    } while (0)

// Runs f, which must throw ctune::error with `status` and a message holding
// `needle`.
template <class F> void expect_error(int line, F f, ctune_status status, std::string_view needle)
{
    try {
        f();
        std::fprintf(stderr, "cxx_layer:%d: no exception\n", line);
        failures++;
    } catch (const ctune::error &e) {
        if (e.status() != status ||
            std::string_view(e.what()).find(needle) == std::string_view::npos) {
            std::fprintf(stderr, "cxx_layer:%d: got status %d, message '%s'\n", line, e.status(),
                         e.what());
            failures++;
        }
    }
}
#define EXPECT_ERROR(stmt, status, needle) \
    expect_error(                          \
        __LINE__, [&] { stmt; }, status, needle)

void errors()
{
    auto tree = ctune::make(ctune_decision_tree_classifier_new);
    EXPECT(tree != nullptr);
    // an unknown parameter: the C message, the C status
    EXPECT_ERROR(ctune::call(ctune_estimator_set_params_text, tree, "max_dept=3"), CTUNE_EINVAL,
                 "max_dept");
    // a failing constructor throws and leaves nothing behind
    EXPECT_ERROR(ctune::make(ctune_space_parse, "nl: 1|"), CTUNE_EFORMAT, "");
    EXPECT_ERROR(ctune::make(ctune_dataset_load, "no_such_dataset", nullptr), CTUNE_EINVAL,
                 "no_such_dataset");
    // check() passes non-negative values through and names a bare status
    EXPECT(ctune::check(7L) == 7L);
    ctune_clear_error();
    EXPECT_ERROR(ctune::check(CTUNE_ENOMEM), CTUNE_ENOMEM, ctune_status_string(CTUNE_ENOMEM));
    // std::runtime_error catches it too
    try {
        ctune::call(ctune_estimator_set_params_text, tree, "max_depth=-4");
        EXPECT(false);
    } catch (const std::runtime_error &e) {
        EXPECT(std::string_view(e.what()).find("max_depth") != std::string_view::npos);
    }
}

void arguments()
{
    auto tree = ctune::make(ctune_decision_tree_classifier_new);
    const std::string text = "max_depth=2";
    const std::string_view view = "criterion=entropy, trailing text not passed";
    ctune::call(ctune_estimator_set_params_text, tree, text);
    ctune::call(ctune_estimator_set_params_text, tree, view.substr(0, 17)); // NUL-terminated copy
    const std::string params = ctune::to_text(ctune_estimator_get_params(tree));
    EXPECT(params.find("max_depth=2") != std::string::npos);
    EXPECT(params.find("criterion=entropy") != std::string::npos);
    // text() grows past its first buffer
    auto space = ctune::make(
        ctune_space_parse,
        std::string_view(
            "alpha_parameter_name: 1|2|3|4|5|6|7|8|9|10; beta_parameter_name: a|b|c|d|e|f|g"));
    const std::string round_trip = ctune::text(ctune_space_to_text, space);
    EXPECT(round_trip.size() > 64);
    EXPECT(round_trip.find("beta_parameter_name") != std::string::npos);
    EXPECT_ERROR(ctune::text(ctune_params_to_text, static_cast<const ctune_params *>(nullptr)),
                 CTUNE_EINVAL, "");
}

void handles_and_views()
{
    // float X from a std::vector, double y from a std::array
    std::vector<float> X = {0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1};
    std::array<double, 6> y = {0, 1, 1, 1, 0, 1};
    auto d = ctune::data_view(X, 2, y);
    EXPECT(ctune_data_n_rows(d) == 6 && ctune_data_n_cols(d) == 2);
    EXPECT(ctune_data_dtype(d) == CTUNE_FLOAT32 && ctune_data_n_targets(d) == 1);
    auto tree = ctune::make(ctune_decision_tree_classifier_new);
    ctune::call(ctune_estimator_fit, tree, d);
    double Xnew[2][2] = {{0, 0}, {1, 1}};
    auto pred = ctune::predict(tree, ctune::data_view(Xnew[0], 2));
    EXPECT(pred.size() == 1); // Xnew[0] is one row
    const double flat[4] = {0, 0, 1, 1};
    pred = ctune::predict(tree, ctune::data_view(flat, 2));
    EXPECT(pred.size() == 2 && pred[0] == 0 && pred[1] == 1);
    // sizes that do not match
    EXPECT_ERROR(ctune::data_view(X, 5, y), CTUNE_EINVAL, "multiple of n_cols");
    EXPECT_ERROR(ctune::data_view(X, 0, y), CTUNE_EINVAL, "n_cols = 0");
    EXPECT_ERROR(ctune::data_view(X, 3, y), CTUNE_EINVAL, "y has 6 values for 4 rows");
    // an unfitted search has no best
    auto space = ctune::make(ctune_space_parse, "max_depth: 1|2");
    auto search = ctune::make(ctune_search_new_grid, tree, space);
    EXPECT_ERROR(ctune::best_score(search), CTUNE_ESTATE, "");
    EXPECT_ERROR(ctune::best_params(search), CTUNE_ESTATE, "");
    ctune::call(ctune_search_set_options, search, "cv=2");
    ctune::call(ctune_search_fit, search, d);
    EXPECT(ctune::best_params(search).find("max_depth=") != std::string::npos);
    // handles move, never copy; reset frees
    ctune::search_ptr moved = std::move(search);
    EXPECT(search == nullptr && moved != nullptr);
    moved.reset();
    EXPECT(!moved);
}

} // namespace

int main()
{
    const int64_t live = ctune_alloc_live();
    errors();
    arguments();
    handles_and_views();
    if (ctune_alloc_live() != live) {
        std::fprintf(stderr, "cxx_layer: %lld blocks leaked\n",
                     static_cast<long long>(ctune_alloc_live() - live));
        failures++;
    }
    if (failures == 0)
        std::printf("cxx_layer: ok\n");
    return failures == 0 ? 0 : 1;
}
