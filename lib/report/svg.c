/* SVG plotting kit of the report (see svg.h). Numbers are printed with
 * integer arithmetic only, so the host's LC_NUMERIC never reaches a page. */
#include "report/svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void ctune__html_text(ctune__sb *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep) {
            ctune__sb_append(b, run, (size_t)(p - run));
            ctune__sb_str(b, rep);
            run = p + 1;
        }
    }
    ctune__sb_str(b, run);
}

static const long long POW10[] = {1,      10,      100,      1000,      10000,
                                  100000, 1000000, 10000000, 100000000, 1000000000};

void ctune__fmt_fixed(ctune__sb *b, double v, int dec)
{
    if (!isfinite(v)) {
        ctune__sb_str(b, "NaN");
        return;
    }
    if (dec < 0)
        dec = 0;
    if (dec > 9)
        dec = 9;
    if (fabs(v) * (double)POW10[dec] >= 9e15) { /* beyond exact integers: scientific */
        ctune__fmt_num(b, v);
        return;
    }
    long long q = llround(fabs(v) * (double)POW10[dec]);
    if (v < 0 && q != 0)
        ctune__sb_str(b, "-");
    ctune__sb_printf(b, "%lld", q / POW10[dec]);
    if (dec)
        ctune__sb_printf(b, ".%0*lld", dec, q % POW10[dec]);
}

/* Trims trailing zeros (and a bare point) of the number just appended
 * from `from`. */
static void trim_zeros(ctune__sb *b, size_t from)
{
    if (b->failed || !memchr(b->s + from, '.', b->len - from))
        return;
    while (b->len > from && b->s[b->len - 1] == '0')
        b->len--;
    if (b->len > from && b->s[b->len - 1] == '.')
        b->len--;
    b->s[b->len] = '\0';
}

void ctune__fmt_num(ctune__sb *b, double v)
{
    if (!isfinite(v)) {
        ctune__sb_str(b, "NaN");
        return;
    }
    double a = fabs(v);
    if (a == 0) {
        ctune__sb_str(b, "0");
        return;
    }
    if (a < 1e15 && v == floor(v)) {
        ctune__sb_printf(b, "%lld", (long long)v);
        return;
    }
    if (a >= 1e-4 && a < 1e6) {
        int mag = (int)floor(log10(a)); /* -4 .. 5 */
        int dec = 3 - mag;
        size_t from = b->len;
        ctune__fmt_fixed(b, v, dec < 0 ? 0 : dec > 9 ? 9 : dec);
        trim_zeros(b, from);
        return;
    }
    int e = (int)floor(log10(a));
    double m = v / pow(10, e);
    if (fabs(m) >= 9.9995) { /* rounds up to 10.000 */
        m /= 10;
        e++;
    }
    size_t from = b->len;
    ctune__fmt_fixed(b, m, 3);
    trim_zeros(b, from);
    ctune__sb_printf(b, "e%d", e);
}

void ctune__svg_coord(ctune__sb *b, double v) { ctune__fmt_fixed(b, isfinite(v) ? v : 0, 1); }

void ctune__svg_xy(ctune__sb *b, double x, double y)
{
    ctune__svg_coord(b, x);
    ctune__sb_str(b, ",");
    ctune__svg_coord(b, y);
    ctune__sb_str(b, " ");
}

/* ---- scales ------------------------------------------------------------- */

void ctune__scale_fit(ctune__scale *s, ctune__scale_kind kind, const double *v, size_t n, double p0,
                      double p1)
{
    memset(s, 0, sizeof *s);
    s->kind = kind == CTUNE__SCALE_LOG ? CTUNE__SCALE_LOG : CTUNE__SCALE_LINEAR;
    s->p0 = p0;
    s->p1 = p1;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        if (!isfinite(x) || (s->kind == CTUNE__SCALE_LOG && x <= 0))
            continue;
        x = s->kind == CTUNE__SCALE_LOG ? log10(x) : x;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    if (lo > hi) {
        lo = 0;
        hi = 1;
    } else if (lo == hi) {
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.05 : 0.5;
        lo -= pad;
        hi += pad;
    } else {
        double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
    }
    s->lo = lo; /* log scales keep log10 of the range */
    s->hi = hi;
}

void ctune__scale_cats(ctune__scale *s, const char *const *cats, size_t n_cat, double p0, double p1)
{
    memset(s, 0, sizeof *s);
    s->kind = CTUNE__SCALE_CATEGORY;
    s->cats = cats;
    s->n_cat = n_cat;
    s->lo = -0.5;
    s->hi = (double)n_cat - 0.5;
    s->p0 = p0;
    s->p1 = p1;
}

double ctune__scale_map(const ctune__scale *s, double v)
{
    if (s->kind == CTUNE__SCALE_LOG)
        v = v > 0 ? log10(v) : s->lo;
    if (!isfinite(v))
        v = s->lo;
    return s->p0 + (v - s->lo) / (s->hi - s->lo) * (s->p1 - s->p0);
}

/* ---- figure and axes ---------------------------------------------------- */

void ctune__svg_open(ctune__sb *b, const char *id, int w, int h, const char *title,
                     const char *desc)
{
    ctune__sb_printf(b,
                     "<figure class=\"plot\" id=\"%s\">\n<svg xmlns=\"http://www.w3.org/2000/"
                     "svg\" role=\"img\" aria-labelledby=\"%s-t %s-d\" width=\"%d\" "
                     "height=\"%d\" viewBox=\"0 0 %d %d\">\n<title id=\"%s-t\">",
                     id, id, id, w, h, w, h, id);
    ctune__html_text(b, title);
    ctune__sb_printf(b, "</title>\n<desc id=\"%s-d\">", id);
    ctune__html_text(b, desc);
    ctune__sb_str(b, "</desc>\n");
}

void ctune__svg_close(ctune__sb *b, const char *caption)
{
    ctune__sb_str(b, "</svg>\n");
    if (caption) {
        ctune__sb_str(b, "<figcaption>");
        ctune__html_text(b, caption);
        ctune__sb_str(b, "</figcaption>\n");
    }
    ctune__sb_str(b, "</figure>\n");
}

void ctune__svg_heading(ctune__sb *b, double x, double y, const char *text)
{
    ctune__sb_str(b, "<text class=\"heading\" text-anchor=\"middle\" x=\"");
    ctune__svg_coord(b, x);
    ctune__sb_str(b, "\" y=\"");
    ctune__svg_coord(b, y);
    ctune__sb_str(b, "\">");
    ctune__html_text(b, text);
    ctune__sb_str(b, "</text>\n");
}

/* Tick values of a scale into t[0..cap); returns their count. Log ticks are
 * data values (not their log). */
static size_t ticks(const ctune__scale *s, double *t, size_t cap, int *dec)
{
    size_t n = 0;
    *dec = 0;
    if (s->kind == CTUNE__SCALE_CATEGORY) {
        for (size_t i = 0; i < s->n_cat && n < cap; i++)
            t[n++] = (double)i;
        return n;
    }
    if (s->kind == CTUNE__SCALE_LOG) {
        double e0 = ceil(s->lo - 1e-9), e1 = floor(s->hi + 1e-9);
        double stride = e1 - e0 + 1 > 8 ? ceil((e1 - e0 + 1) / 8) : 1;
        for (double e = e0; e <= e1 && n < cap; e += stride)
            t[n++] = pow(10, e);
        if (n < 2) { /* less than two decades: 1-2-5 steps */
            n = 0;
            for (double e = floor(s->lo); e <= ceil(s->hi) && n + 3 <= cap; e++)
                for (int k = 0; k < 3; k++) {
                    double v = (k == 0 ? 1 : k == 1 ? 2 : 5) * pow(10, e);
                    if (log10(v) >= s->lo && log10(v) <= s->hi)
                        t[n++] = v;
                }
        }
        *dec = -1; /* formatted with ctune__fmt_num */
        return n;
    }
    double range = s->hi - s->lo;
    double raw = range / 5, mag = pow(10, floor(log10(raw)));
    double step = raw / mag < 1.5   ? mag
                  : raw / mag < 3.5 ? 2 * mag
                  : raw / mag < 7.5 ? 5 * mag
                                    : 10 * mag;
    int d = (int)-floor(log10(step) + 1e-9);
    *dec = d < 0 ? 0 : d > 9 ? 9 : d;
    if (fabs(s->lo) > 1e6 || fabs(s->hi) > 1e6 || step < 1e-6)
        *dec = -1;
    for (double v = ceil(s->lo / step) * step; v <= s->hi + step * 1e-9 && n < cap; v += step)
        t[n++] = fabs(v) < step * 1e-9 ? 0 : v;
    return n;
}

static void tick_label(ctune__sb *b, const ctune__scale *s, double v, int dec)
{
    if (s->kind == CTUNE__SCALE_CATEGORY) {
        const char *c = s->cats[(size_t)v];
        size_t len = strlen(c);
        if (len > 14) { /* long names are cut; the full text is in the table */
            char cut[16];
            size_t k = 12;
            while (k > 0 && ((unsigned char)c[k] & 0xC0) == 0x80) /* not inside a UTF-8 char */
                k--;
            memcpy(cut, c, k);
            cut[k] = '\0';
            ctune__html_text(b, cut);
            ctune__sb_str(b, "…");
        } else {
            ctune__html_text(b, c);
        }
    } else if (dec < 0) {
        ctune__fmt_num(b, v);
    } else {
        ctune__fmt_fixed(b, v, dec);
    }
}

void ctune__svg_axis_x(ctune__sb *b, const ctune__scale *s, double y, const char *label)
{
    double t[64];
    int dec;
    size_t n = ticks(s, t, 64, &dec);
    ctune__sb_str(b, "<g class=\"axis x\"><line x1=\"");
    ctune__svg_coord(b, s->p0);
    ctune__sb_str(b, "\" x2=\"");
    ctune__svg_coord(b, s->p1);
    ctune__sb_str(b, "\" y1=\"");
    ctune__svg_coord(b, y);
    ctune__sb_str(b, "\" y2=\"");
    ctune__svg_coord(b, y);
    ctune__sb_str(b, "\"/>\n");
    int slant = s->kind == CTUNE__SCALE_CATEGORY && s->n_cat > 4;
    for (size_t i = 0; i < n; i++) {
        double x = ctune__scale_map(s, t[i]);
        ctune__sb_str(b, "<line x1=\"");
        ctune__svg_coord(b, x);
        ctune__sb_str(b, "\" x2=\"");
        ctune__svg_coord(b, x);
        ctune__sb_str(b, "\" y1=\"");
        ctune__svg_coord(b, y);
        ctune__sb_str(b, "\" y2=\"");
        ctune__svg_coord(b, y + 5);
        ctune__sb_str(b, "\"/><text x=\"");
        ctune__svg_coord(b, x);
        ctune__sb_str(b, "\" y=\"");
        ctune__svg_coord(b, y + 17);
        if (slant) {
            ctune__sb_str(b, "\" text-anchor=\"end\" transform=\"rotate(-30 ");
            ctune__svg_xy(b, x, y + 17);
            ctune__sb_str(b, ")\">");
        } else {
            ctune__sb_str(b, "\" text-anchor=\"middle\">");
        }
        tick_label(b, s, t[i], dec);
        ctune__sb_str(b, "</text>\n");
    }
    ctune__sb_str(b, "<text class=\"label\" text-anchor=\"middle\" x=\"");
    ctune__svg_coord(b, (s->p0 + s->p1) / 2);
    ctune__sb_str(b, "\" y=\"");
    ctune__svg_coord(b, y + (slant ? 50 : 36));
    ctune__sb_str(b, "\">");
    ctune__html_text(b, label);
    ctune__sb_str(b, "</text></g>\n");
}

void ctune__svg_axis_y(ctune__sb *b, const ctune__scale *s, double x, const char *label)
{
    double t[64];
    int dec;
    size_t n = ticks(s, t, 64, &dec);
    ctune__sb_str(b, "<g class=\"axis y\"><line x1=\"");
    ctune__svg_coord(b, x);
    ctune__sb_str(b, "\" x2=\"");
    ctune__svg_coord(b, x);
    ctune__sb_str(b, "\" y1=\"");
    ctune__svg_coord(b, s->p0);
    ctune__sb_str(b, "\" y2=\"");
    ctune__svg_coord(b, s->p1);
    ctune__sb_str(b, "\"/>\n");
    for (size_t i = 0; i < n; i++) {
        double y = ctune__scale_map(s, t[i]);
        ctune__sb_str(b, "<line x1=\"");
        ctune__svg_coord(b, x - 5);
        ctune__sb_str(b, "\" x2=\"");
        ctune__svg_coord(b, x);
        ctune__sb_str(b, "\" y1=\"");
        ctune__svg_coord(b, y);
        ctune__sb_str(b, "\" y2=\"");
        ctune__svg_coord(b, y);
        ctune__sb_str(b, "\"/><text text-anchor=\"end\" x=\"");
        ctune__svg_coord(b, x - 8);
        ctune__sb_str(b, "\" y=\"");
        ctune__svg_coord(b, y + 4);
        ctune__sb_str(b, "\">");
        tick_label(b, s, t[i], dec);
        ctune__sb_str(b, "</text>\n");
    }
    double cy = (s->p0 + s->p1) / 2;
    if (!label || !*label) {
        ctune__sb_str(b, "</g>\n");
        return;
    }
    ctune__sb_str(b, "<text class=\"label\" text-anchor=\"middle\" transform=\"rotate(-90 ");
    ctune__svg_xy(b, x - 52, cy);
    ctune__sb_str(b, ")\" x=\"");
    ctune__svg_coord(b, x - 52);
    ctune__sb_str(b, "\" y=\"");
    ctune__svg_coord(b, cy);
    ctune__sb_str(b, "\">");
    ctune__html_text(b, label);
    ctune__sb_str(b, "</text></g>\n");
}

/* ---- colours and marks -------------------------------------------------- */

void ctune__svg_colour(double t, char out[8])
{
    /* nine stops of a viridis-like ramp; luminance rises monotonically */
    static const unsigned char stops[9][3] = {{68, 1, 84},    {71, 44, 122},  {59, 81, 139},
                                              {44, 113, 142}, {33, 144, 141}, {39, 173, 129},
                                              {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};
    if (!isfinite(t))
        t = 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double f = t * 8;
    int i = (int)f;
    if (i > 7)
        i = 7;
    f -= i;
    int rgb[3];
    for (int k = 0; k < 3; k++)
        rgb[k] = (int)lround(stops[i][k] + (stops[i + 1][k] - stops[i][k]) * f);
    snprintf(out, 8, "#%02x%02x%02x", rgb[0] & 0xff, rgb[1] & 0xff, rgb[2] & 0xff);
}

/* The shape of mark m, its class "<cls> <kind>", left open for a <title>
 * or closed; returns the closing tag's name. */
static const char *mark_shape(ctune__sb *b, double x, double y, ctune__mark m, const char *fill,
                              const char *cls, int open)
{
    const char *end = open ? ">" : "/>\n";
    if (m == CTUNE__MARK_FAILED) {
        ctune__sb_printf(b, "<path class=\"%s failed\" d=\"M", cls);
        ctune__svg_xy(b, x - 4, y - 4);
        ctune__sb_str(b, "L");
        ctune__svg_xy(b, x + 4, y + 4);
        ctune__sb_str(b, "M");
        ctune__svg_xy(b, x - 4, y + 4);
        ctune__sb_str(b, "L");
        ctune__svg_xy(b, x + 4, y - 4);
        ctune__sb_printf(b, "\"%s", end);
        return "path";
    }
    if (m == CTUNE__MARK_BEST || m == CTUNE__MARK_PRUNED) {
        int best = m == CTUNE__MARK_BEST;
        ctune__sb_printf(b, "<path class=\"%s %s\" d=\"M", cls, best ? "best" : "pruned");
        if (best) { /* a diamond */
            ctune__svg_xy(b, x, y - 9);
            ctune__sb_str(b, "L");
            ctune__svg_xy(b, x + 9, y);
            ctune__sb_str(b, "L");
            ctune__svg_xy(b, x, y + 9);
            ctune__sb_str(b, "L");
            ctune__svg_xy(b, x - 9, y);
        } else { /* a triangle pointing down: stopped early */
            ctune__svg_xy(b, x - 5.5, y - 4);
            ctune__sb_str(b, "L");
            ctune__svg_xy(b, x + 5.5, y - 4);
            ctune__sb_str(b, "L");
            ctune__svg_xy(b, x, y + 5.5);
        }
        ctune__sb_printf(b, "Z\" fill=\"%s\"%s", fill, end);
        return "path";
    }
    ctune__sb_printf(b, "<circle class=\"%s%s\" r=\"4.5\" cx=\"", cls,
                     m == CTUNE__MARK_INCOMPLETE ? " incomplete" : "");
    ctune__svg_coord(b, x);
    ctune__sb_str(b, "\" cy=\"");
    ctune__svg_coord(b, y);
    if (m == CTUNE__MARK_INCOMPLETE)
        ctune__sb_printf(b, "\"%s", end);
    else
        ctune__sb_printf(b, "\" fill=\"%s\"%s", fill, end);
    return "circle";
}

void ctune__svg_mark(ctune__sb *b, double x, double y, ctune__mark m, const char *fill,
                     const char *tip)
{
    const char *tag = mark_shape(b, x, y, m, fill, "pt", 1);
    ctune__sb_str(b, "<title>");
    ctune__html_text(b, tip);
    ctune__sb_printf(b, "</title></%s>\n", tag);
}

void ctune__svg_key(ctune__sb *b, double x, double y, ctune__mark m, const char *fill)
{
    mark_shape(b, x, y, m, fill, "key", 0);
}
