/* The HTML report of a search: one self-contained page (inline CSS and
 * SVG, no script, no external file) built from a results document. The
 * public entry points are ctune_report_write() and ctune_search_report(). */
#ifndef CTUNE_REPORT_REPORT_H
#define CTUNE_REPORT_REPORT_H

#include "model_selection/strbuf.h"
#include "report/results_read.h"

/* Candidates needed before importances are estimated. */
#define CTUNE__REPORT_MIN_IMPORTANCE 8

/* Appends the page for `d` to `out`; `source` names where the results came
 * from (shown escaped; may be NULL). Returns CTUNE_OK or CTUNE_ENOMEM; a
 * document with no candidates or no finite score still gives a page that
 * says what is missing. */
ctune_status ctune__report_html(const ctune__rdoc *d, const char *source, ctune__sb *out);

/* Impurity importances of the parameters of `d` (see docs/report.md):
 * out[k] for d->params[k], summing to 1, or all 0 when the scores do not
 * vary. Returns CTUNE_OK, or an error when a tree cannot be fitted. */
ctune_status ctune__report_importances(const ctune__rdoc *d, double *out);

#endif
