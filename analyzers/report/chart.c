/* chart.c -- one process's life as an inline SVG chart.
 *
 * What the chart must show is where the memory went and when: a router
 * that forwards 2,000 binaries in 0.14 s and then idles for 1.46 s has all
 * its events in the first tenth of its life.  A linear time axis squeezes
 * that burst into a few pixels and draws a flat line for the rest, so the
 * axis is piecewise: a stretch with no event that is long both against
 * the process's usual interval between events (10 times the median) and
 * against its life (1/20) is an idle stretch, drawn grey, a fixed narrow
 * width, with its length written in it; the active stretches share the
 * rest of the width by duration.  Times are labelled in seconds of the
 * trace, as the findings give them.
 *
 * Heap figures hold from one event to the next, so they are step lines.
 * The measured waste is drawn as bands under its lower bound: the chart
 * points carry it as the latest measurement knows it (series.c), raised
 * here once more by the open epoch's staircase, which the core keeps
 * exactly.  A finding that nothing measured shows its estimate hatched
 * over the idle time, labelled as an estimate.
 */
#include "html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W          900
#define H          300
#define X0         64       /* plot area: left ... */
#define X1         (W - 20) /* ... right */
#define Y0         38       /* top: markers above it */
#define Y1         (H - 54) /* bottom: time labels below it */
#define SEGS_MAX   64       /* stretches of the time axis */
#define LABEL_GAP  52       /* the narrowest stretch that gets round time labels */
#define CHAR_W     8.5      /* a digit's width at the largest font the pages use (14) */
#define POINTS_MAX (GHA_SERIES_MAX + 2)

struct seg {
  uint64_t a, b; /* times */
  double xa, xb; /* pixels */
  bool idle;
};

struct frame {
  uint64_t t0, t1; /* the process's life */
  uint64_t begin;  /* the trace's: labels count from it */
  double ymax;
  struct seg seg[SEGS_MAX];
  size_t nseg, nidle;
};

/* ---- scales --------------------------------------------------------------- */

/* 1, 2 or 5 times a power of ten, at least v. */
static double nice_up(double v) {
  if (v <= 0)
    return 1;
  double p = pow(10, floor(log10(v)));
  double m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static double xof(const struct frame *f, uint64_t t) {
  if (t <= f->t0)
    return f->seg[0].xa;
  for (size_t i = 0; i < f->nseg; i++) { /* an active stretch owns its ends */
    const struct seg *s = &f->seg[i];
    if (!s->idle && t >= s->a && t <= s->b)
      return s->b == s->a
                 ? (s->xa + s->xb) / 2
                 : s->xa + (s->xb - s->xa) * (double)(t - s->a) / (double)(s->b - s->a);
  }
  for (size_t i = 0; i < f->nseg; i++) {
    const struct seg *s = &f->seg[i];
    if (t >= s->a && t <= s->b)
      return s->xa + (s->xb - s->xa) * (double)(t - s->a) / (double)(s->b - s->a);
  }
  return f->seg[f->nseg - 1].xb;
}

static double yof(const struct frame *f, double v) {
  return Y1 - (Y1 - Y0) * (v > f->ymax ? f->ymax : v) / f->ymax;
}

static int u64_order(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Splits [t0, t1] at its idle stretches and gives each stretch its width. */
static void time_axis(struct frame *f, const uint64_t *ts, size_t n) {
  uint64_t gaps[POINTS_MAX];
  size_t ng = 0;
  for (size_t i = 1; i < n; i++)
    if (ts[i] > ts[i - 1])
      gaps[ng++] = ts[i] - ts[i - 1];
  uint64_t span = f->t1 - f->t0, median = 0;
  if (ng) {
    qsort(gaps, ng, sizeof gaps[0], u64_order);
    median = gaps[ng / 2];
  }
  uint64_t idle_min = median * 10 > span / 20 ? median * 10 : span / 20;
  f->nseg = f->nidle = 0;
  uint64_t start = f->t0;
  for (size_t i = 1; i < n && ng >= 2; i++) {
    uint64_t gap = ts[i] - ts[i - 1];
    if (gap < idle_min || gap == 0 || f->nseg + 3 > SEGS_MAX)
      continue;
    f->seg[f->nseg++] = (struct seg){start, ts[i - 1], 0, 0, false};
    f->seg[f->nseg++] = (struct seg){ts[i - 1], ts[i], 0, 0, true};
    f->nidle++;
    start = ts[i];
  }
  f->seg[f->nseg++] = (struct seg){start, f->t1, 0, 0, false};
  /* widths: idle ones fixed, active ones by duration, each at least 8 px */
  double plot = X1 - X0, idle_w = 0;
  if (f->nidle) {
    idle_w = 0.3 * plot / (double)f->nidle;
    if (idle_w > 120)
      idle_w = 120;
  }
  size_t nactive = f->nseg - f->nidle;
  double active_w = plot - idle_w * (double)f->nidle - 8.0 * (double)nactive;
  uint64_t active_ns = 0;
  for (size_t i = 0; i < f->nseg; i++)
    if (!f->seg[i].idle)
      active_ns += f->seg[i].b - f->seg[i].a;
  double x = X0;
  for (size_t i = 0; i < f->nseg; i++) {
    struct seg *s = &f->seg[i];
    double w = idle_w;
    if (!s->idle)
      w = 8.0 + (active_ns ? active_w * (double)(s->b - s->a) / (double)active_ns
                           : active_w / (double)nactive);
    s->xa = x;
    s->xb = x += w;
  }
  f->seg[f->nseg - 1].xb = X1;
}

/* ---- the values drawn ----------------------------------------------------- */

struct values {
  size_t n;
  uint64_t ts[POINTS_MAX];
  double x[POINTS_MAX];
  uint64_t young[POINTS_MAX], old[POINTS_MAX], binv[POINTS_MAX];
  uint64_t waste[POINTS_MAX], binwaste[POINTS_MAX];
  uint64_t waste_end, binwaste_end; /* the lower bounds at the end of its life */
};

static void gather(const struct gha_analyzer *an, const struct gha_proc *p,
                   struct values *v) {
  v->n = p->series_len;
  for (size_t i = 0; i < v->n; i++) {
    const struct gha_point *pt = &p->series[i];
    /* the open epoch's staircase (waste.h): exact, unlike the points */
    uint64_t t = gha_point_ts(p, pt), sw = gha_waste_at(&p->waste, t),
             sb = gha_waste_at(&p->binwaste, t);
    v->ts[i] = t;
    v->young[i] = pt->young;
    v->old[i] = pt->old;
    v->binv[i] = pt->binv;
    v->waste[i] = pt->waste > sw ? pt->waste : sw;
    v->binwaste[i] = pt->binwaste > sb ? pt->binwaste : sb;
  }
  struct gha_waste_summary w, b;
  gha_proc_waste(an, p, &w, &b);
  v->waste_end = w.now_words;
  v->binwaste_end = b.now_words;
  if (v->n && v->waste[v->n - 1] > v->waste_end)
    v->waste_end = v->waste[v->n - 1];
  if (v->n && v->binwaste[v->n - 1] > v->binwaste_end)
    v->binwaste_end = v->binwaste[v->n - 1];
}

static const struct gha_finding *
finding_of(const struct gha_analyzer *an, const struct gha_proc *p, enum gha_analysis a) {
  return gha_finding_for(an, p, a);
}

static uint64_t threshold_of(const struct gha_analyzer *an, enum gha_analysis a) {
  return a == GHA_BLOAT ? gha_opts(an)->bloat_min_words : gha_opts(an)->binleak_min_words;
}

uint64_t gha_chart_ymax(const struct gha_analyzer *an, const struct gha_proc *p) {
  uint64_t m = 1;
  for (unsigned i = 0; i < p->series_len; i++) {
    const struct gha_point *pt = &p->series[i];
    uint64_t vals[] = {pt->young, pt->old, pt->binv, pt->waste, pt->binwaste};
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++)
      if (vals[k] > m)
        m = vals[k];
  }
  for (int a = GHA_BLOAT; a <= GHA_BINLEAK; a++) {
    const struct gha_finding *f = finding_of(an, p, (enum gha_analysis)a);
    if (!f)
      continue;
    uint64_t v = f->measured ? threshold_of(an, (enum gha_analysis)a) : f->would_free;
    if (f->waste_words > v)
      v = f->waste_words;
    if (v > m)
      m = v;
  }
  return m;
}

/* ---- drawing -------------------------------------------------------------- */

void gha_html_human(char *buf, size_t size, double v) {
  static const char *const units[] = {"", "k", "M", "G", "T"};
  int u = 0;
  while (fabs(v) >= 1000 && u < 4) {
    v /= 1000;
    u++;
  }
  snprintf(buf, size, "%.*f%s", u && fabs(v) < 10 && v != floor(v) ? 1 : 0, v, units[u]);
}

static double rel_s(const struct frame *f, uint64_t t) {
  return t > f->begin ? (double)(t - f->begin) / 1e9 : 0.0;
}

/* A step line through the values, held to the end of the life; closed
 * down to the axis for a band. */
static void step_path(FILE *out, const struct frame *f, const struct values *v,
                      const uint64_t *vals, uint64_t end_val, bool band) {
  double prev = 0;
  for (size_t i = 0; i < v->n; i++) {
    double y = yof(f, (double)vals[i]);
    if (i == 0 && band)
      fprintf(out, "%.1f,%d ", v->x[0], Y1);
    if (i > 0)
      fprintf(out, "%.1f,%.1f ", v->x[i], prev);
    fprintf(out, "%.1f,%.1f ", v->x[i], y);
    prev = y;
  }
  double xe = xof(f, f->t1);
  if (v->n) {
    fprintf(out, "%.1f,%.1f %.1f,%.1f", xe, prev, xe, yof(f, (double)end_val));
    if (band)
      fprintf(out, " %.1f,%d", xe, Y1);
  }
}

static bool any(const uint64_t *vals, size_t n, uint64_t end) {
  for (size_t i = 0; i < n; i++)
    if (vals[i])
      return true;
  return end != 0;
}

static void series(FILE *out, const struct frame *f, const struct values *v,
                   const uint64_t *vals, const char *cls, const char *color) {
  fprintf(out,
          "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" "
          "points=\"",
          cls, color);
  step_path(out, f, v, vals, v->n ? vals[v->n - 1] : 0, false);
  fputs("\"/>\n", out);
}

static void band(FILE *out, const struct frame *f, const struct values *v,
                 const uint64_t *vals, uint64_t end, const char *cls, const char *color,
                 const char *what) {
  if (!any(vals, v->n, end))
    return;
  fprintf(out,
          "<polygon class=\"%s\" fill=\"%s\" fill-opacity=\"0.28\" stroke=\"%s\" "
          "stroke-width=\"1\" points=\"",
          cls, color, color);
  step_path(out, f, v, vals, end, true);
  fprintf(out, "\"><title>%s: measured lower bound</title></polygon>\n", what);
}

/* The step between two word ticks: whole words. */
static double y_step(double ymax) {
  double s = nice_up(ymax / 4);
  return s < 1 ? 1 : s;
}

static void y_axis(FILE *out, const struct frame *f) {
  double step = y_step(f->ymax);
  for (double y = 0; y <= f->ymax + step / 1e6; y += step) {
    char lab[32];
    gha_html_human(lab, sizeof lab, y);
    double py = yof(f, y);
    fprintf(out,
            "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#e5e5e5\"/>\n<text class=\"y-label\" x=\"%d\" y=\"%.1f\" "
            "text-anchor=\"end\">%s</text>\n",
            X0, X1, py, py, X0 - 6, py + 4, lab);
  }
  fprintf(out,
          "<text class=\"axis-title\" transform=\"translate(14 %d) rotate(-90)\" "
          "text-anchor=\"middle\">words</text>\n",
          (Y0 + Y1) / 2);
}

/* The time labels drawn so far, as intervals of x. */
struct labels {
  double x0[128], x1[128];
  size_t n;
};

static void time_label(FILE *out, const struct frame *f, struct labels *l, uint64_t t,
                       int digits, bool tick) {
  double x = xof(f, t);
  char text[32];
  snprintf(text, sizeof text, "%.*f", digits, rel_s(f, t));
  double w = CHAR_W * (double)strlen(text) + 8; /* and a gap */
  const char *anchor = x < X0 + 20 ? "start" : x > X1 - 20 ? "end" : "middle";
  double x0 = anchor[0] == 's' ? x - 4 : anchor[0] == 'e' ? x - w + 4 : x - w / 2;
  if (l->n == sizeof l->x0 / sizeof l->x0[0] || x0 < 0 || x0 + w > W)
    return;
  for (size_t i = 0; i < l->n; i++)
    if (x0 < l->x1[i] && l->x0[i] < x0 + w)
      return;
  l->x0[l->n] = x0;
  l->x1[l->n++] = x0 + w;
  if (tick)
    fprintf(out,
            "<line class=\"x-tick\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
            "stroke=\"#999\"/>\n",
            x, x, Y1, Y1 + 5);
  fprintf(out,
          "<text class=\"x-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>\n", x,
          Y1 + 18, anchor, text);
}

static int digits_for(double step_s) {
  int d = (int)ceil(-log10(step_s) - 1e-9);
  return d < 0 ? 0 : d > 9 ? 9 : d;
}

static void x_axis(FILE *out, const struct frame *f) {
  struct labels l = {.n = 0};
  double span_s = (double)(f->t1 - f->t0) / 1e9;
  int bd = digits_for(span_s / 100);
  if (bd < 3)
    bd = 3;
  /* the ends of the life and of the idle stretches first */
  time_label(out, f, &l, f->t0, bd, true);
  time_label(out, f, &l, f->t1, bd, true);
  for (size_t i = 0; i < f->nseg; i++)
    if (f->seg[i].idle) {
      time_label(out, f, &l, f->seg[i].a, bd, true);
      time_label(out, f, &l, f->seg[i].b, bd, true);
    }
  /* then round times in each active stretch wide enough for them */
  for (size_t i = 0; i < f->nseg; i++) {
    const struct seg *s = &f->seg[i];
    double w = s->xb - s->xa;
    if (s->idle || w < LABEL_GAP || s->b <= s->a)
      continue;
    double dur = (double)(s->b - s->a) / 1e9, step = nice_up(dur / (w / 90.0));
    if (digits_for(step) > bd + 1)
      continue; /* a stretch too short for round times the others can read */
    double from = ceil(rel_s(f, s->a) / step) * step;
    for (double r = from; r <= rel_s(f, s->b) + step / 1e6; r += step) {
      uint64_t t = f->begin + (uint64_t)llround(r * 1e9);
      if (t >= s->a && t <= s->b)
        time_label(out, f, &l, t, digits_for(step), true);
    }
  }
  fprintf(out,
          "<text class=\"axis-title\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
          "seconds of the trace%s</text>\n",
          (X0 + X1) / 2, H - 10, f->nidle ? " (grey: idle stretches, compressed)" : "");
}

static void idle_stretches(FILE *out, const struct frame *f) {
  for (size_t i = 0; i < f->nseg; i++) {
    const struct seg *s = &f->seg[i];
    if (!s->idle)
      continue;
    double mid = (s->xa + s->xb) / 2;
    fprintf(out,
            "<rect class=\"idle-gap\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
            "height=\"%d\" fill=\"#f0f0f0\"/>\n",
            s->xa, Y0, s->xb - s->xa, Y1 - Y0);
    /* a break in the axis: // */
    for (int k = -1; k <= 1; k += 2)
      fprintf(out,
              "<line class=\"axis-break\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
              "stroke=\"#666\"/>\n",
              mid + k * 3 - 3, mid + k * 3 + 3, Y1 + 5, Y1 - 5);
    fprintf(out,
            "<text class=\"idle-label\" transform=\"translate(%.1f %d) rotate(-90)\" "
            "text-anchor=\"middle\">idle %.3f s</text>\n",
            mid + 4, (Y0 + Y1) / 2, (double)(s->b - s->a) / 1e9);
  }
}

static void markers(FILE *out, const struct frame *f, const struct gha_proc *p,
                    const struct values *v) {
  for (size_t i = 0; i < v->n; i++) {
    uint8_t m = p->series[i].marks;
    double x = v->x[i], t = rel_s(f, v->ts[i]);
    if (m & GHA_MARK_SWEEP)
      fprintf(out,
              "<line class=\"mark-sweep\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
              "stroke=\"#c0392b\" stroke-dasharray=\"3 3\"><title>full sweep, %.4f s"
              "</title></line>\n",
              x, x, Y0, Y1, t);
    if (m & GHA_MARK_MINOR)
      fprintf(out,
              "<line class=\"mark-minor\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
              "stroke=\"#888\"/>\n",
              x, x, Y1 - 6, Y1);
    if (m & GHA_MARK_HIBERNATE)
      fprintf(out,
              "<circle class=\"mark-hibernate\" cx=\"%.1f\" cy=\"%d\" r=\"5\" "
              "fill=\"#8e44ad\"><title>hibernated, %.4f s</title></circle>\n",
              x, Y0 - 10, t);
    if (m & GHA_MARK_CENSUS)
      fprintf(out,
              "<rect class=\"mark-census\" x=\"%.1f\" y=\"%d\" width=\"8\" "
              "height=\"8\" fill=\"#16a085\"><title>census, %.4f s</title></rect>\n",
              x - 4, Y0 - 26, t);
  }
}

/* What a finding says over time: a measured one, when its waste was at or
 * above the threshold (a bracket over the plot and the threshold line);
 * an estimated one, its figure hatched over the idle time. */
static void finding_marks(FILE *out, const struct gha_analyzer *an, const struct frame *f,
                          const struct gha_proc *p) {
  int row = 0;
  for (int a = GHA_BLOAT; a <= GHA_BINLEAK; a++) {
    const struct gha_finding *fd = finding_of(an, p, (enum gha_analysis)a);
    if (!fd)
      continue;
    const char *what = a == GHA_BLOAT ? "old-heap garbage" : "binary waste";
    if (fd->measured) {
      uint64_t thr = threshold_of(an, (enum gha_analysis)a);
      double ty = yof(f, (double)thr), xa = xof(f, fd->from_ns),
             xb = xof(f, fd->until_ns);
      double by = Y0 + 8 + 14 * row++;
      char lab[32];
      gha_html_human(lab, sizeof lab, (double)thr);
      fprintf(out,
              "<line class=\"threshold\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
              "stroke=\"#555\" stroke-dasharray=\"6 3\"/>\n",
              X0, X1, ty, ty);
      fprintf(out,
              "<path class=\"above-span\" d=\"M%.1f %.1f V%.1f H%.1f V%.1f\" "
              "fill=\"none\" stroke=\"#333\"/>\n",
              xa, by + 5, by, xb, by + 5);
      fprintf(out,
              "<text class=\"above-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">"
              "%s %s: %s &#8805; %s words for %.3f s (measured by %s)</text>\n",
              xa + 4 < X1 - 300 ? xa + 4 : xb - 4, by + 12,
              xa + 4 < X1 - 300 ? "start" : "end", gha_severity_name(fd->severity),
              gha_analysis_name(fd->analysis), what, lab, (double)fd->above_ns / 1e9,
              fd->evidence);
    } else {
      uint64_t from = gha_proc_end_ns(an, p) - fd->idle_ns;
      if (from < f->t0 || fd->idle_ns == 0)
        from = fd->since_ns > f->t0 ? fd->since_ns : f->t0;
      double xa = xof(f, from), xb = xof(f, f->t1), y = yof(f, (double)fd->would_free);
      fprintf(out,
              "<rect class=\"band-estimated\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
              "height=\"%.1f\" fill=\"url(#gha-hatch)\" stroke=\"#c0392b\" "
              "stroke-dasharray=\"4 2\"><title>%s: up to %llu words (estimated: "
              "nothing measured it)</title></rect>\n",
              xa, y, xb - xa > 1 ? xb - xa : 1, Y1 - y, what,
              (unsigned long long)fd->would_free);
      char lab[32];
      gha_html_human(lab, sizeof lab, (double)fd->would_free);
      fprintf(out,
              "<text class=\"above-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">"
              "%s %s: up to %s words (estimated)</text>\n",
              xb - 4, y - 4 > Y0 + 10 ? y - 4 : Y0 + 10, gha_severity_name(fd->severity),
              gha_analysis_name(fd->analysis), lab);
    }
  }
}

static void points(FILE *out, const struct frame *f, const struct values *v) {
  for (size_t i = 0; i < v->n; i++)
    fprintf(out,
            "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"#e67e22\">"
            "<title>%.4f s: young %llu, old %llu, binaries %llu words; garbage "
            "&#8805; %llu, binary waste &#8805; %llu (measured)</title></circle>\n",
            v->x[i], yof(f, (double)v->old[i]), rel_s(f, v->ts[i]),
            (unsigned long long)v->young[i], (unsigned long long)v->old[i],
            (unsigned long long)v->binv[i], (unsigned long long)v->waste[i],
            (unsigned long long)v->binwaste[i]);
}

void gha_chart(FILE *out, const struct gha_analyzer *an, const struct gha_proc *p,
               uint64_t ymax, const char *id) {
  struct frame *f = calloc(1, sizeof *f);
  struct values *v = calloc(1, sizeof *v);
  if (!f || !v) {
    free(f);
    free(v);
    return;
  }
  f->t0 = p->first_ns;
  f->t1 = gha_proc_end_ns(an, p);
  f->begin = gha_trace_begin_ns(an);
  gather(an, p, v);
  f->ymax = (double)(ymax ? ymax : gha_chart_ymax(an, p));
  if (f->ymax < 4)
    f->ymax = 4;
  f->ymax = ceil(f->ymax / y_step(f->ymax)) * y_step(f->ymax);
  /* the axis's times: the life's ends around the points where something
   * happened (a point the core added where evidence of waste begins is
   * not activity) */
  uint64_t ts[POINTS_MAX];
  size_t n = 0;
  ts[n++] = f->t0;
  for (size_t i = 0; i < v->n; i++) {
    if (p->series[i].marks == GHA_MARK_EVIDENCE)
      continue;
    ts[n++] = v->ts[i] < f->t0 ? f->t0 : v->ts[i] > f->t1 ? f->t1 : v->ts[i];
  }
  ts[n++] = f->t1;
  time_axis(f, ts, n);
  for (size_t i = 0; i < v->n; i++)
    v->x[i] = xof(f, v->ts[i]);
  char label[128];
  gha_proc_label(an, p, label, sizeof label);
  fprintf(out, "<svg class=\"gha-chart\" id=\"%s\" data-process=\"", id);
  gha_put_xml_text(out, label);
  fprintf(out,
          "\" data-points=\"%u\" data-idle=\"%zu\" viewBox=\"0 0 %d %d\" "
          "role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">\n<title>",
          p->series_len, f->nidle, W, H);
  gha_put_xml_text(out, label);
  fputs(": heap words over its life</title>\n", out);
  idle_stretches(out, f);
  y_axis(out, f);
  fprintf(out,
          "<rect class=\"plot\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
          "fill=\"none\" stroke=\"#bbb\"/>\n",
          X0, Y0, X1 - X0, Y1 - Y0);
  band(out, f, v, v->waste, v->waste_end, "band-garbage", "#c0392b", "old-heap garbage");
  band(out, f, v, v->binwaste, v->binwaste_end, "band-binwaste", "#8e44ad",
       "binary waste");
  series(out, f, v, v->young, "series-young", "#2980b9");
  series(out, f, v, v->binv, "series-binv", "#27ae60");
  series(out, f, v, v->old, "series-old", "#e67e22");
  markers(out, f, p, v);
  finding_marks(out, an, f, p);
  points(out, f, v);
  x_axis(out, f);
  fputs("</svg>\n", out);
  free(f);
  free(v);
}

void gha_chart_legend(FILE *out) {
  fputs("<p class=\"legend\">"
        "<span><i style=\"background:#2980b9\"></i>young heap</span>"
        "<span><i style=\"background:#e67e22\"></i>old heap</span>"
        "<span><i style=\"background:#27ae60\"></i>binary vheap</span>"
        "<span><i class=\"area\" style=\"background:#c0392b\"></i>old-heap garbage "
        "(measured)</span>"
        "<span><i class=\"area\" style=\"background:#8e44ad\"></i>binary waste "
        "(measured)</span>"
        "<span><i class=\"hatch\"></i>estimated waste</span>"
        "<span style=\"color:#888\">&#9474; minor GC</span>"
        "<span style=\"color:#c0392b\">&#9478; full sweep</span>"
        "<span style=\"color:#8e44ad\">&#9679; hibernate</span>"
        "<span style=\"color:#16a085\">&#9632; census</span>"
        "<span style=\"color:#555\">- - threshold</span>"
        "</p>\n",
        out);
}
