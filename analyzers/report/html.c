/* html.c -- one self-contained page (inline CSS and SVG, no script, no
 * network): the findings, the summary table, and for each flagged process a
 * chart of young heap, old heap, binary vheap and measured old-heap garbage
 * words over its life, with markers for minor GCs, full sweeps,
 * hibernations and censuses. */
#include "report.h"

#define W 900
#define H 260
#define PAD 50

struct scale {
  uint64_t t0, t1, ymax;
};

static double sx(const struct scale *s, uint64_t t) {
  double span = s->t1 > s->t0 ? (double)(s->t1 - s->t0) : 1.0;
  return PAD + (W - 2 * PAD) * (double)(t - s->t0) / span;
}

static double sy(const struct scale *s, uint64_t v) {
  return H - PAD + 0.0 - (H - 2 * PAD) * (double)v / (double)s->ymax;
}

static struct scale chart_scale(const struct gha_analyzer *an,
                                const struct gha_proc *p) {
  struct scale s = {p->first_ns, gha_proc_end_ns(an, p), 1};
  for (unsigned i = 0; i < p->series_len; i++) {
    const struct gha_point *pt = &p->series[i];
    uint64_t m = pt->young > pt->old ? pt->young : pt->old;
    if (pt->binv > m)
      m = pt->binv;
    if (m > s.ymax)
      s.ymax = m;
  }
  return s;
}

enum series { S_YOUNG, S_OLD, S_BINV, S_WASTE };

static uint64_t value_of(const struct gha_point *pt, enum series which) {
  switch (which) {
  case S_YOUNG: return pt->young;
  case S_OLD: return pt->old;
  case S_BINV: return pt->binv;
  default: return pt->waste;
  }
}

static void polyline(FILE *out, const struct gha_proc *p, const struct scale *s,
                     enum series which, const char *cls, const char *color) {
  fprintf(out, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" points=\"",
          cls, color);
  for (unsigned i = 0; i < p->series_len; i++) {
    const struct gha_point *pt = &p->series[i];
    fprintf(out, "%s%.1f,%.1f", i ? " " : "", sx(s, gha_point_ts(p, pt)),
            sy(s, value_of(pt, which)));
  }
  /* hold the last value to the end of its life: that is what it keeps */
  if (p->series_len) {
    const struct gha_point *pt = &p->series[p->series_len - 1];
    fprintf(out, " %.1f,%.1f", sx(s, s->t1), sy(s, value_of(pt, which)));
  }
  fputs("\"/>\n", out);
}

static void markers(FILE *out, const struct gha_proc *p, const struct scale *s) {
  for (unsigned i = 0; i < p->series_len; i++) {
    const struct gha_point *pt = &p->series[i];
    double x = sx(s, gha_point_ts(p, pt));
    if (pt->marks & GHA_MARK_CENSUS)
      fprintf(out, "<rect class=\"mark-census\" x=\"%.1f\" y=\"%d\" "
                   "width=\"6\" height=\"6\" fill=\"#16a085\"/>\n",
              x - 3, PAD - 15);
    if (pt->marks & GHA_MARK_HIBERNATE)
      fprintf(out, "<circle class=\"mark-hibernate\" cx=\"%.1f\" cy=\"%d\" "
                   "r=\"5\" fill=\"#8e44ad\"/>\n", x, PAD - 12);
    if (pt->marks & GHA_MARK_SWEEP)
      fprintf(out, "<line class=\"mark-sweep\" x1=\"%.1f\" x2=\"%.1f\" "
                   "y1=\"%d\" y2=\"%d\" stroke=\"#c0392b\"/>\n",
              x, x, PAD, H - PAD);
    if (pt->marks & GHA_MARK_MINOR)
      fprintf(out, "<line class=\"mark-minor\" x1=\"%.1f\" x2=\"%.1f\" "
                   "y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n",
              x, x, H - PAD, H - PAD + 6);
  }
}

static void chart(FILE *out, const struct gha_analyzer *an,
                  const struct gha_proc *p) {
  char label[128];
  gha_proc_label(an, p, label, sizeof label);
  struct scale s = chart_scale(an, p);
  fputs("<h3>", out);
  gha_put_xml_text(out, label);
  fprintf(out, "</h3>\n<svg class=\"gha-chart\" data-process=\"");
  gha_put_xml_text(out, label);
  fprintf(out, "\" data-points=\"%u\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">\n",
          p->series_len, W, H, W, H);
  fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
               "fill=\"none\" stroke=\"#ccc\"/>\n",
          PAD, PAD, W - 2 * PAD, H - 2 * PAD);
  fprintf(out, "<text x=\"4\" y=\"%d\" font-size=\"11\">%llu w</text>\n", PAD,
          (unsigned long long)s.ymax);
  fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.3f s</text>\n",
          W - PAD - 30, H - PAD + 20, (double)(s.t1 - s.t0) / 1e9);
  polyline(out, p, &s, S_YOUNG, "series-young", "#2980b9");
  polyline(out, p, &s, S_OLD, "series-old", "#e67e22");
  polyline(out, p, &s, S_BINV, "series-binv", "#27ae60");
  polyline(out, p, &s, S_WASTE, "series-waste", "#c0392b");
  markers(out, p, &s);
  fputs("</svg>\n", out);
}

static void findings_list(FILE *out, const struct gha_analyzer *an) {
  fprintf(out, "<h2>Findings (%zu)</h2>\n<ul>\n", gha_finding_count(an));
  for (size_t i = 0; i < gha_finding_count(an); i++) {
    const struct gha_finding *f = gha_finding_at(an, i);
    char label[128];
    gha_proc_label(an, f->proc, label, sizeof label);
    fprintf(out, "<li class=\"finding %s\"><b>%s %s</b> ",
            gha_severity_name(f->severity), gha_severity_name(f->severity),
            gha_analysis_name(f->analysis));
    gha_put_xml_text(out, label);
    fputs(": ", out);
    {
      char msg[GHA_MESSAGE_MAX];
      gha_finding_message(an, f, msg, sizeof msg);
      gha_put_xml_text(out, msg);
    }
    fprintf(out, "<br><i>evidence:</i> %s; a full sweep would free %llu words (%s)",
            f->measured ? f->evidence : "none (suspected)",
            (unsigned long long)f->would_free,
            f->would_free_kind ? f->would_free_kind : "n/a");
    fputs("<br><i>fix:</i> ", out);
    gha_put_xml_text(out, f->fix);
    fputs("</li>\n", out);
  }
  fputs("</ul>\n", out);
}

static void summary_table(FILE *out, const struct gha_analyzer *an) {
  fputs("<h2>Processes</h2>\n<table><tr><th>process</th><th>minor GCs</th>"
        "<th>full sweeps</th><th>hibernations</th><th>p99 pause (us)</th>"
        "<th>peak heap</th><th>peak old heap</th><th>peak garbage (measured)"
        "</th><th>garbage word-s</th><th>state</th></tr>\n", out);
  for (size_t i = 0; i < gha_proc_count(an); i++) {
    const struct gha_proc *p = gha_proc_at(an, i);
    char label[128];
    gha_proc_label(an, p, label, sizeof label);
    fputs("<tr><td>", out);
    gha_put_xml_text(out, label);
    struct gha_waste_summary w, b;
    gha_proc_waste(an, p, &w, &b);
    fprintf(out, "</td><td>%llu</td><td>%llu</td><td>%llu</td><td>%.1f</td>"
                 "<td>%llu</td><td>%llu</td><td>%llu</td><td>%.4g</td>"
                 "<td>%s</td></tr>\n",
            (unsigned long long)p->info.minor_gcs,
            (unsigned long long)p->info.full_sweeps,
            (unsigned long long)p->info.hibernations,
            (double)gha_pause_percentile(p, 99) / 1e3,
            (unsigned long long)p->peak_heap_block,
            (unsigned long long)p->peak_old_heap_block,
            (unsigned long long)w.peak, w.word_s, gha_proc_state(p));
  }
  fputs("</table>\n", out);
}

int gha_report_html(FILE *out, const struct gha_analyzer *an,
                    const struct gha_run_info *run) {
  (void)run;
  fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<title>genheap-analyze report</title>\n<style>body{font-family:"
        "sans-serif;margin:1em}table{border-collapse:collapse}td,th{border:"
        "1px solid #ccc;padding:2px 6px}.legend span{margin-right:1em}"
        "</style></head><body>\n<h1>genheap-analyze report</h1>\n", out);
  fprintf(out, "<p>%llu events, %zu processes, %llu events lost.</p>\n",
          (unsigned long long)gha_event_count(an), gha_proc_count(an),
          (unsigned long long)gha_discarded_count(an));
  for (size_t i = 0; i < gha_origin_count(an); i++) {
    fputs("<p class=\"runtime\">runtime: ", out);
    gha_put_xml_text(out, gha_origin_at(an, i, NULL));
    fputs("</p>\n", out);
  }
  if (gha_recorder_sweep_count(an))
    fprintf(out, "<p>The recorder swept %llu BEAM process(es) that the "
                 "analyses could flag, and recorded what each sweep freed: "
                 "measured waste (BEAM counts live words only by collecting)."
                 "</p>\n", (unsigned long long)gha_recorder_sweep_count(an));
  findings_list(out, an);
  fputs("<h2>Flagged processes</h2>\n<p class=\"legend\"><span style=\""
        "color:#2980b9\">young heap</span><span style=\"color:#e67e22\">old "
        "heap</span><span style=\"color:#27ae60\">binary vheap</span><span "
        "style=\"color:#999\">| minor GC</span><span style=\"color:#c0392b\">"
        "| full sweep</span><span style=\"color:#8e44ad\">&#9679; hibernate"
        "</span><span style=\"color:#c0392b\">old-heap garbage (measured)</span>"
        "<span style=\"color:#16a085\">&#9632; census</span> (words over "
        "trace time)</p>\n", out);
  for (size_t i = 0; i < gha_proc_count(an); i++)
    if (gha_proc_flagged(an, gha_proc_at(an, i)))
      chart(out, an, gha_proc_at(an, i));
  summary_table(out, an);
  fputs("</body></html>\n", out);
  return ferror(out) ? -1 : 0;
}
