// The lecture in C++17 with ctune.hpp: scaler + MLP, cross_val_score, random search.
// Build: c++ -std=c++17 lecture.cpp $(pkg-config --cflags --libs ctune) -o lecture_cpp
#include <cmath>
#include <cstdio>

#include <ctune.hpp>

int main()
try {
    // X, y = load_breast_cancer(return_X_y=True)
    auto data = ctune::make(ctune_dataset_load, "breast_cancer", nullptr);
    // make_pipeline(StandardScaler(), MLPClassifier(epochs=5, batch_size=16))
    auto mlp = ctune::make(ctune_mlp_classifier_new);
    ctune::call(ctune_estimator_set_params_text, mlp, "epochs=5, batch_size=16");
    auto scaler = ctune::make(ctune_standard_scaler_new), model = ctune::make(ctune_pipeline_new);
    ctune::call(ctune_pipeline_add_step, model, "scaler", scaler);
    ctune::call(ctune_pipeline_add_step, model, "mlp", mlp);
    // scores = cross_val_score(model, X, y, cv=3)
    auto scores = ctune::cross_val_score(model, data, 3);
    double mean = (scores[0] + scores[1] + scores[2]) / 3, var = 0;
    for (double s : scores)
        var += (s - mean) * (s - mean) / 3;
    std::printf("cross_val_score (cv=3): %.4f +/- %.4f\n", mean, std::sqrt(var));
    // RandomizedSearchCV(model, params, n_iter=4, cv=3, n_jobs=-1).fit(X, y)
    auto space = ctune::make(ctune_space_parse, "mlp__activation: relu|tanh; mlp__nl: 1|2; "
                                                "mlp__nn: 16|64; mlp__batch_size: 8|32");
    auto search = ctune::make(ctune_search_new_randomized, model, space, 4, 42);
    ctune::call(ctune_search_set_options, search, "cv=3, n_jobs=-1");
    ctune::call(ctune_search_fit, search, data);
    std::printf("best_score_ %.4f\nbest_params_ %s\n", ctune::best_score(search),
                ctune::best_params(search).c_str());
    return 0;
} catch (const ctune::error &e) {
    std::fprintf(stderr, "lecture: %s (%s)\n", e.what(), ctune_status_string(e.status()));
    return 1;
}
