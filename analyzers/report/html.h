/* html.h -- the parts of the HTML pages (html.c: one run; compare.c: two
 * runs side by side): the page's head with its style and inline script,
 * the charts (chart.c) and the process tables.  Not installed; the writers
 * themselves are declared in report.h.
 */
#ifndef GHA_HTML_H
#define GHA_HTML_H

#include "report.h"

/* Rows the process table lists without --all (the top ones: flagged
 * first, then the most waste); the table by name counts every process. */
#define GHA_HTML_ROWS   500
#define GHA_HTML_GROUPS 1000

/* <!DOCTYPE ...> to <body>: charset, title, style, the hatch pattern the
 * charts share. */
void gha_html_begin(FILE *out, const char *title);
/* The inline script (sorting, filtering, grouping, state in the URL's
 * #fragment, the layout self-check), then </body></html>. */
void gha_html_end(FILE *out);

/* ---- charts (chart.c) ---- */
/* The largest value a process's chart plots (heap series, waste, and the
 * threshold of a finding it has), for a shared scale. */
uint64_t gha_chart_ymax(const struct gha_analyzer *an, const struct gha_proc *p);
/* One <svg class="gha-chart"> of the process's life: young heap, old heap,
 * binary vheap as step lines, the measured waste as bands, the estimated
 * waste of an unmeasured finding hatched, GC, sweep, hibernate and census
 * markers, labelled axes, and a time axis that compresses idle stretches.
 * ymax 0: its own scale.  id: unique in the page. */
void gha_chart(FILE *out, const struct gha_analyzer *an, const struct gha_proc *p,
               uint64_t ymax, const char *id);
/* The legend the charts share. */
void gha_chart_legend(FILE *out);

/* ---- pieces ---- */
/* A paragraph: events, processes, names, trace time, events lost, inputs,
 * runtimes, recorder sweeps. */
void gha_html_summary(FILE *out, const struct gha_analyzer *an,
                      const struct gha_run_info *run, size_t names);
/* A number with its unit suffix: 352256 -> "352k", 1.5e6 -> "1.5M". */
void gha_html_human(char *buf, size_t size, double v);
/* <span class="badge SEV">SEV ANALYSIS</span> and measured/estimated. */
void gha_html_finding_badges(FILE *out, const struct gha_finding *f);

#endif /* GHA_HTML_H */
