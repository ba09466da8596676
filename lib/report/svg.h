/* A small SVG plotting kit for the HTML report: scales (linear, log,
 * categories), axes with ticks and labels, markers, a greyscale-safe colour
 * ramp, and locale-free number formatting. Everything appends to a
 * ctune__sb; every string is escaped for HTML/SVG text and attributes. */
#ifndef CTUNE_REPORT_SVG_H
#define CTUNE_REPORT_SVG_H

#include <stddef.h>

#include "model_selection/strbuf.h"

/* Escapes & < > " ' so that any text is safe in an element or attribute. */
void ctune__html_text(ctune__sb *b, const char *s);
/* A number for people: integers as integers, else up to 4 significant
 * digits (scientific below 1e-4 or from 1e6), "NaN" for a non-finite
 * value. Never depends on the locale. */
void ctune__fmt_num(ctune__sb *b, double v);
/* v with `dec` decimals (0..9), locale-free; "NaN" when not finite. */
void ctune__fmt_fixed(ctune__sb *b, double v, int dec);

/* Maps data values to pixels along one axis. */
typedef enum { CTUNE__SCALE_LINEAR, CTUNE__SCALE_LOG, CTUNE__SCALE_CATEGORY } ctune__scale_kind;
typedef struct ctune__scale {
    ctune__scale_kind kind;
    double lo, hi; /* data range (log: positive); categories: 0 .. n_cat - 1 */
    double p0, p1; /* pixels of lo and hi */
    size_t n_cat;
    const char *const *cats; /* category names (borrowed) */
} ctune__scale;

/* A linear or log scale that covers the finite values of v[0..n) (positive
 * ones for log), padded a little; a unit range when there are none. */
void ctune__scale_fit(ctune__scale *s, ctune__scale_kind kind, const double *v, size_t n, double p0,
                      double p1);
/* A category scale over n_cat names; category i sits at the centre of its band. */
void ctune__scale_cats(ctune__scale *s, const char *const *cats, size_t n_cat, double p0,
                       double p1);
/* Pixel of value v (a category index for CATEGORY). */
double ctune__scale_map(const ctune__scale *s, double v);

/* Opens a figure holding an <svg role="img"> of w × h with <title> and
 * <desc> (the text alternative), referenced by aria-labelledby. `id` is an
 * HTML id made of [a-z0-9-] (the caller's literal). */
void ctune__svg_open(ctune__sb *b, const char *id, int w, int h, const char *title,
                     const char *desc);
/* Closes the svg and the figure, with a visible caption (may be NULL). */
void ctune__svg_close(ctune__sb *b, const char *caption);

/* The x axis along y = `y` (ticks below, label under them) and the y axis
 * along x = `x` (ticks left, label rotated). Labels carry their units. */
void ctune__svg_axis_x(ctune__sb *b, const ctune__scale *s, double y, const char *label);
void ctune__svg_axis_y(ctune__sb *b, const ctune__scale *s, double x, const char *label);
/* Plot title drawn inside the svg, centred at x. */
void ctune__svg_heading(ctune__sb *b, double x, double y, const char *text);

/* A colour of a perceptually ordered ramp (dark purple → yellow, luminance
 * rising with t in [0, 1]) as "#rrggbb" into out[8]. */
void ctune__svg_colour(double t, char out[8]);

/* A data point: a circle, or for the best candidate a larger diamond with
 * a dark outline (shape, not colour, marks it). `tip` becomes its <title>
 * tooltip. class is "pt", "pt best", "pt pruned" (a triangle pointing
 * down), "pt failed" (a cross at y) or "pt incomplete" (a dashed ring at
 * y: a candidate whose splits have not all run). */
typedef enum {
    CTUNE__MARK_POINT,
    CTUNE__MARK_BEST,
    CTUNE__MARK_FAILED,
    CTUNE__MARK_PRUNED,
    CTUNE__MARK_INCOMPLETE
} ctune__mark;
void ctune__svg_mark(ctune__sb *b, double x, double y, ctune__mark m, const char *fill,
                     const char *tip);
/* The same shape for a legend: class "key <kind>", no tooltip. */
void ctune__svg_key(ctune__sb *b, double x, double y, ctune__mark m, const char *fill);
/* Coordinates "x,y" appended to a points="" list (one decimal). */
void ctune__svg_xy(ctune__sb *b, double x, double y);
/* One coordinate with one decimal. */
void ctune__svg_coord(ctune__sb *b, double v);

#endif
