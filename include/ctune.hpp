/**
 * @file ctune.hpp
 * @brief A small header-only C++17 layer over ctune.h.
 *
 * It adds three things to the C API and hides nothing of it:
 *  - **Owning handles**: ctune::handle<T> is a std::unique_ptr with the
 *    matching `ctune_*_free()` as deleter, and converts implicitly to `T *`,
 *    so every C function takes it as is. Aliases: ctune::data_ptr,
 *    ctune::estimator_ptr, ctune::search_ptr, ...
 *  - **Exceptions**: ctune::check() turns a negative status into a
 *    ctune::error (a std::runtime_error carrying the status and the message
 *    of ctune_last_error()).
 *  - **Less boilerplate**: ctune::make() calls any `ctune_*_new(T **out,
 *    ...)`-style function and returns the handle; ctune::call() calls any
 *    fallible function and checks its status. Both also accept std::string
 *    and std::string_view where the C function takes `const char *`. A few
 *    helpers return std::string / std::vector (ctune::to_text(),
 *    ctune::cross_val_score(), ctune::predict(), ...) or take contiguous
 *    ranges (ctune::data_view()).
 *
 * @code
 * auto data = ctune::make(ctune_dataset_load, "breast_cancer", nullptr);
 * auto mlp = ctune::make(ctune_mlp_classifier_new);
 * ctune::call(ctune_estimator_set_params_text, mlp, "epochs=5");
 * std::vector<double> scores = ctune::cross_val_score(mlp, data, 3);
 * @endcode
 *
 * Rules: a handle owns its object (move it, never copy it); borrowed
 * pointers the C API returns (names, parameter sets) stay raw pointers with
 * the C API's lifetime rules. Callbacks passed to the C API (builders,
 * progress, custom estimators) must not let an exception escape: catch it
 * and return a status (ctune_set_error()). Guide: docs/getting-started-c.md.
 */
#ifndef CTUNE_HPP
#define CTUNE_HPP

#if (defined(_MSVC_LANG) ? _MSVC_LANG : __cplusplus) < 201703L
#error "ctune.hpp needs C++17; ctune.h alone works from C and from any C++"
#endif

#include <cstddef>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctune.h"

/** @defgroup grp_cxx C++ layer (ctune.hpp)
 *  Owning handles, exceptions and helpers over the C API, header-only C++17.
 *  @{ */

/** The C++ layer of ctune (ctune.hpp). */
namespace ctune {

/** A failed ctune call: what() is ctune_last_error()'s message. */
class error : public std::runtime_error {
public:
    /** An error of `status` with `message`. */
    error(ctune_status status, const std::string &message)
        : std::runtime_error(message), status_(status)
    {}
    /** The ctune_status of the failed call (a negative CTUNE_E* code). */
    ctune_status status() const noexcept { return status_; }

private:
    ctune_status status_;
};

/**
 * Throws ctune::error when `rc` is negative, else returns it.
 *
 * Works for functions returning a ctune_status and for the snprintf-style
 * ones returning a length or a negative status (`long`). The message is
 * ctune_last_error(), or the status' name when the thread has none.
 */
template <class R> R check(R rc)
{
    static_assert(std::is_enum_v<R> || (std::is_integral_v<R> && std::is_signed_v<R>),
                  "ctune::check() takes a status or a signed length: a function returning "
                  "an unsigned count or a pointer cannot fail this way");
    if (static_cast<long long>(rc) < 0) {
        ctune_status st = static_cast<ctune_status>(rc);
        const char *msg = ctune_last_error();
        throw error(st, msg != nullptr && *msg != '\0' ? msg : ctune_status_string(st));
    }
    return rc;
}

/** Which `*_free()` releases a T; one specialization per handle type
 *  (CTUNE_HPP_HANDLE). */
template <class T> struct handle_traits;

/** Declares that `free_fn` releases a `type`, making ctune::handle<type>
 *  and ctune::make() work for it. Use at global scope. */
#define CTUNE_HPP_HANDLE(type, free_fn)                       \
    namespace ctune {                                         \
    template <> struct handle_traits<type> {                  \
        static void release(type *p) noexcept { free_fn(p); } \
    };                                                        \
    }

/** The deleter of ctune::handle<T>. */
template <class T> struct deleter {
    /** Frees `p` with its `*_free()` (which accepts NULL). */
    void operator()(T *p) const noexcept { handle_traits<T>::release(p); }
};

/** An owning handle: a std::unique_ptr freeing its object with the matching
 *  `*_free()`, convertible to `T *` so C functions take it directly. */
template <class T> class handle : public std::unique_ptr<T, deleter<T>> {
public:
    using std::unique_ptr<T, deleter<T>>::unique_ptr;
    /** The raw pointer, still owned by the handle. */
    operator T *() const noexcept { return this->get(); }
};

} // namespace ctune

CTUNE_HPP_HANDLE(ctune_rng, ctune_rng_free)
CTUNE_HPP_HANDLE(ctune_data, ctune_data_free)
CTUNE_HPP_HANDLE(ctune_params, ctune_params_free)
CTUNE_HPP_HANDLE(ctune_estimator, ctune_estimator_free)
CTUNE_HPP_HANDLE(ctune_model, ctune_model_free)
CTUNE_HPP_HANDLE(ctune_splitter, ctune_splitter_free)
CTUNE_HPP_HANDLE(ctune_splits, ctune_splits_free)
CTUNE_HPP_HANDLE(ctune_space, ctune_space_free)
CTUNE_HPP_HANDLE(ctune_candidates, ctune_candidates_free)
CTUNE_HPP_HANDLE(ctune_cv_results, ctune_cv_results_free)
CTUNE_HPP_HANDLE(ctune_search, ctune_search_free)
#if defined(CTUNE_EXPERIMENTAL) || defined(CTUNE_BUILDING)
CTUNE_HPP_HANDLE(ctune_tuner, ctune_tuner_free)
#endif

namespace ctune {

/** An owning ctune_rng. */
using rng_ptr = handle<ctune_rng>;
/** An owning ctune_data (a view: the arrays it wraps must outlive it). */
using data_ptr = handle<ctune_data>;
/** An owning ctune_params. */
using params_ptr = handle<ctune_params>;
/** An owning ctune_estimator. */
using estimator_ptr = handle<ctune_estimator>;
/** An owning ctune_model. */
using model_ptr = handle<ctune_model>;
/** An owning ctune_splitter. */
using splitter_ptr = handle<ctune_splitter>;
/** An owning ctune_splits. */
using splits_ptr = handle<ctune_splits>;
/** An owning ctune_space. */
using space_ptr = handle<ctune_space>;
/** An owning ctune_candidates. */
using candidates_ptr = handle<ctune_candidates>;
/** An owning ctune_cv_results. */
using cv_results_ptr = handle<ctune_cv_results>;
/** An owning ctune_search. */
using search_ptr = handle<ctune_search>;

/// @cond CTUNE_HPP_DETAIL
namespace detail {

/* A NUL-terminated copy of a string_view, alive until the end of the full
 * expression that made it: long enough for the C call it is passed to. */
class cstr {
public:
    explicit cstr(std::string_view s) : s_(s) {}
    operator const char *() const noexcept { return s_.c_str(); }

private:
    std::string s_;
};

/* An argument as the C function takes it: std::string as const char *,
 * std::string_view as a NUL-terminated copy, the rest unchanged (handles
 * convert to their raw pointer by themselves). */
template <class X> decltype(auto) arg(X &&x)
{
    using D = std::decay_t<X>;
    if constexpr (std::is_same_v<D, std::string>)
        return x.c_str();
    else if constexpr (std::is_same_v<D, std::string_view>)
        return cstr(x);
    else
        return std::forward<X>(x);
}

} // namespace detail
/// @endcond

/**
 * Calls a fallible C function and checks its result.
 *
 * `ctune::call(ctune_search_fit, search, data)` is
 * `ctune::check(ctune_search_fit(search, data))`; handles, std::string and
 * std::string_view arguments are passed as the C function expects.
 *
 * @return the function's result when it is not negative
 * @throws ctune::error when it is
 */
template <class F, class... A> auto call(F &&f, A &&...args)
{
    return check(std::forward<F>(f)(detail::arg(std::forward<A>(args))...));
}

/**
 * Calls a constructor `ctune_status f(T **out, ...)` and returns the handle.
 *
 * `auto s = ctune::make(ctune_space_parse, "nl: 1|2")` creates a
 * ctune::space_ptr; the object is freed when `s` goes out of scope. Works
 * for every constructor whose T has a CTUNE_HPP_HANDLE declaration.
 *
 * @throws ctune::error with the constructor's status and message
 */
template <class T, class... P, class... A>
handle<T> make(ctune_status (*create)(T **, P...), A &&...args)
{
    T *raw = nullptr;
    ctune_status rc = create(&raw, detail::arg(std::forward<A>(args))...);
    handle<T> h(raw);
    check(rc);
    return h;
}

/**
 * Text of a snprintf-style function `long f(char *buf, size_t cap, ...)`
 * (ctune_params_to_text(), ctune_space_to_text(), ...), however long.
 *
 * `ctune::text(ctune_params_to_text, p)` sizes the buffer itself.
 *
 * @throws ctune::error when the function returns a negative status
 */
template <class F, class... A> std::string text(F &&f, A &&...args)
{
    std::string out(64, '\0');
    for (;;) {
        long n = check(f(&out[0], out.size(), detail::arg(args)...));
        if (static_cast<size_t>(n) < out.size()) {
            out.resize(static_cast<size_t>(n));
            return out;
        }
        out.assign(static_cast<size_t>(n) + 1, '\0');
    }
}

/** "k=v, k=v" text of a parameter set (ctune_params_to_text()). */
inline std::string to_text(const ctune_params *p) { return text(ctune_params_to_text, p); }

/** The calling thread's last error message (ctune_last_error()). */
inline std::string_view last_error() noexcept { return ctune_last_error(); }

/**
 * A ctune_data view of contiguous ranges (std::vector, std::array, C
 * arrays, ...): X of float or double, row-major with `n_cols` columns; y of
 * double, one target per row, or empty for a view without y.
 *
 * The view does not copy: `X` and `y` must outlive it.
 *
 * @throws ctune::error CTUNE_EINVAL when the sizes do not match, and the
 *         errors of ctune_data_new()
 */
template <class RX, class RY> data_ptr data_view(const RX &X, size_t n_cols, const RY &y)
{
    using T = std::remove_cv_t<std::remove_reference_t<decltype(*std::data(X))>>;
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "ctune::data_view: X holds float or double");
    static_assert(
        std::is_same_v<std::remove_cv_t<std::remove_reference_t<decltype(*std::data(y))>>, double>,
        "ctune::data_view: y holds double");
    const size_t nx = std::size(X), ny = std::size(y);
    if (n_cols == 0 || nx % n_cols != 0)
        throw error(CTUNE_EINVAL,
                    "ctune::data_view: X has " + std::to_string(nx) +
                        " values, not a multiple of n_cols = " + std::to_string(n_cols));
    const size_t n_rows = nx / n_cols;
    if (ny != 0 && ny != n_rows)
        throw error(CTUNE_EINVAL, "ctune::data_view: y has " + std::to_string(ny) + " values for " +
                                      std::to_string(n_rows) + " rows");
    return make(ctune_data_new, static_cast<const void *>(std::data(X)),
                static_cast<int>(std::is_same_v<T, float> ? CTUNE_FLOAT32 : CTUNE_FLOAT64), n_rows,
                n_cols, size_t{0}, ny != 0 ? std::data(y) : nullptr, size_t{ny != 0});
}

/** A ctune_data view of X only (for predict); see data_view(X, n_cols, y). */
template <class RX> data_ptr data_view(const RX &X, size_t n_cols)
{
    return data_view(X, n_cols, std::vector<double>{});
}

/** cross_val_score(): one score per fold (ctune_cross_val_score()).
 *  `scoring` nullptr is the estimator's default score. */
inline std::vector<double> cross_val_score(const ctune_estimator *est, const ctune_data *data,
                                           int cv, const char *scoring = nullptr)
{
    std::vector<double> scores(cv > 0 ? static_cast<size_t>(cv) : 0);
    check(ctune_cross_val_score(scores.data(), est, data, cv, scoring));
    return scores;
}

/** predict(): n_rows × n_outputs values, row-major (ctune_estimator_predict()). */
inline std::vector<double> predict(ctune_estimator *est, const ctune_data *X)
{
    std::vector<double> out(ctune_data_n_rows(X) * ctune_estimator_n_outputs(est));
    check(ctune_estimator_predict(out.data(), est, X));
    return out;
}

/** The best mean test score of a fitted search (ctune_search_best_score()). */
inline double best_score(const ctune_search *search)
{
    double best = 0;
    check(ctune_search_best_score(&best, search));
    return best;
}

/** The best candidate's parameters as "k=v, k=v" text
 *  (ctune_search_best_params()). */
inline std::string best_params(const ctune_search *search)
{
    const ctune_params *p = ctune_search_best_params(search);
    if (p == nullptr) {
        size_t i;
        check(ctune_search_best_index(&i, search)); /* throws with the reason */
        throw error(CTUNE_ESTATE, "ctune::best_params: the search has no best candidate");
    }
    return to_text(p);
}

} // namespace ctune

/** @} */

#endif /* CTUNE_HPP */
