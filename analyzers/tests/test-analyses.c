/* test-analyses.c -- the analyses on synthetic event streams: each test
 * states one behaviour (flagged or not, figures reported, exit status). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "synth.h"

static struct gha_analyzer *new_an(void) {
  struct gha_options o;
  gha_options_init(&o);
  return gha_analyzer_new(&o);
}

/* A burst of 40 minor GCs every 5 ms promoting 5000 words each, then idle
 * until `end`: 200000 old-heap words held. */
static void bloat_burst(struct synth_proc *sp, uint64_t t0) {
  synth_spawn(sp, t0);
  for (int i = 0; i < 40; i++)
    synth_minor(sp, t0 + (uint64_t)i * 5 * MS, 30000, 8000, 5000, 0);
}

static void test_bloat_flags_idle_process_with_grown_old_heap(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, "cache");
  bloat_burst(&sp, 1000 * MS);
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  const struct gha_proc *p = gha_find_proc(an, "h", 100, 1);
  assert_non_null(p);
  const struct gha_finding *f = gha_finding_for(an, p, GHA_BLOAT);
  assert_non_null(f);
  assert_int_equal(f->held_words, 200000);
  assert_int_equal(f->since_ns, 1000 * MS); /* never swept: since spawn */
  assert_string_equal(f->estimate, "recent_live");
  assert_int_equal(f->likely_freed, 200000); /* nothing recent survived */
  assert_int_equal(gha_exit_status(an), 1);
  gha_analyzer_free(an);
}

static void test_bloat_ignores_process_still_working(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, "busy");
  bloat_burst(&sp, 1000 * MS);
  /* keeps collecting every 5 ms to the end of the trace */
  for (uint64_t t = 1200 * MS; t < 4000 * MS; t += 5 * MS)
    synth_minor(&sp, t, 30000, 8000, 0, 0);
  gha_finish(an);
  assert_int_equal(gha_finding_count(an), 0);
  assert_int_equal(gha_exit_status(an), 0);
  gha_analyzer_free(an);
}

static void test_bloat_ignores_hibernated_process(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, "sleeper");
  bloat_burst(&sp, 1000 * MS);
  synth_hibernate(&sp, 1300 * MS, 100);
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  assert_int_equal(gha_finding_count(an), 0);
  const struct gha_proc *p = gha_find_proc(an, "h", 100, 1);
  assert_int_equal(p->info.hibernations, 1);
  gha_analyzer_free(an);
}

static void test_bloat_ignores_short_idle(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS);
  synth_trace_end(an, 1500 * MS); /* idle 300 ms < min_idle 1 s */
  gha_finish(an);
  assert_null(gha_finding_for(an, gha_find_proc(an, "h", 100, 1), GHA_BLOAT));
  gha_analyzer_free(an);
}

static void test_bloat_learns_freed_fraction_from_earlier_sweeps(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  synth_spawn(&sp, 0);
  /* 100000 words promoted, a sweep keeps 25000: 75% reclaimed */
  for (int i = 0; i < 20; i++)
    synth_minor(&sp, (uint64_t)i * MS, 1000, 5000, 5000, 0);
  synth_major(&sp, 30 * MS, 1000, 25000, 1);
  for (int i = 0; i < 40; i++)
    synth_minor(&sp, 40 * MS + (uint64_t)i * MS, 1000, 5000, 5000, 0);
  synth_trace_end(an, 3000 * MS);
  gha_finish(an);
  const struct gha_finding *f =
      gha_finding_for(an, gha_find_proc(an, "h", 100, 1), GHA_BLOAT);
  assert_non_null(f);
  assert_string_equal(f->estimate, "history");
  assert_int_equal(f->since_ns, 30 * MS + 1000);
  /* 75% of the 200000 words now used (the young heap is empty) */
  assert_int_equal(f->likely_freed, 150000);
  gha_analyzer_free(an);
}

static void test_exited_process_is_not_flagged(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS);
  synth_exit(&sp, 1300 * MS);
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  assert_int_equal(gha_finding_count(an), 0);
  assert_true(gha_proc_at(an, 0)->exited);
  gha_analyzer_free(an);
}

static void router(struct synth_proc *sp, bool hibernate) {
  synth_spawn(sp, 0);
  for (int i = 0; i < 30; i++) /* each GC promotes 20000 binary words */
    synth_minor(sp, (uint64_t)i * 2 * MS, 20000, 500, 50, 20000);
  if (hibernate)
    synth_hibernate(sp, 100 * MS, 50);
  synth_trace_end(sp->an, 2000 * MS);
}

static void test_binleak_flags_router_holding_binaries(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 7, 3, "router");
  router(&sp, false);
  gha_finish(an);
  const struct gha_finding *f =
      gha_finding_for(an, gha_find_proc(an, "h", 7, 3), GHA_BINLEAK);
  assert_non_null(f);
  assert_int_equal(f->held_words, 600000);
  assert_int_equal(f->severity, GHA_SEV_WARNING);
  gha_analyzer_free(an);
}

static void test_binleak_not_flagged_after_hibernation(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 7, 3, "router");
  router(&sp, true);
  gha_finish(an);
  assert_null(gha_finding_for(an, gha_find_proc(an, "h", 7, 3), GHA_BINLEAK));
  gha_analyzer_free(an);
}

static void test_binleak_needs_growth_steps(void **state) {
  (void)state;
  struct gha_options o;
  gha_options_init(&o);
  o.binleak_min_steps = 31; /* the router grows in 30 steps */
  struct gha_analyzer *an = gha_analyzer_new(&o);
  struct synth_proc sp;
  synth_init(&sp, an, "h", 7, 3, "router");
  router(&sp, false);
  gha_finish(an);
  assert_null(gha_finding_for(an, gha_find_proc(an, "h", 7, 3), GHA_BINLEAK));
  gha_analyzer_free(an);
}

static void test_idle_after_burst_is_info(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS);
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  const struct gha_finding *f =
      gha_finding_for(an, gha_find_proc(an, "h", 100, 1), GHA_IDLE_BURST);
  assert_non_null(f);
  assert_int_equal(f->severity, GHA_SEV_INFO);
  /* old block 310000 (synth doubles it as it fills) + young block 233 */
  assert_int_equal(f->held_words, 310233);
  gha_analyzer_free(an);
}

static void test_idle_after_burst_needs_a_burst(void **state) {
  (void)state;
  struct gha_options o;
  gha_options_init(&o);
  o.burst_min_gcs = 41;
  struct gha_analyzer *an = gha_analyzer_new(&o);
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS); /* 40 GCs */
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  assert_null(gha_finding_for(an, gha_find_proc(an, "h", 100, 1), GHA_IDLE_BURST));
  gha_analyzer_free(an);
}

static void test_summary_counts_and_pauses(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 1, 1, NULL);
  synth_spawn(&sp, 0);
  for (int i = 0; i < 99; i++)
    synth_minor(&sp, (uint64_t)i * MS, 10000, 1000, 10, 0); /* 10 us */
  synth_major(&sp, 200 * MS, 5000000, 100, 3);               /* 5 ms */
  synth_hibernate(&sp, 300 * MS, 50);
  gha_finish(an);
  const struct gha_proc *p = gha_proc_at(an, 0);
  assert_int_equal(p->info.minor_gcs, 99);
  assert_int_equal(p->info.full_sweeps, 2);
  assert_int_equal(p->info.hibernations, 1);
  assert_int_equal(p->info.words_promoted, 990);
  assert_int_equal(p->pause_count, 101);
  assert_int_equal(p->pause_max_ns, 5000000);
  uint64_t p50 = gha_pause_percentile(p, 50);
  assert_in_range(p50, 10000, 11250); /* bucket width 1/8 octave */
  assert_int_equal(gha_pause_percentile(p, 100), 5000000);
  assert_int_equal(p->peak_old_heap_size, 990);
  gha_analyzer_free(an);
}

static void test_processes_keyed_by_host_vpid_pid(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc a, b, c;
  synth_init(&a, an, "hosta", 10, 1, NULL);
  synth_init(&b, an, "hostb", 10, 1, NULL);
  synth_init(&c, an, "hosta", 11, 1, NULL);
  synth_minor(&a, 1, 10, 100, 1, 0);
  synth_minor(&b, 2, 10, 100, 2, 0);
  synth_minor(&b, 3, 10, 100, 2, 0);
  synth_minor(&c, 4, 10, 100, 3, 0);
  gha_finish(an);
  assert_int_equal(gha_proc_count(an), 3);
  assert_int_equal(gha_find_proc(an, "hosta", 10, 1)->info.words_promoted, 1);
  assert_int_equal(gha_find_proc(an, "hostb", 10, 1)->info.words_promoted, 4);
  assert_int_equal(gha_find_proc(an, "hosta", 11, 1)->info.words_promoted, 3);
  gha_analyzer_free(an);
}

static void test_exit_status_follows_fail_on(void **state) {
  (void)state;
  static const struct {
    enum gha_severity fail_on;
    int status;
  } cases[] = {{GHA_SEV_INFO, 1}, {GHA_SEV_WARNING, 1}, {GHA_SEV_ERROR, 0},
               {GHA_SEV_NEVER, 0}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    struct gha_options o;
    gha_options_init(&o);
    o.fail_on = cases[k].fail_on;
    struct gha_analyzer *an = gha_analyzer_new(&o);
    struct synth_proc sp;
    synth_init(&sp, an, "h", 100, 1, NULL);
    bloat_burst(&sp, 1000 * MS); /* a warning and an info finding */
    synth_trace_end(an, 4000 * MS);
    gha_finish(an);
    assert_int_equal(gha_exit_status(an), cases[k].status);
    gha_analyzer_free(an);
  }
}

static void test_info_only_findings_pass_at_warning(void **state) {
  (void)state;
  struct gha_options o;
  gha_options_init(&o);
  o.bloat_min_words = 1000000000; /* only idle-after-burst remains */
  struct gha_analyzer *an = gha_analyzer_new(&o);
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS);
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  assert_int_equal(gha_finding_count(an), 1);
  assert_int_equal(gha_exit_status(an), 0);
  gha_analyzer_free(an);
}

static void test_series_stays_bounded_and_keeps_markers(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 1, 1, NULL);
  for (int i = 0; i < 100000; i++) {
    if (i == 77777)
      synth_major(&sp, (uint64_t)i * MS, 100, 10, 3);
    else
      synth_minor(&sp, (uint64_t)i * MS, 100, 100, 1, 0);
  }
  gha_finish(an);
  const struct gha_proc *p = gha_proc_at(an, 0);
  assert_in_range(p->series_len, 2, GHA_SERIES_MAX);
  unsigned sweeps = 0;
  for (unsigned i = 0; i < p->series_len; i++) {
    if (i)
      assert_true(p->series[i].ts_ns > p->series[i - 1].ts_ns);
    if (p->series[i].marks & GHA_MARK_SWEEP)
      sweeps++;
  }
  assert_int_equal(sweeps, 1);
  gha_analyzer_free(an);
}

static void test_discarded_events_are_counted(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  gha_note_discarded(an, 12);
  gha_note_discarded(an, 30);
  assert_int_equal(gha_discarded_count(an), 42);
  gha_analyzer_free(an);
}

static void test_idle_is_measured_to_the_end_of_its_own_trace(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc early, late;
  synth_init(&early, an, "h", 1, 1, NULL);
  synth_init(&late, an, "h", 2, 1, NULL);
  /* trace 0 ends 300 ms after the burst; trace 1 runs a minute later */
  bloat_burst(&early, 1000 * MS);
  synth_minor(&early, 1500 * MS, 1000, 100, 0, 0);
  late.g.heap_size = 0;
  struct gha_event ev = {.type = GHA_EV_MINOR_END, .ts_ns = 60000 * MS,
                         .host = late.host, .trace = 1, .vpid = 2, .pid = 1};
  gha_feed(an, &ev);
  gha_finish(an);
  assert_null(gha_finding_for(an, gha_find_proc(an, "h", 1, 1), GHA_BLOAT));
  gha_analyzer_free(an);
}

static void test_minor_gc_that_could_not_run_is_not_a_gc(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 1, 1, NULL);
  synth_minor(&sp, 1 * MS, 1000, 100, 0, 0);
  /* the library's shape: minor pair with minor_gcs unchanged, then major */
  struct gha_event ev = {.type = GHA_EV_MINOR_START, .ts_ns = 2 * MS,
                         .host = sp.host, .vpid = 1, .pid = 1,
                         .has_info = true, .info = sp.g};
  gha_feed(an, &ev);
  ev.type = GHA_EV_MINOR_END;
  ev.ts_ns += 100;
  gha_feed(an, &ev);
  synth_major(&sp, 2 * MS + 200, 5000, 10, 5);
  gha_finish(an);
  const struct gha_proc *p = gha_proc_at(an, 0);
  assert_int_equal(p->gc_count, 2);
  assert_int_equal(p->pause_count, 2);
  assert_int_equal(p->info.minor_gcs, 1);
  gha_analyzer_free(an);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bloat_flags_idle_process_with_grown_old_heap),
      cmocka_unit_test(test_bloat_ignores_process_still_working),
      cmocka_unit_test(test_bloat_ignores_hibernated_process),
      cmocka_unit_test(test_bloat_ignores_short_idle),
      cmocka_unit_test(test_bloat_learns_freed_fraction_from_earlier_sweeps),
      cmocka_unit_test(test_exited_process_is_not_flagged),
      cmocka_unit_test(test_binleak_flags_router_holding_binaries),
      cmocka_unit_test(test_binleak_not_flagged_after_hibernation),
      cmocka_unit_test(test_binleak_needs_growth_steps),
      cmocka_unit_test(test_idle_after_burst_is_info),
      cmocka_unit_test(test_idle_after_burst_needs_a_burst),
      cmocka_unit_test(test_summary_counts_and_pauses),
      cmocka_unit_test(test_processes_keyed_by_host_vpid_pid),
      cmocka_unit_test(test_exit_status_follows_fail_on),
      cmocka_unit_test(test_info_only_findings_pass_at_warning),
      cmocka_unit_test(test_series_stays_bounded_and_keeps_markers),
      cmocka_unit_test(test_discarded_events_are_counted),
      cmocka_unit_test(test_idle_is_measured_to_the_end_of_its_own_trace),
      cmocka_unit_test(test_minor_gc_that_could_not_run_is_not_a_gc),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
