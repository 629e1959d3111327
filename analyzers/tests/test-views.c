/* test-views.c -- what the text and HTML reports show, on synthetic event
 * streams: the chart points' measured waste, processes grouped by name,
 * the top-N selection, the 80-column text report, the HTML charts' axes,
 * markers and waste bands, and the comparison of two runs.  Each test
 * names one behaviour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four it needs */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h" /* GHA_HTML_ROWS */
#include "report.h"
#include "synth.h"

#define GHA_HTML_ROWS_TEST GHA_HTML_ROWS

/* ---- chart points --------------------------------------------------------- */

static const struct gha_point *point_at(const struct gha_proc *p, uint64_t ts) {
  for (unsigned i = 0; i < p->series_len; i++) {
    uint64_t t = gha_point_ts(p, &p->series[i]);
    if (t + 1000 >= ts && t <= ts + 1000)
      return &p->series[i];
  }
  return NULL;
}

/* A sweep at 3 s whose roots were those of the last GC (ending at 1.181 s)
 * shows that the binaries were garbage since then: the points from there on show
 * it, the earlier ones and the one after the sweep do not. */
static void test_a_sweep_raises_the_points_its_evidence_covers(void **state) {
  (void)state;
  struct gha_options o;
  gha_options_init(&o);
  o.burst_min_words = 1000; /* a chart-sized series */
  struct gha_analyzer *an = gha_analyzer_new(&o);
  struct synth_proc r;
  synth_init(&r, an, "h", 1, 1, "router");
  synth_spawn(&r, 1000 * MS);
  for (int i = 0; i < 10; i++) /* 21 points: the series keeps them all */
    synth_minor(&r, 1000 * MS + (uint64_t)i * 20 * MS, MS, 20000, 2000, 5000);
  synth_major_ev(&r, 3000 * MS, 100000, 500, 0, (struct synth_evidence){0, 0, true});
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  const struct gha_proc *p = gha_proc_at(an, 0);
  const struct gha_point *first = point_at(p, 1001 * MS);
  const struct gha_point *last_gc = point_at(p, 1181 * MS);
  const struct gha_point *start = point_at(p, 3000 * MS);
  const struct gha_point *end = point_at(p, 3000 * MS + 100000);
  assert_non_null(first);
  assert_non_null(last_gc);
  assert_non_null(start);
  assert_non_null(end);
  assert_int_equal(first->binwaste, 0);
  assert_int_equal(last_gc->binwaste, 50000);
  assert_int_equal(start->binwaste, 50000);
  assert_int_equal(end->binwaste, 0);
  assert_int_equal(start->waste, 19500); /* 20000 promoted, 500 kept */
  gha_analyzer_free(an);
}

/* A census that says the process waited 1 s raises the points of that
 * second only; where the wait began, a point shows the heap as the last
 * GC left it, so the band rises there and not at the census. */
static void test_a_census_raises_the_points_of_its_wait(void **state) {
  (void)state;
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  struct synth_proc b;
  synth_init(&b, an, "h", 1, 1, "bloated");
  synth_spawn(&b, 1000 * MS);
  for (int i = 0; i < 40; i++)
    synth_minor(&b, 1000 * MS + (uint64_t)i * 50 * MS, MS, 8000, 5000, 0);
  /* last GC ends at 2951 ms; waits from 3000 ms; census at 4000 ms */
  synth_census(&b, 4000 * MS, 0, 0, GH_CENSUS_RECORDER,
               (struct synth_evidence){1000, 0, false});
  synth_trace_end(an, 5000 * MS);
  gha_finish(an);
  const struct gha_proc *p = gha_proc_at(an, 0);
  assert_int_equal(point_at(p, 2951 * MS)->waste, 0);
  const struct gha_point *began = point_at(p, 3000 * MS);
  assert_non_null(began);
  assert_int_equal(began->waste, 200000);
  assert_int_equal(began->old, point_at(p, 2951 * MS)->old);
  assert_int_equal(began->marks, GHA_MARK_EVIDENCE);
  assert_int_equal(point_at(p, 4000 * MS)->waste, 200000);
  assert_int_equal(point_at(p, 4000 * MS)->marks, GHA_MARK_CENSUS);
  gha_analyzer_free(an);
}

/* A router's burst fills its series (one point per several events); the
 * hibernation 200 ms after it, and the census 1 s later, keep their own
 * times: they are not drawn when the process exits. */
static void test_markers_keep_their_time_when_the_series_is_thinned(void **state) {
  (void)state;
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  struct synth_proc r;
  synth_init(&r, an, "h", 1, 1, "router");
  synth_spawn(&r, 1000 * MS);
  for (int i = 0; i < 600; i++) /* 1200 events: a stride of 8 */
    synth_minor(&r, 1000 * MS + (uint64_t)i * MS / 4, 1000, 40000, 200, 300);
  synth_hibernate(&r, 1350 * MS, 100);
  synth_census(&r, 2350 * MS, 0, 0, GH_CENSUS_RECORDER, (struct synth_evidence){0});
  synth_exit(&r, 3000 * MS);
  gha_finish(an);
  const struct gha_proc *p = gha_proc_at(an, 0);
  assert_true(p->series_stride > 1);
  int hib = 0, census = 0;
  for (unsigned i = 0; i < p->series_len; i++) {
    uint64_t t = gha_point_ts(p, &p->series[i]);
    if (p->series[i].marks & GHA_MARK_HIBERNATE) {
      hib++;
      assert_true(t >= 1350 * MS && t <= 1352 * MS);
    }
    if (p->series[i].marks & GHA_MARK_CENSUS) {
      census++;
      assert_true(t >= 2349 * MS && t <= 2351 * MS);
    }
  }
  assert_int_equal(hib, 1);
  assert_int_equal(census, 1);
  gha_analyzer_free(an);
}

/* ---- a demo-like run: a router, 2,000 workers, an idle bloated process ---- */

#define WORKERS 2000

/* The router forwards binaries in a 60 ms burst, then waits; a census at
 * 2.5 s finds its old heap's binaries all garbage for the last second of
 * its wait (measured binleak); with `fixed` it hibernates 200 ms into the
 * wait.
 * Workers live 1 ms each.  "bloated" grows an old heap and idles, and
 * nothing measures it (an estimated bloat). */
static struct gha_analyzer *demo(bool fixed, const char *host) {
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  struct synth_proc r, b;
  synth_init(&r, an, host, 100, 1, "router");
  synth_spawn(&r, 1000 * MS);
  for (int i = 0; i < 30; i++)
    synth_minor(&r, 1000 * MS + (uint64_t)i * 2 * MS, 50000, 2000, 100, 2000);
  if (fixed) {
    synth_hibernate(&r, 1260 * MS, 100);
  } else {
    synth_census(&r, 2500 * MS, 0, 0, GH_CENSUS_RECORDER,
                 (struct synth_evidence){1000, 0, false});
  }
  synth_exit(&r, 3000 * MS);
  for (int w = 0; w < WORKERS; w++) {
    struct synth_proc wp;
    synth_init(&wp, an, host, 100, 10 + (uint64_t)w, "worker");
    uint64_t t = 1000 * MS + (uint64_t)w * 100000;
    synth_spawn(&wp, t);
    synth_minor(&wp, t + 200000, 20000, 300, 0, 0);
    synth_exit(&wp, t + 1000000);
  }
  if (!fixed) {
    synth_init(&b, an, host, 100, 5000, "bloated");
    synth_spawn(&b, 1000 * MS);
    for (int i = 0; i < 40; i++)
      synth_minor(&b, 1000 * MS + (uint64_t)i * 5 * MS, 30000, 8000, 5000, 0);
  }
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  return an;
}

typedef int (*view_writer)(FILE *, const struct gha_analyzer *,
                           const struct gha_run_info *, const struct gha_view *);

static char *render(view_writer w, const struct gha_analyzer *an,
                    const struct gha_view *v) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  const char *inputs[] = {"/trace/demo"};
  struct gha_run_info run = {.inputs = inputs, .ninputs = 1};
  assert_int_equal(w(f, an, &run, v), 0);
  fclose(f);
  return buf;
}

static size_t count_of(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
    n++;
  return n;
}

static size_t lines_of(const char *s) { return count_of(s, "\n"); }

/* The line that starts with `prefix`, or NULL. */
static const char *line_starting(const char *text, const char *prefix) {
  size_t n = strlen(prefix);
  for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
    if (strncmp(l, prefix, n) == 0)
      return l;
  return NULL;
}

static const struct gha_proc *proc_named(const struct gha_analyzer *an,
                                         const char *name) {
  for (size_t i = 0; i < gha_proc_count(an); i++)
    if (strcmp(gha_proc_at(an, i)->name, name) == 0)
      return gha_proc_at(an, i);
  return NULL;
}

/* ---- groups, ranking, top N ----------------------------------------------- */

static void test_groups_count_every_process_of_a_name(void **state) {
  (void)state;
  struct gha_analyzer *an = demo(false, "h");
  struct gha_groups g;
  assert_int_equal(gha_groups_build(an, &g), 0);
  assert_int_equal(g.n, 3);
  /* the most measured waste first: the router, then the flagged bloated */
  assert_string_equal(g.v[0].name, "router");
  assert_string_equal(g.v[1].name, "bloated");
  const struct gha_group *w = gha_groups_find(&g, an, "h", "worker");
  assert_non_null(w);
  assert_int_equal(w->count, WORKERS);
  assert_int_equal(w->flagged, 0);
  assert_int_equal(w->states[GHA_STATE_EXITED], WORKERS);
  assert_true(w->life_s.min > 0.00099 && w->life_s.max < 0.00101);
  assert_true(w->top != NULL && strcmp(w->top->name, "worker") == 0);
  assert_int_equal(g.v[0].warnings, 1);
  assert_int_equal(g.v[1].infos, 2); /* bloat and idle-after-burst, estimated */
  assert_null(gha_groups_find(&g, an, "other-host", "worker"));
  gha_groups_free(&g);
  gha_analyzer_free(an);
}

static void test_groups_keep_hosts_apart(void **state) {
  (void)state;
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  struct synth_proc a, b, c;
  synth_init(&a, an, "h1", 1, 1, "worker");
  synth_init(&b, an, "h2", 1, 1, "worker");
  synth_init(&c, an, "h2", 1, 2, "worker");
  synth_busy(&a, 1000 * MS, 1100 * MS, 10 * MS);
  synth_busy(&b, 1000 * MS, 1100 * MS, 10 * MS);
  synth_busy(&c, 1000 * MS, 1100 * MS, 10 * MS);
  gha_finish(an);
  struct gha_groups g;
  assert_int_equal(gha_groups_build(an, &g), 0);
  assert_int_equal(g.n, 2);
  assert_int_equal(gha_groups_find(&g, an, "h1", "worker")->count, 1);
  assert_int_equal(gha_groups_find(&g, an, "h2", "worker")->count, 2);
  gha_groups_free(&g);
  gha_analyzer_free(an);
}

/* BEAM names carry the pid first: processes group by what follows it, so
 * a node's handlers are one row and two runs match by name. */
static void test_beam_processes_group_without_their_pid(void **state) {
  (void)state;
  assert_string_equal(gha_group_name("<0.82.0> seed_router"), "seed_router");
  assert_string_equal(gha_group_name("<0.9.0> erlang:apply/2"), "erlang:apply/2");
  assert_string_equal(gha_group_name("<0.9.0>"), "");
  assert_string_equal(gha_group_name("<0.9> x"), "<0.9> x");
  assert_string_equal(gha_group_name("<a.b.c> x"), "<a.b.c> x");
  assert_string_equal(gha_group_name("<0.9.0>x"), "<0.9.0>x");
  assert_string_equal(gha_group_name("worker"), "worker");
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  const char *names[] = {"<0.81.0> cowboy_handler", "<0.92.0> cowboy_handler",
                         "<0.7.0> code_server"};
  for (int i = 0; i < 3; i++) {
    struct synth_proc sp;
    synth_init(&sp, an, "h", 1, (uint64_t)i + 1, names[i]);
    sp.runtime = GHA_RUNTIME_BEAM;
    synth_busy(&sp, 1000 * MS, 1100 * MS, 10 * MS);
  }
  gha_finish(an);
  struct gha_groups g;
  assert_int_equal(gha_groups_build(an, &g), 0);
  assert_int_equal(g.n, 2);
  assert_int_equal(gha_groups_find(&g, an, "h", "cowboy_handler")->count, 2);
  assert_int_equal(gha_groups_find(&g, an, "h", "<0.5.0> cowboy_handler")->count, 2);
  gha_groups_free(&g);
  gha_analyzer_free(an);
}

static const struct gha_analyzer *order_an;
static int full_order(const void *x, const void *y) {
  const struct gha_proc *p = *(const struct gha_proc *const *)x;
  const struct gha_proc *q = *(const struct gha_proc *const *)y;
  struct gha_proc_figures a, b;
  gha_proc_figures(order_an, p, &a);
  gha_proc_figures(order_an, q, &b);
  int c = gha_figures_cmp(&a, &b, true);
  return c ? c : (p < q ? -1 : p > q); /* the array is in key order */
}

/* The heap of N gives what sorting everything would, for any N. */
static void test_top_procs_is_the_start_of_the_full_ranking(void **state) {
  (void)state;
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  unsigned seed = 12345;
  for (int i = 0; i < 300; i++) { /* varied heaps, GCs and waste */
    struct synth_proc sp;
    synth_init(&sp, an, "h", 1, (uint64_t)i + 1, "p");
    synth_spawn(&sp, 1000 * MS);
    seed = seed * 1103515245u + 12345u;
    int gcs = 1 + (int)(seed >> 16) % 40;
    for (int k = 0; k < gcs; k++)
      synth_minor(&sp, 1000 * MS + (uint64_t)k * MS, 1000, 3000, (seed >> 8) % 4000, 0);
    if (seed % 3 == 0)
      synth_census(&sp, 2500 * MS, 0, 0, GH_CENSUS_RECORDER,
                   (struct synth_evidence){1000, 0, false});
  }
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  size_t n = gha_proc_count(an);
  const struct gha_proc **all = malloc(n * sizeof *all), **top = malloc(n * sizeof *top);
  for (size_t i = 0; i < n; i++)
    all[i] = gha_proc_at(an, i);
  order_an = an;
  qsort(all, n, sizeof *all, full_order);
  static const size_t ks[] = {1, 7, 10, 64, 299, 300, 1000};
  for (size_t k = 0; k < sizeof ks / sizeof ks[0]; k++) {
    size_t got = gha_top_procs(an, ks[k], true, NULL, top);
    assert_int_equal(got, ks[k] < n ? ks[k] : n);
    for (size_t i = 0; i < got; i++)
      assert_ptr_equal(top[i], all[i]);
  }
  free(all);
  free(top);
  gha_analyzer_free(an);
}

static void test_findings_rank_warnings_then_waste(void **state) {
  (void)state;
  struct gha_analyzer *an = demo(false, "h");
  const struct gha_finding **f = gha_findings_ranked(an);
  assert_non_null(f);
  assert_int_equal(gha_finding_count(an), 3);
  assert_int_equal(f[0]->severity, GHA_SEV_WARNING);
  assert_string_equal(f[0]->proc->name, "router");
  for (size_t i = 1; i < 3; i++)
    assert_int_equal(f[i]->severity, GHA_SEV_INFO);
  free(f);
  gha_analyzer_free(an);
}

/* ---- text ----------------------------------------------------------------- */

static void test_text_fits_80_columns_and_puts_findings_first(void **state) {
  (void)state;
  struct gha_analyzer *an = demo(false, "h");
  char *t = render(gha_report_text_view, an, NULL);
  for (const char *l = t; *l;) {
    size_t len = strcspn(l, "\n");
    if (len > 80)
      fail_msg("line over 80 columns: %.*s", (int)len, l);
    l += len + (l[len] == '\n');
  }
  const char *finding = line_starting(t, "warning binleak h/100/1(router) [measured by ");
  const char *table = line_starting(t, "Processes by name");
  assert_non_null(finding);
  assert_non_null(table);
  assert_true(finding < table);
  /* 2,000 workers are one row: the whole report is a screenful */
  assert_true(lines_of(t) < 40);
  const char *row = strstr(t, "  worker\n");
  assert_non_null(row);
  const char *start = row;
  while (start > t && start[-1] != '\n')
    start--;
  assert_int_equal(strtol(start, NULL, 10), WORKERS);
  assert_non_null(strstr(t, "info    bloat h/100/5000(bloated) [estimated"));
  free(t);
  gha_analyzer_free(an);
}

static void test_text_lists_the_top_names_or_all_processes(void **state) {
  (void)state;
  struct gha_analyzer *an = demo(false, "h");
  struct gha_view one = {.top = 1}, all = {.all = true};
  char *t1 = render(gha_report_text_view, an, &one);
  assert_non_null(strstr(t1, "(1 of 3 names)"));
  assert_non_null(strstr(t1, "... and 2 more names (2001 processes) with less waste"));
  assert_non_null(strstr(t1, "... and 2 more findings, by name"));
  char *ta = render(gha_report_text_view, an, &all);
  assert_non_null(strstr(ta, "Every process, the most measured waste first:"));
  assert_int_equal(count_of(ta, "(worker)\n"), WORKERS);
  assert_non_null(strstr(ta, "exited h/100/1(router)\n"));
  free(t1);
  free(ta);
  gha_analyzer_free(an);
}

/* 30 flagged processes of one name, 2 of another, top 5: the findings
 * left out are counted under their names. */
static void test_text_counts_the_findings_left_out_by_name(void **state) {
  (void)state;
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  for (int i = 0; i < 32; i++) {
    struct synth_proc sp;
    synth_init(&sp, an, "h", 1, (uint64_t)i + 1, i < 30 ? "session" : "cache");
    synth_spawn(&sp, 1000 * MS);
    for (int k = 0; k < 40; k++)
      synth_minor(&sp, 1000 * MS + (uint64_t)k * 5 * MS, 30000, 8000, 5000, 0);
    synth_census(&sp, 2500 * MS, 0, 0, GH_CENSUS_RECORDER,
                 (struct synth_evidence){1000, 0, false});
  }
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  struct gha_view v = {.top = 5};
  char *t = render(gha_report_text_view, an, &v);
  assert_int_equal(count_of(t, "\nwarning bloat "), 5);
  /* each also idles after its burst (info): 64 findings */
  const char *left = strstr(t, "... and 59 more findings, by name");
  assert_non_null(left);
  /* 32 processes alike: the first five in key order are sessions */
  assert_non_null(strstr(left, "      25 warnings       30 info  session\n"));
  assert_non_null(strstr(left, "       2 warnings        2 info  cache\n"));
  free(t);
  gha_analyzer_free(an);
}

/* ---- HTML ----------------------------------------------------------------- */

/* The <svg> of a process's chart (malloc'd), or NULL. */
static char *chart_svg(const char *html, const char *label) {
  char key[160];
  snprintf(key, sizeof key, "data-process=\"%s\"", label);
  const char *at = strstr(html, key);
  if (!at)
    return NULL;
  while (at > html && strncmp(at, "<svg", 4) != 0)
    at--;
  const char *end = strstr(at, "</svg>");
  return end ? strndup(at, (size_t)(end - at) + 6) : NULL;
}

static void test_html_chart_has_axes_bands_and_markers(void **state) {
  (void)state;
  struct gha_analyzer *an = demo(false, "h");
  char *html = render(gha_report_html_view, an, NULL);
  char *r = chart_svg(html, "h/100/1(router)");
  assert_non_null(r);
  const struct gha_proc *p = proc_named(an, "router");
  char points[64];
  snprintf(points, sizeof points, "data-points=\"%u\"", p->series_len);
  assert_non_null(strstr(r, points));
  assert_int_equal(count_of(r, "<circle class=\"pt\""), p->series_len);
  assert_true(count_of(r, "class=\"x-label\"") >= 3);
  assert_true(count_of(r, "class=\"y-label\"") >= 3);
  assert_int_equal(count_of(r, "class=\"axis-title\""), 2);
  /* the burst, then 1.44 s to the census and 0.5 s to the exit with no
   * event: two idle stretches, labelled */
  assert_non_null(strstr(r, "data-idle=\"2\""));
  assert_non_null(strstr(r, "<rect class=\"idle-gap\""));
  assert_non_null(strstr(r, ">idle 1."));
  /* the measured waste as bands (binaries, and the old heap's 3000 words),
   * with the finding's threshold and when it was above it */
  assert_non_null(strstr(r, "<polygon class=\"band-binwaste\""));
  assert_non_null(strstr(r, "<polygon class=\"band-garbage\""));
  assert_non_null(strstr(r, "class=\"threshold\""));
  assert_non_null(strstr(r, "class=\"above-span\""));
  assert_non_null(strstr(r, "warning binleak: binary waste &#8805; 16k words"));
  assert_int_equal(count_of(r, "class=\"mark-census\""), 1);
  size_t minors = 0; /* a thinned series: one point for several GCs */
  for (unsigned i = 0; i < p->series_len; i++)
    minors += (p->series[i].marks & GHA_MARK_MINOR) != 0;
  assert_true(minors >= 5);
  assert_int_equal(count_of(r, "class=\"mark-minor\""), minors);
  free(r);
  /* the unmeasured bloat: its estimate hatched, no measured band */
  char *b = chart_svg(html, "h/100/5000(bloated)");
  assert_non_null(b);
  assert_non_null(strstr(b, "<rect class=\"band-estimated\""));
  assert_non_null(strstr(b, "info bloat: up to 200k words (estimated)"));
  assert_null(strstr(b, "<polygon class=\"band-"));
  free(b);
  free(html);
  gha_analyzer_free(an);
}

/* The band rises where the evidence says the garbage was (the census's
 * second of waiting: 1.5 s), inside the first idle stretch, not at the
 * census. */
static void test_html_band_starts_where_the_evidence_does(void **state) {
  (void)state;
  struct gha_analyzer *an = demo(false, "h");
  char *html = render(gha_report_html_view, an, NULL);
  char *r = chart_svg(html, "h/100/1(router)");
  const char *band = strstr(r, "<polygon class=\"band-binwaste\"");
  const char *census = strstr(r, "<rect class=\"mark-census\" x=\"");
  const char *gap = strstr(r, "<rect class=\"idle-gap\" x=\"");
  assert_non_null(band);
  assert_non_null(census);
  assert_non_null(gap);
  double census_x = strtod(census + strlen("<rect class=\"mark-census\" x=\""), NULL) + 4;
  char *end;
  double gap_x = strtod(gap + strlen("<rect class=\"idle-gap\" x=\""), &end);
  double gap_w = strtod(strstr(end, "width=\"") + 7, NULL);
  /* the first point of the band off the axis (y 246) */
  double rise_x = -1;
  for (const char *p = strstr(band, "points=\"") + 8; *p != '"';) {
    double x = strtod(p, &end), y = strtod(end + 1, &end);
    if (y < 245.5) {
      rise_x = x;
      break;
    }
    p = end + strspn(end, " ");
  }
  assert_true(rise_x > gap_x + 1 && rise_x < gap_x + gap_w - 1);
  assert_true(rise_x < census_x - 10);
  free(r);
  free(html);
  gha_analyzer_free(an);
}

static void test_html_caps_charts_and_rows_and_says_so(void **state) {
  (void)state;
  struct gha_analyzer *an = demo(false, "h");
  struct gha_view v = {.top = 2};
  char *html = render(gha_report_html_view, an, &v);
  assert_int_equal(count_of(html, "<svg class=\"gha-chart\""), 2);
  assert_int_equal(count_of(html, "<figure class=\"chart flagged\">"), 2);
  /* 500 rows, and the first worker of each name is among them */
  size_t rows = count_of(html, "<tr data-i=");
  assert_int_equal(rows, 3 + GHA_HTML_ROWS_TEST);
  assert_non_null(
      strstr(html, "<span class=\"shown\">500</span> of 2002 processes shown"));
  assert_non_null(strstr(html, "<span class=\"shown\">3</span> of 3 names shown"));
  free(html);
  struct gha_view all = {.all = true};
  html = render(gha_report_html_view, an, &all);
  assert_int_equal(count_of(html, "<tr data-i="), 3 + 2002);
  assert_int_equal(count_of(html, "<svg class=\"gha-chart\""), GHA_TOP_DEFAULT);
  free(html);
  gha_analyzer_free(an);
}

/* An analysis with nothing in it still makes whole reports. */
static void test_reports_of_an_empty_analysis(void **state) {
  (void)state;
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  gha_finish(an);
  char *t = render(gha_report_text_view, an, NULL);
  assert_non_null(strstr(t, "\nno findings\n"));
  assert_non_null(strstr(t, "\nno processes\n"));
  char *h = render(gha_report_html_view, an, NULL);
  assert_non_null(strstr(h, "<h2 id=\"findings\">Findings (0)</h2>"));
  assert_null(strstr(h, "<svg class=\"gha-chart\""));
  assert_non_null(strstr(h, "</body></html>\n"));
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_int_equal(gha_report_compare_html(f, an, NULL, an, NULL, NULL), 0);
  assert_int_equal(gha_report_compare_text(f, an, NULL, an, NULL, NULL), 0);
  fclose(f);
  assert_non_null(strstr(buf, "no findings in either run"));
  free(buf);
  free(t);
  free(h);
  gha_analyzer_free(an);
}

/* ---- two runs ------------------------------------------------------------- */

static void test_compare_text_matches_processes_by_name(void **state) {
  (void)state;
  struct gha_analyzer *before = demo(false, "h"), *after = demo(true, "h");
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  const char *bi[] = {"leak"}, *ai[] = {"fixed"};
  struct gha_run_info br = {.inputs = bi, .ninputs = 1},
                      ar = {.inputs = ai, .ninputs = 1};
  assert_int_equal(gha_report_compare_text(f, before, &br, after, &ar, NULL), 0);
  fclose(f);
  assert_non_null(
      strstr(buf, "\nbefore  leak: 2002 processes (3 names), 3 findings (1 warning)"));
  assert_non_null(strstr(buf, "\nafter   fixed: 2001 processes (2 names), 0 findings"));
  assert_non_null(line_starting(buf, "warning  none     fixed    binleak"));
  assert_non_null(line_starting(buf, "info     absent   fixed    bloat"));
  const char *workers = strstr(buf, "  worker\n");
  assert_non_null(workers);
  while (workers[-1] != '\n')
    workers--;
  assert_int_equal(strncmp(workers, "  2000   2000", 13), 0);
  for (const char *l = buf; *l;) {
    size_t n = strcspn(l, "\n");
    assert_true(n <= 80);
    l += n + (l[n] == '\n');
  }
  free(buf);
  gha_analyzer_free(before);
  gha_analyzer_free(after);
}

/* The largest y label of a chart: its scale. */
static double y_top(const char *svg) {
  double top = -1;
  for (const char *p = svg; (p = strstr(p, "class=\"y-label\"")); p++) {
    const char *v = strchr(p, '>') + 1;
    double x = strtod(v, NULL);
    if (v[strspn(v, "0123456789.")] == 'k')
      x *= 1000;
    if (x > top)
      top = x;
  }
  return top;
}

static void test_compare_html_draws_each_pair_on_one_scale(void **state) {
  (void)state;
  struct gha_analyzer *before = demo(false, "h"), *after = demo(true, "h");
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_int_equal(gha_report_compare_html(f, before, NULL, after, NULL, NULL), 0);
  fclose(f);
  char *b =
      strndup(strstr(buf, "<svg class=\"gha-chart\" id=\"chart-1-before\""), 100000);
  char *a = strndup(strstr(buf, "<svg class=\"gha-chart\" id=\"chart-1-after\""), 100000);
  *strstr(b, "</svg>") = '\0';
  *strstr(a, "</svg>") = '\0';
  assert_non_null(strstr(b, "data-process=\"h/100/1(router)\""));
  assert_non_null(strstr(a, "data-process=\"h/100/1(router)\""));
  assert_non_null(strstr(b, "band-binwaste"));
  assert_non_null(strstr(a, "class=\"mark-hibernate\""));
  assert_true(y_top(a) > 0);
  assert_true(y_top(a) == y_top(b));
  /* a name absent after: said, not drawn */
  assert_non_null(strstr(buf, "no process of this name in this run"));
  assert_non_null(strstr(buf, "<td class=\"delta-better\">fixed</td>"));
  free(a);
  free(b);
  free(buf);
  gha_analyzer_free(before);
  gha_analyzer_free(after);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_sweep_raises_the_points_its_evidence_covers),
      cmocka_unit_test(test_a_census_raises_the_points_of_its_wait),
      cmocka_unit_test(test_markers_keep_their_time_when_the_series_is_thinned),
      cmocka_unit_test(test_groups_count_every_process_of_a_name),
      cmocka_unit_test(test_groups_keep_hosts_apart),
      cmocka_unit_test(test_beam_processes_group_without_their_pid),
      cmocka_unit_test(test_top_procs_is_the_start_of_the_full_ranking),
      cmocka_unit_test(test_findings_rank_warnings_then_waste),
      cmocka_unit_test(test_text_fits_80_columns_and_puts_findings_first),
      cmocka_unit_test(test_text_lists_the_top_names_or_all_processes),
      cmocka_unit_test(test_text_counts_the_findings_left_out_by_name),
      cmocka_unit_test(test_html_chart_has_axes_bands_and_markers),
      cmocka_unit_test(test_html_band_starts_where_the_evidence_does),
      cmocka_unit_test(test_html_caps_charts_and_rows_and_says_so),
      cmocka_unit_test(test_reports_of_an_empty_analysis),
      cmocka_unit_test(test_compare_text_matches_processes_by_name),
      cmocka_unit_test(test_compare_html_draws_each_pair_on_one_scale),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
