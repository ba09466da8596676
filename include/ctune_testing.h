/**
 * @file ctune_testing.h
 * @brief Test instrumentation of ctune: allocation accounting and the
 *        allocation-failure hook. Unstable, process-wide.
 *
 * Every allocation of the library goes through one internal allocator that
 * counts live blocks, so tests can check that nothing leaks and can make the
 * N-th allocation fail.
 *
 * These functions are for test suites, fuzzers and leak checks, not for
 * applications:
 *  - **Unstable.** They may change or disappear in any release; they are not
 *    part of the ABI that ctune's soname promises (the ABI check skips this
 *    header).
 *  - **Process-wide.** The counters and the failure hook are global to the
 *    process, shared by every thread and every user of the library in it: a
 *    failure armed with ctune_alloc_fail_at() hits whichever thread
 *    allocates next. Use them from single-threaded tests.
 */
#ifndef CTUNE_TESTING_H
#define CTUNE_TESTING_H

#include "ctune.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup grp_testing Test instrumentation (ctune_testing.h)
 *  Allocation accounting and the allocation-failure hook; unstable, process-wide.
 *  @{ */

/**
 * Number of blocks currently allocated by the library, over all threads.
 *
 * Tests take it before and after some work to check that nothing leaks.
 * Thread-safe (an atomic counter).
 *
 * @return the live block count
 */
CTUNE_API int64_t ctune_alloc_live(void);

/**
 * Total number of successful allocations since the process started.
 *
 * Thread-safe.
 *
 * @return the allocation count
 */
CTUNE_API int64_t ctune_alloc_total(void);

/**
 * Test hook: makes the `n`-th allocation from now fail.
 *
 * The failing allocation sets the CTUNE_ENOMEM message; tests sweep n = 1,
 * 2, ... until the call under test succeeds, checking each time that it
 * fails cleanly and leaks nothing. Process-wide: meant for single-threaded
 * tests.
 *
 * @param n      1 = the next allocation, 2 = the one after; 0 disables failures
 * @param sticky non-zero: every allocation after the n-th fails too
 */
CTUNE_API void ctune_alloc_fail_at(int64_t n, int sticky);

/**
 * Number of allocations that the test hook made fail so far.
 *
 * @return the count of injected failures
 */
CTUNE_API int64_t ctune_alloc_failures(void);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTUNE_TESTING_H */
