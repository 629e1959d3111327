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

#include "report.h"
#include "synth.h"

/* ---- chart points ---------------------------------------------------------- */

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
  assert_int_equal(began->marks, 0);
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_sweep_raises_the_points_its_evidence_covers),
      cmocka_unit_test(test_a_census_raises_the_points_of_its_wait),
      cmocka_unit_test(test_markers_keep_their_time_when_the_series_is_thinned),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
