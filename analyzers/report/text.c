/* text.c -- the default report, for a terminal of 80 columns and for pipes.
 *
 * What a user needs first comes first: the findings, the most severe and
 * the most waste first, each on a line that names its severity, analysis
 * and process (grep for "warning binleak"), with its message and fix
 * wrapped below it.  Then the processes grouped by name, the most measured
 * waste first: a trace of 2,000 identical workers and one router is six
 * lines, not 2,000.  Only the top N findings and names are listed (--top;
 * --all lists every one, and every process); what is left out is counted.
 * Rows are plain columns, one record per line, so awk and sort work on
 * them; the exact figures of every process are in the JSON report.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define WIDTH  80
#define INDENT "    "

static size_t top_of(const struct gha_view *v) {
  return v && v->top ? v->top : GHA_TOP_DEFAULT;
}

/* Writes text wrapped at WIDTH columns, each line after `indent`; the
 * first line starts with `lead` (its width counted as its bytes). */
static void wrapped(FILE *out, const char *indent, const char *lead, const char *text) {
  size_t col = strlen(indent) + strlen(lead);
  fputs(indent, out);
  fputs(lead, out);
  bool line_empty = true;
  for (const char *s = text; *s;) {
    size_t n = strcspn(s, " ");
    if (!line_empty && col + 1 + n > WIDTH) {
      fputc('\n', out);
      fputs(indent, out);
      col = strlen(indent);
      line_empty = true;
    }
    if (!line_empty) {
      fputc(' ', out);
      col++;
    }
    fwrite(s, 1, n, out);
    col += n;
    line_empty = false;
    s += n;
    while (*s == ' ')
      s++;
  }
  fputc('\n', out);
}

static void header(FILE *out, const struct gha_analyzer *an, const struct gha_groups *g,
                   const struct gha_run_info *run) {
  uint64_t span = gha_trace_end_ns(an) - gha_trace_begin_ns(an);
  fprintf(out,
          "genheap-analyze: %llu events, %zu processes (%zu name%s), %.3f s of trace",
          (unsigned long long)gha_event_count(an), gha_proc_count(an), g->n,
          g->n == 1 ? "" : "s", (double)span / 1e9);
  if (gha_discarded_count(an))
    fprintf(out, ", %llu events LOST (discarded by the tracer)",
            (unsigned long long)gha_discarded_count(an));
  fputc('\n', out);
  gha_report_facts_text(out, run);
  for (size_t i = 0; i < gha_origin_count(an); i++)
    fprintf(out, "runtime: %s\n", gha_origin_at(an, i, NULL));
  if (gha_recorder_sweep_count(an)) {
    char line[300];
    snprintf(line, sizeof line,
             "the recorder swept %llu BEAM process%s that the analyses could flag and "
             "recorded what each sweep freed: measured waste (BEAM counts live words "
             "only by collecting)",
             (unsigned long long)gha_recorder_sweep_count(an),
             gha_recorder_sweep_count(an) == 1 ? "" : "es");
    wrapped(out, "", "", line);
  }
  fputc('\n', out);
}

/* What backs a finding, after its process on its first line. */
static const char *backing(const struct gha_finding *f, char *buf, size_t size) {
  if (f->analysis == GHA_IDLE_BURST)
    return "[memory held, may be live]";
  if (f->measured)
    snprintf(buf, size, "[measured by %s]", f->evidence);
  else
    snprintf(buf, size, "[estimated: nothing measured it]");
  return buf;
}

static void one_finding(FILE *out, const struct gha_analyzer *an,
                        const struct gha_finding *f) {
  char label[128], why[64], msg[GHA_MESSAGE_MAX];
  gha_proc_label(an, f->proc, label, sizeof label);
  fprintf(out, "%-7s %s %s %s\n", gha_severity_name(f->severity),
          gha_analysis_name(f->analysis), label, backing(f, why, sizeof why));
  gha_finding_message(an, f, msg, sizeof msg);
  wrapped(out, INDENT, "", msg);
  wrapped(out, INDENT, "fix: ", f->fix);
}

static const char *name_of(const char *name) { return name[0] ? name : "(unnamed)"; }

/* "name" or "name@host" when the trace holds several hosts. */
static void group_name(const struct gha_analyzer *an, const struct gha_groups *g,
                       const struct gha_group *x, char *buf, size_t size) {
  if (g->max_host > 0)
    snprintf(buf, size, "%s@%s", name_of(x->name), gha_host_name(an, x->host));
  else
    snprintf(buf, size, "%s", name_of(x->name));
}

/* The findings left out, counted by name. */
static void left_out(FILE *out, const struct gha_analyzer *an, const struct gha_groups *g,
                     const struct gha_finding *const *ranked, size_t shown, size_t top) {
  size_t n = gha_finding_count(an);
  fprintf(out, "... and %zu more finding%s, by name (--all lists them):\n", n - shown,
          n - shown == 1 ? "" : "s");
  size_t(*printed)[2] = calloc(g->n ? g->n : 1, sizeof *printed);
  if (!printed)
    return;
  for (size_t i = 0; i < shown; i++) {
    const struct gha_proc *p = ranked[i]->proc;
    const struct gha_group *x =
        gha_groups_find(g, an, gha_host_name(an, p->host), p->name);
    if (x)
      printed[x - g->v][ranked[i]->severity >= GHA_SEV_WARNING]++;
  }
  size_t names = 0, more = 0;
  for (size_t i = 0; i < g->n; i++) {
    const struct gha_group *x = &g->v[i];
    size_t warn = x->warnings - printed[i][1], info = x->infos - printed[i][0];
    if (!warn && !info)
      continue;
    if (names++ >= top) {
      more++;
      continue;
    }
    char name[160];
    group_name(an, g, x, name, sizeof name);
    fprintf(out, "%8zu warning%s %8zu info  %s\n", warn, warn == 1 ? " " : "s", info,
            name);
  }
  if (more)
    fprintf(out, "... and %zu more name%s with findings\n", more, more == 1 ? "" : "s");
  free(printed);
}

static void findings(FILE *out, const struct gha_analyzer *an, const struct gha_groups *g,
                     const struct gha_view *v) {
  size_t n = gha_finding_count(an), warn = 0;
  if (n == 0) {
    fputs("no findings\n\n", out);
    return;
  }
  for (size_t i = 0; i < n; i++)
    warn += gha_finding_at(an, i)->severity >= GHA_SEV_WARNING;
  fprintf(out, "%zu finding%s: ", n, n == 1 ? "" : "s");
  if (warn)
    fprintf(out, "%zu warning%s (measured)%s", warn, warn == 1 ? "" : "s",
            n > warn ? ", " : "");
  if (n > warn)
    fprintf(out, "%zu info (estimated, or memory held)", n - warn);
  fputc('\n', out);
  const struct gha_finding **ranked = gha_findings_ranked(an);
  if (!ranked) { /* out of memory: the core's order, all of them */
    for (size_t i = 0; i < n; i++)
      one_finding(out, an, gha_finding_at(an, i));
    fputc('\n', out);
    return;
  }
  size_t top = top_of(v), shown = v && v->all ? n : (n < top ? n : top);
  for (size_t i = 0; i < shown; i++)
    one_finding(out, an, ranked[i]);
  if (shown < n)
    left_out(out, an, g, ranked, shown, top);
  free(ranked);
  fputc('\n', out);
}

/* A figure in 8 columns after a space: whole below 10^8, three decimals
 * below 10^4, else three digits and an exponent (3.16e+05). */
static void put_num(FILE *out, double v) {
  if (v < 1e8 && v == (double)(uint64_t)v)
    fprintf(out, " %8llu", (unsigned long long)v);
  else if (v < 1e4)
    fprintf(out, " %8.3f", v);
  else
    fprintf(out, " %8.3g", v);
}

/* Seconds in 8 columns after a space, short lives with their digits
 * (0.000421), not as 0.000. */
static void put_seconds(FILE *out, double s) {
  if (s >= 1 && s < 1e4)
    fprintf(out, " %8.3f", s);
  else
    fprintf(out, " %8.3g", s);
}

static void groups(FILE *out, const struct gha_analyzer *an, const struct gha_groups *g,
                   const struct gha_view *v) {
  if (g->n == 0) {
    fputs("no processes\n", out);
    return;
  }
  size_t top = top_of(v), shown = v && v->all ? g->n : (g->n < top ? g->n : top);
  fprintf(out, "Processes by name, the most measured waste first (%zu of %zu name%s):\n",
          shown, g->n, g->n == 1 ? "" : "s");
  fprintf(out, "%6s %4s %8s %8s %8s %8s %8s %8s  %s\n", "PROCS", "FLAG", "WASTE_WS",
          "WASTE_PK", "HEAP_MIN", "HEAP_MAX", "LIFE_MIN", "LIFE_MAX", "NAME");
  size_t left = 0;
  for (size_t i = 0; i < g->n; i++) {
    const struct gha_group *x = &g->v[i];
    if (i >= shown) {
      left += x->count;
      continue;
    }
    char name[160];
    group_name(an, g, x, name, sizeof name);
    fprintf(out, "%6zu %4zu", x->count, x->flagged);
    put_num(out, x->waste_ws);
    put_num(out, (double)x->waste_peak);
    put_num(out, x->heap.min);
    put_num(out, x->heap.max);
    put_seconds(out, x->life_s.min);
    put_seconds(out, x->life_s.max);
    fprintf(out, "  %s\n", name);
  }
  if (shown < g->n)
    fprintf(out,
            "... and %zu more name%s (%zu process%s) with less waste: --top N or "
            "--all\n",
            g->n - shown, g->n - shown == 1 ? "" : "s", left, left == 1 ? "" : "es");
  wrapped(out, "", "",
          "WASTE_WS: measured word-seconds (old-heap garbage and binary waste), "
          "WASTE_PK: its largest peak, HEAP: peak heap (words), LIFE: seconds");
}

struct row {
  struct gha_proc_figures f;
  size_t at; /* the process's index: key order breaks ties */
};

static int row_order(const void *x, const void *y) {
  const struct row *a = x, *b = y;
  int c = gha_figures_cmp(&a->f, &b->f, false);
  return c ? c : (a->at < b->at ? -1 : a->at > b->at);
}

/* --all: every process, the most measured waste first. */
static void every_process(FILE *out, const struct gha_analyzer *an) {
  size_t n = gha_proc_count(an);
  struct row *rows = malloc((n ? n : 1) * sizeof *rows);
  if (!rows)
    return;
  for (size_t i = 0; i < n; i++) {
    gha_proc_figures(an, gha_proc_at(an, i), &rows[i].f);
    rows[i].at = i;
  }
  qsort(rows, n, sizeof *rows, row_order);
  fprintf(out, "\nEvery process, the most measured waste first:\n");
  fprintf(out, " %8s %8s %8s %6s %8s %8s %-6s %s\n", "WASTE_WS", "WASTE_PK", "HEAP_PK",
          "GCS", "P99_US", "LIFE_S", "STATE", "PROCESS");
  for (size_t i = 0; i < n; i++) {
    const struct gha_proc *p = gha_proc_at(an, rows[i].at);
    char label[128];
    gha_proc_label(an, p, label, sizeof label);
    put_num(out, rows[i].f.waste_ws);
    put_num(out, (double)rows[i].f.waste_peak);
    put_num(out, (double)rows[i].f.heap_peak);
    fprintf(out, " %6llu %8.1f %8.3f %-6s %s\n", (unsigned long long)rows[i].f.gcs,
            (double)gha_pause_percentile(p, 99) / 1e3, rows[i].f.life_s,
            gha_proc_state(p), label);
  }
  free(rows);
}

int gha_report_text_view(FILE *out, const struct gha_analyzer *an,
                         const struct gha_run_info *run, const struct gha_view *v) {
  (void)run;
  struct gha_groups g;
  if (gha_groups_build(an, &g) < 0)
    return -1;
  header(out, an, &g, run);
  findings(out, an, &g, v);
  groups(out, an, &g, v);
  if (v && v->all)
    every_process(out, an);
  gha_groups_free(&g);
  return ferror(out) ? -1 : 0;
}

int gha_report_text(FILE *out, const struct gha_analyzer *an,
                    const struct gha_run_info *run) {
  return gha_report_text_view(out, an, run, NULL);
}
