/* test-perfetto.c -- the trace export (report/perfetto.c) on synthetic
 * runs, and what it rests on: chart points that keep, when they merge, the
 * reason and pause of the last GC merged into them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* after the four above, which it needs */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minijson.h"
#include "report.h"
#include "synth.h"

static char *render(const struct gha_analyzer *an) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_int_equal(gha_report_perfetto(f, an, NULL), 0);
  fclose(f);
  return buf;
}

/* 3,000 minor GCs and, every 100, a full sweep: the series merges many
 * times over; every point with a sweep still says its reason, and the
 * last point (a hibernation) its own. */
static void test_merged_points_keep_the_last_gcs_reason_and_pause(void **state) {
  (void)state;
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  struct synth_proc sp;
  synth_init(&sp, an, "h", 1, 1, "big");
  synth_spawn(&sp, 1000 * MS);
  synth_minor(&sp, 1000 * MS, 5000, 100000, 100000, 0); /* a large heap: 256 points */
  uint64_t t = 1001 * MS;
  for (int i = 0; i < 3000; i++, t += MS) {
    synth_minor(&sp, t, 20000, 1000, 10, 0);
    if (i % 100 == 99)
      synth_major(&sp, t + MS / 2, 300000, 500, 3 /* explicit */);
  }
  synth_hibernate(&sp, t, 500);
  synth_trace_end(an, t + 1000 * MS);
  gha_finish(an);
  const struct gha_proc *p = gha_proc_at(an, 0);
  assert_true(p->series_len > 64 && p->series_len <= GHA_SERIES_MAX);
  /* the hibernation is a sweep (reason 4, 1 us) and its own marker */
  unsigned sweeps = 0, hib_sweep = 0;
  for (unsigned i = 1; i < p->series_len; i++) {
    const struct gha_point *pt = &p->series[i];
    if ((pt->marks & GHA_MARK_SWEEP) && pt->reason == 4) {
      hib_sweep = i;
      continue;
    }
    if (!(pt->marks & (GHA_MARK_MINOR | GHA_MARK_SWEEP)))
      continue; /* where evidence of waste begins, or the hibernation: no GC */
    assert_true(gha_point_pause_ns(p, pt) >= 20000); /* every GC here took that */
    if (pt->marks & GHA_MARK_SWEEP) {
      sweeps++;
      assert_int_equal(pt->reason, 3);
    }
  }
  /* 100 events apart, the 30 sweeps never share a point (the last one may
   * share the hibernation's) */
  assert_true(sweeps >= 29 && sweeps <= 30);
  assert_true(hib_sweep > 0);
  const struct gha_point *hs = &p->series[hib_sweep];
  /* the pause is its bucket's upper bound: at most a fifth over */
  assert_true(gha_point_pause_ns(p, hs) >= 1000);
  assert_true(gha_point_pause_ns(p, hs) <= 1200);
  assert_true(p->series[p->series_len - 1].marks & GHA_MARK_HIBERNATE);
  char *text = render(an);
  struct mj *doc = mj_parse(text);
  assert_non_null(doc);
  assert_non_null(strstr(text, "\"name\":\"full sweep: explicit\""));
  assert_non_null(strstr(text, "\"name\":\"hibernate\""));
  assert_non_null(strstr(text, "\"name\":\"full sweep: hibernate\""));
  mj_free(doc);
  free(text);
  gha_analyzer_free(an);
}

/* A node of many processes: at most 2,000 are written, the flagged ones
 * first, whatever their place in the trace. */
static void test_the_processes_that_matter_are_written_first(void **state) {
  (void)state;
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  for (uint64_t pid = 1; pid <= 3000; pid++) {
    struct synth_proc sp;
    synth_init(&sp, an, "h", 1, pid, pid > 2995 ? "bloated" : "idle");
    synth_spawn(&sp, 1000 * MS);
    synth_minor(&sp, 1000 * MS, 10000, 200100, pid > 2995 ? 200000 : pid, 0);
    synth_census(&sp, 2500 * MS, pid > 2995 ? 0 : pid, 0, GH_CENSUS_RECORDER,
                 (struct synth_evidence){1000, 0, false});
  }
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  char *text = render(an);
  struct mj *doc = mj_parse(text);
  assert_non_null(doc);
  const struct mj *evs = mj_get(doc, "traceEvents");
  size_t names = 0;
  for (size_t i = 0; mj_at(evs, i); i++) {
    const struct mj *e = mj_at(evs, i);
    if (strcmp(mj_get(e, "name")->str, "process_name") != 0)
      continue;
    names++;
    double pid = mj_get(e, "pid")->num;
    const char *label = mj_get(mj_get(e, "args"), "name")->str;
    if (pid <= 5) /* the flagged ones */
      assert_non_null(strstr(label, "(bloated)"));
    else /* then the largest old heaps */
      assert_non_null(strstr(label, "(idle)"));
    if (pid == 6)
      assert_non_null(strstr(label, "/2995(idle)"));
  }
  assert_int_equal(names, 2000);
  const struct mj *other = mj_get(doc, "otherData");
  assert_int_equal((int)mj_get(other, "processes")->num, 3000);
  assert_int_equal((int)mj_get(other, "processes_written")->num, 2000);
  mj_free(doc);
  free(text);
  gha_analyzer_free(an);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_merged_points_keep_the_last_gcs_reason_and_pause),
      cmocka_unit_test(test_the_processes_that_matter_are_written_first),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
