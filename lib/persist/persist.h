/* Model files: the container around an estimator's own payload. */
#ifndef CTUNE_PERSIST_PERSIST_H
#define CTUNE_PERSIST_PERSIST_H

#include "ctune.h"

#define CTUNE__MODEL_MAGIC "CTUNEMDL"
/* The newest format version this library reads (and writes when a body
 * needs it: version 2 adds definition blocks, e.g. a pipeline's steps;
 * version 3 the names of a classifier's classes). */
#define CTUNE__MODEL_VERSION 3u
#define CTUNE__MODEL_HEADER 24 /* magic, version, flags, body length */

/* Writes the body of a model file for `est` (name, kind, params, the
 * definition, fitted state and the save hook's payload). It also sets the
 * stream's nesting hooks (w->nest) when unset, through which the hooks of
 * estimators below this layer nest others (ctune__write_estimator, a
 * pipeline's steps); the readers below do the same for r->nest. */
ctune_status ctune__persist_write(ctune_writer *w, const ctune_estimator *est);

/* Reads a body written by ctune__persist_write. `vtable` NULL looks the name
 * up among the built-in estimators. */
ctune_status ctune__persist_read(ctune_reader *r, ctune_estimator **out,
                                 const ctune_estimator_vtable *vtable, void *user);
/* Same, into a handle made like `like` (a clone of it; see
 * ctune_estimator_load_like()); `like` NULL looks the name up among the
 * built-in estimators. */
ctune_status ctune__persist_read_like(ctune_reader *r, ctune_estimator **out,
                                      const ctune_estimator *like);

#endif
