/* test-analyses.c -- the analyses on synthetic event streams: each test
 * states one behaviour (flagged or not, figures reported, exit status). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

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

static const struct gha_finding *finding(struct gha_analyzer *an, int64_t vpid,
                                         enum gha_analysis a) {
  return gha_finding_for(an, gha_find_proc(an, "h", vpid, 1), a);
}

static const struct synth_evidence roots_kept = {0, 0, true};
static const struct synth_evidence nothing_known = {0, 0, false};

/* The burst's last GC ends at 1195 ms + 30 us. */
#define BURST_END (1195 * MS + 30000)

static void test_unmeasured_old_heap_is_only_suspected(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, "cache");
  bloat_burst(&sp, 1000 * MS);
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  const struct gha_finding *f = finding(an, 100, GHA_BLOAT);
  assert_non_null(f);
  assert_int_equal(f->severity, GHA_SEV_INFO); /* nothing measured it */
  assert_false(f->measured);
  assert_string_equal(f->would_free_kind, "estimated");
  assert_int_equal(f->waste_words, 200000); /* at most all of it */
  assert_int_equal(f->since_ns, 1000 * MS); /* never swept: since spawn */
  char msg[GHA_MESSAGE_MAX];
  gha_finding_message(an, f, msg, sizeof msg);
  assert_non_null(strstr(msg, "estimated"));
  assert_int_equal(gha_exit_status(an), 0); /* info does not fail CI */
  gha_analyzer_free(an);
}

static void test_census_garbage_held_long_is_a_warning(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, "cache");
  bloat_burst(&sp, 1000 * MS);
  /* the census thread saw its roots quiet for 1.5 s */
  synth_census(&sp, 3000 * MS, 0, 0, GH_CENSUS_RECORDER,
               (struct synth_evidence){0, 1500, false});
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  const struct gha_finding *f = finding(an, 100, GHA_BLOAT);
  assert_non_null(f);
  assert_int_equal(f->severity, GHA_SEV_WARNING);
  assert_true(f->measured);
  assert_string_equal(f->evidence, "census");
  assert_int_equal(f->waste_words, 200000);
  assert_int_equal(f->from_ns, 1500 * MS);
  assert_int_equal(f->until_ns, 4000 * MS); /* alive to the end */
  assert_int_equal(f->above_ns, 2500 * MS);
  assert_int_equal(f->would_free, 200000);
  assert_string_equal(f->would_free_kind, "measured");
  assert_true(f->waste_word_s > 200000 * 2.49 && f->waste_word_s < 200000 * 2.51);
  assert_int_equal(gha_exit_status(an), 1);
  gha_analyzer_free(an);
}

static void test_all_live_old_heap_is_not_flagged(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, "routing-table");
  bloat_burst(&sp, 1000 * MS);
  synth_census(&sp, 3000 * MS, 200000, 0, GH_CENSUS_RECORDER, roots_kept);
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  assert_null(finding(an, 100, GHA_BLOAT)); /* nor suspected: measured live */
  assert_int_equal(gha_exit_status(an), 0);
  gha_analyzer_free(an);
}

static void test_half_live_old_heap_reports_the_garbage_half(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS);
  synth_census(&sp, 3000 * MS, 100000, 0, GH_CENSUS_RECORDER, roots_kept);
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  const struct gha_finding *f = finding(an, 100, GHA_BLOAT);
  assert_non_null(f);
  assert_int_equal(f->waste_words, 100000);
  assert_int_equal(f->held_words, 200000);
  assert_int_equal(f->from_ns, BURST_END); /* roots unchanged since then */
  gha_analyzer_free(an);
}

static void test_waste_below_threshold_is_not_flagged(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS);
  synth_census(&sp, 3000 * MS, 150000, 0, GH_CENSUS_RECORDER, roots_kept);
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  assert_null(finding(an, 100, GHA_BLOAT)); /* 50000 < 65536 */
  gha_analyzer_free(an);
}

static void test_waste_held_briefly_is_not_flagged(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS);
  /* measured 600 ms before the end of the recording, roots changed */
  synth_census(&sp, 3400 * MS, 0, 0, GH_CENSUS_RECORDER, nothing_known);
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  const struct gha_finding *f = finding(an, 100, GHA_BLOAT);
  assert_null(f);
  gha_analyzer_free(an);
}

static void test_exited_process_is_judged_over_its_life(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS);
  synth_census(&sp, 3000 * MS, 0, 0, GH_CENSUS_EXIT, roots_kept);
  synth_exit(&sp, 3000 * MS);
  synth_trace_end(an, 9000 * MS);
  gha_finish(an);
  const struct gha_finding *f = finding(an, 100, GHA_BLOAT);
  assert_non_null(f);
  assert_int_equal(f->severity, GHA_SEV_WARNING);
  assert_int_equal(f->from_ns, BURST_END);
  assert_int_equal(f->until_ns, 3000 * MS); /* not to the end of the trace */
  char msg[GHA_MESSAGE_MAX];
  gha_finding_message(an, f, msg, sizeof msg);
  assert_non_null(strstr(msg, "until it exited"));
  assert_string_equal(gha_proc_state(f->proc), "exited");
  gha_analyzer_free(an);
}

/* Garbage made just before exit (a cache dropped at shutdown): measured,
 * but nothing shows it was held, and it was not. */
static void test_garbage_dropped_at_exit_is_not_a_warning(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS);
  synth_census(&sp, 3000 * MS, 0, 0, GH_CENSUS_EXIT, nothing_known);
  synth_exit(&sp, 3000 * MS);
  gha_finish(an);
  assert_null(finding(an, 100, GHA_BLOAT)); /* not even a suspicion */
  const struct gha_proc *p = gha_find_proc(an, "h", 100, 1);
  struct gha_waste_summary w, b;
  gha_proc_waste(an, p, &w, &b);
  assert_int_equal(w.peak, 200000); /* still measured and reported */
  assert_int_equal(w.above_ns, 0);
  gha_analyzer_free(an);
}

static void test_runtime_end_ends_the_life(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS);
  synth_census(&sp, 3000 * MS, 0, 0, GH_CENSUS_RUNTIME_END, roots_kept);
  synth_trace_end(an, 9000 * MS);
  gha_finish(an);
  const struct gha_finding *f = finding(an, 100, GHA_BLOAT);
  assert_non_null(f);
  assert_int_equal(f->until_ns, 3000 * MS);
  assert_string_equal(gha_proc_state(f->proc), "freed");
  gha_analyzer_free(an);
}

/* Hibernation while waiting measures the garbage it frees: held only for
 * the hibernate_after delay, so nothing to report. */
static void test_hibernation_measures_a_short_waste(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, "sleeper");
  bloat_burst(&sp, 1000 * MS);
  synth_major_ev(&sp, 1400 * MS, 1000, 100, 4,
                 (struct synth_evidence){200, 0, true});
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  assert_int_equal(gha_finding_count(an), 0);
  const struct gha_proc *p = gha_find_proc(an, "h", 100, 1);
  struct gha_waste_summary w, b;
  gha_proc_waste(an, p, &w, &b);
  assert_int_equal(w.peak, 200000 - 100); /* what the sweep freed from the old heap */
  assert_int_equal(w.peak_by, GHA_BY_SWEEP);
  assert_int_equal(w.now_words, 0); /* gone since */
  gha_analyzer_free(an);
}

/* A sweep after a long idle with the roots of the last GC measures garbage
 * that was there all along. */
static void test_sweep_after_long_idle_with_same_roots_is_a_warning(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS);
  synth_major_ev(&sp, 3500 * MS, 1000, 100, 3, roots_kept);
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  const struct gha_finding *f = finding(an, 100, GHA_BLOAT);
  assert_non_null(f);
  assert_int_equal(f->severity, GHA_SEV_WARNING);
  assert_string_equal(f->evidence, "sweep");
  assert_int_equal(f->from_ns, BURST_END);
  assert_int_equal(f->until_ns, 3500 * MS);
  assert_int_equal(f->would_free, 0); /* swept since */
  gha_analyzer_free(an);
}

static void test_busy_process_sweeps_are_not_waste(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, "busy");
  synth_spawn(&sp, 0);
  for (int k = 0; k < 40; k++) { /* 100 ms of promotions, then a sweep */
    for (int i = 0; i < 20; i++)
      synth_minor(&sp, (uint64_t)(k * 100 + i * 5) * MS, 30000, 8000, 5000, 0);
    synth_major(&sp, (uint64_t)(k * 100 + 99) * MS, 100000, 500, 1);
  }
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  assert_int_equal(gha_finding_count(an), 0);
  const struct gha_proc *p = gha_find_proc(an, "h", 100, 1);
  struct gha_waste_summary w, b;
  gha_proc_waste(an, p, &w, &b);
  assert_true(w.peak >= 65536); /* its sweeps did free that much... */
  assert_int_equal(w.above_ns, 0); /* ...but nothing shows it was held */
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
  assert_null(finding(an, 100, GHA_BLOAT));
  gha_analyzer_free(an);
}

/* The recording's end, not the last event, ends the trace: a process that
 * idles emits nothing, and its idle time is seen to the packets' end. */
static void test_idle_is_measured_to_the_end_of_the_recording(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  synth_packet(an, 900 * MS);
  bloat_burst(&sp, 1000 * MS);
  gha_finish(an);
  assert_null(finding(an, 100, GHA_BLOAT)); /* the last event ends the trace */
  synth_packet(an, 4000 * MS);               /* the recording went on */
  gha_finish(an);
  assert_non_null(finding(an, 100, GHA_BLOAT));
  assert_int_equal(gha_trace_begin_ns(an), 900 * MS);
  assert_int_equal(gha_trace_end_ns(an), 4000 * MS);
  gha_analyzer_free(an);
}

static void test_second_spawn_of_a_key_is_a_new_process(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc a, b;
  synth_init(&a, an, "h", 100, 1, "first");
  synth_init(&b, an, "h", 100, 1, "second");
  synth_spawn(&a, 1 * MS);
  synth_minor(&a, 2 * MS, 1000, 100, 10, 0);
  synth_spawn(&b, 3 * MS);
  synth_minor(&b, 4 * MS, 1000, 100, 20, 0);
  gha_finish(an);
  assert_int_equal(gha_proc_count(an), 2);
  assert_int_equal(gha_key_reuse_count(an), 1);
  assert_string_equal(gha_find_proc(an, "h", 100, 1)->name, "second");
  assert_int_equal(gha_find_proc(an, "h", 100, 1)->info.words_promoted, 20);
  gha_analyzer_free(an);
}

/* A router: each GC promotes 20000 binary words (ProcBins of requests it
 * kept a while); then it waits from 62 ms on. */
static void router(struct synth_proc *sp, bool hibernate, bool census) {
  synth_spawn(sp, 0);
  for (int i = 0; i < 30; i++)
    synth_minor(sp, (uint64_t)i * 2 * MS, 20000, 500, 50, 20000);
  if (hibernate)
    synth_hibernate(sp, 100 * MS, 50);
  else if (census) /* the census thread, once it has waited 1 s */
    synth_census(sp, 1062 * MS, 1500, 0, GH_CENSUS_RECORDER,
                 (struct synth_evidence){1000, 0, false});
  synth_trace_end(sp->an, 2000 * MS);
}

static void test_binleak_flags_router_holding_binaries(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 7, 3, "router");
  router(&sp, false, true);
  gha_finish(an);
  const struct gha_finding *f =
      gha_finding_for(an, gha_find_proc(an, "h", 7, 3), GHA_BINLEAK);
  assert_non_null(f);
  assert_int_equal(f->held_words, 600000);
  assert_int_equal(f->waste_words, 600000);
  assert_int_equal(f->from_ns, 62 * MS);
  assert_int_equal(f->severity, GHA_SEV_WARNING);
  assert_string_equal(f->evidence, "census");
  gha_analyzer_free(an);
}

static void test_unmeasured_router_is_only_suspected(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 7, 3, "router");
  router(&sp, false, false);
  gha_finish(an);
  const struct gha_finding *f =
      gha_finding_for(an, gha_find_proc(an, "h", 7, 3), GHA_BINLEAK);
  assert_non_null(f);
  assert_int_equal(f->severity, GHA_SEV_INFO);
  assert_string_equal(f->would_free_kind, "estimated");
  gha_analyzer_free(an);
}

static void test_binleak_not_flagged_after_hibernation(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 7, 3, "router");
  router(&sp, true, false);
  gha_finish(an);
  assert_null(gha_finding_for(an, gha_find_proc(an, "h", 7, 3), GHA_BINLEAK));
  gha_analyzer_free(an);
}

static void test_binleak_suspicion_needs_growth_steps(void **state) {
  (void)state;
  struct gha_options o;
  gha_options_init(&o);
  o.binleak_min_steps = 31; /* the router grows in 30 steps */
  struct gha_analyzer *an = gha_analyzer_new(&o);
  struct synth_proc sp;
  synth_init(&sp, an, "h", 7, 3, "router");
  router(&sp, false, false);
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
  assert_in_range(p50, 10000, 12288); /* bucket width 1/4 octave */
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
    synth_census(&sp, 3000 * MS, 0, 0, GH_CENSUS_RECORDER, roots_kept);
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
  struct gha_analyzer *an = gha_analyzer_new(&o);
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS); /* suspected bloat and idle-after-burst: info */
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  assert_int_equal(gha_finding_count(an), 2);
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
      assert_true(gha_point_ts(p, &p->series[i]) >= gha_point_ts(p, &p->series[i - 1]));
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

/* A live analysis finishes again as events arrive: a census that comes
 * later turns a suspicion into a measured warning, or silences it. */
static void test_findings_change_as_censuses_arrive(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc a, b;
  synth_init(&a, an, "h", 100, 1, "garbage");
  synth_init(&b, an, "h", 101, 1, "cache");
  bloat_burst(&a, 1000 * MS);
  bloat_burst(&b, 1000 * MS);
  synth_packet(an, 3000 * MS);
  gha_finish(an);
  assert_int_equal(finding(an, 100, GHA_BLOAT)->severity, GHA_SEV_INFO);
  assert_int_equal(finding(an, 101, GHA_BLOAT)->severity, GHA_SEV_INFO);
  synth_census(&a, 3100 * MS, 0, 0, GH_CENSUS_RECORDER,
               (struct synth_evidence){2000, 0, false});
  synth_census(&b, 3100 * MS, 200000, 0, GH_CENSUS_RECORDER,
               (struct synth_evidence){2000, 0, false});
  gha_finish(an);
  assert_int_equal(finding(an, 100, GHA_BLOAT)->severity, GHA_SEV_WARNING);
  assert_null(finding(an, 101, GHA_BLOAT));
  gha_analyzer_free(an);
}

/* ---- the options table ------------------------------------------------ */

static int set_opt(struct gha_options *o, const char *name, const char *text) {
  char why[160];
  const struct gha_option_def *d = gha_option_find(name);
  assert_non_null(d);
  int rc = gha_option_parse(o, d, text, why, sizeof why);
  if (rc < 0)
    assert_non_null(strstr(why, name)); /* the reason names the option */
  return rc;
}

static void test_options_refuse_what_they_cannot_hold(void **state) {
  (void)state;
  struct gha_options o;
  gha_options_init(&o);
  static const char *const bad_seconds[] = {"inf", "nan", "1e300", "2e10", "-1",
                                            "", "1s", " 1", "0x10", "+1"};
  for (size_t i = 0; i < sizeof bad_seconds / sizeof *bad_seconds; i++)
    assert_int_equal(set_opt(&o, "min-idle", bad_seconds[i]), -1);
  assert_int_equal(o.min_idle_ns, 1000000000ull); /* unchanged */
  assert_int_equal(set_opt(&o, "idle-factor", "nan"), -1);
  assert_int_equal(set_opt(&o, "bloat-min-words", "1.5"), -1);
  assert_int_equal(set_opt(&o, "bloat-min-words", "99999999999999999999"), -1);
  assert_int_equal(set_opt(&o, "binleak-min-steps", "4294967296"), -1);
  assert_int_equal(set_opt(&o, "fail-on", "sometimes"), -1);
  assert_null(gha_option_find("min-idel"));
}

static void test_options_take_valid_values(void **state) {
  (void)state;
  struct gha_options o;
  gha_options_init(&o);
  assert_int_equal(set_opt(&o, "min-idle", "2.5"), 0);
  assert_int_equal(o.min_idle_ns, 2500000000ull);
  assert_int_equal(set_opt(&o, "min-idle", "1e-3"), 0);
  assert_int_equal(o.min_idle_ns, 1000000ull);
  assert_int_equal(set_opt(&o, "idle-factor", "7.5"), 0);
  assert_true(o.idle_factor == 7.5);
  assert_int_equal(set_opt(&o, "bloat-min-words", "123456"), 0);
  assert_int_equal(o.bloat_min_words, 123456);
  assert_int_equal(set_opt(&o, "burst-min-gcs", "0"), 0);
  assert_int_equal(o.burst_min_gcs, 0);
  assert_int_equal(set_opt(&o, "fail-on", "never"), 0);
  assert_int_equal(o.fail_on, GHA_SEV_NEVER);
  char why[160];
  assert_int_equal(gha_option_set_number(&o, gha_option_find("binleak-min-words"),
                                         4096.0, why, sizeof why), 0);
  assert_int_equal(o.binleak_min_words, 4096);
  size_t n;
  assert_non_null(gha_option_defs(&n));
  assert_int_equal(n, 8);
}

/* ---- the waste staircase (waste.c) ---------------------------------- */

static void test_waste_bound_is_the_largest_measurement_passed(void **state) {
  (void)state;
  struct gha_waste w;
  gha_waste_init(&w, 1000);
  gha_waste_measured(&w, GHA_BY_CENSUS, 2000, 3000, 50);  /* >= 50 from 2000 */
  gha_waste_measured(&w, GHA_BY_CENSUS, 1500, 4000, 40);  /* dominated later on */
  gha_waste_measured(&w, GHA_BY_CENSUS, 5000, 6000, 100);
  gha_waste_measured(&w, GHA_BY_SWEEP, 500, 1200, 10);    /* clamped to 1000 */
  struct gha_waste_summary s;
  gha_waste_summarize(&w, 10000, 45, &s);
  /* 10 on [1000,1500), 40 on [1500,2000), 50 on [2000,5000), 100 after */
  double want = (10.0 * 500 + 40.0 * 500 + 50.0 * 3000 + 100.0 * 5000) / 1e9;
  assert_true(s.word_s > want * 0.999999 && s.word_s < want * 1.000001);
  assert_int_equal(s.above_ns, 8000); /* from 2000, where 50 >= 45 */
  assert_int_equal(s.first_above_ns, 2000);
  assert_int_equal(s.last_above_ns, 10000);
  assert_int_equal(s.peak, 100);
  assert_int_equal(s.peak_ns, 6000);
  assert_int_equal(s.now_words, 100);
  assert_int_equal(s.measurements, 4);
}

static void test_waste_epochs_end_at_sweeps(void **state) {
  (void)state;
  struct gha_waste w;
  gha_waste_init(&w, 0);
  gha_waste_measured(&w, GHA_BY_CENSUS, 1000, 2000, 100);
  gha_waste_sweep(&w, 3000, 3100, 50); /* 2000 ns above */
  gha_waste_measured(&w, GHA_BY_CENSUS, 2000, 4000, 80); /* clamped to 3100 */
  struct gha_waste_summary s;
  gha_waste_summarize(&w, 5100, 50, &s);
  assert_int_equal(s.above_ns, 2000 + 2000);
  assert_int_equal(s.longest_above_ns, 2000);
  assert_int_equal(s.first_above_ns, 1000);
  assert_int_equal(s.last_above_ns, 5100);
  assert_int_equal(s.now_words, 80);
  /* summarizing changes nothing: a live analysis asks again later */
  gha_waste_summarize(&w, 6100, 50, &s);
  assert_int_equal(s.above_ns, 2000 + 3000);
}

/* More measurements than steps: the bound drops steps but stays a bound
 * (never above the true staircase) and keeps its last level. */
static void test_waste_bound_stays_below_truth_when_steps_run_out(void **state) {
  (void)state;
  struct gha_waste w;
  gha_waste_init(&w, 0);
  uint64_t since[40], words[40];
  for (int i = 0; i < 40; i++) {
    since[i] = (uint64_t)(i * 100 + (i * 37) % 50);
    words[i] = (uint64_t)(10 + i * 7 + (i * 13) % 5);
    gha_waste_measured(&w, GHA_BY_CENSUS, since[i], since[i] + 10, words[i]);
    assert_true(w.nstairs <= GHA_STAIRS);
  }
  for (uint64_t t = 0; t < 4100; t += 7) {
    uint64_t truth = 0, bound = 0;
    for (int i = 0; i < 40; i++)
      if (since[i] <= t && words[i] > truth)
        truth = words[i];
    for (unsigned k = 0; k < w.nstairs; k++)
      if (w.stairs[k].since_ns <= t)
        bound = w.stairs[k].words;
    assert_true(bound <= truth);
  }
  struct gha_waste_summary s;
  gha_waste_summarize(&w, 5000, 1, &s);
  assert_int_equal(s.now_words, words[39]);
}

/* ---- BEAM traces (genheap-beam) ------------------------------------------ */

static void test_proc_info_updates_the_block_without_a_gc(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, "<0.86.0>");
  sp.runtime = GHA_RUNTIME_BEAM;
  synth_proc_info(&sp, 1000 * MS); /* attach-time snapshot */
  synth_minor(&sp, 1100 * MS, 1000, 5000, 3000, 0);
  sp.name = "<0.86.0> seed_bloat"; /* it registered a name */
  sp.g.old_heap_size = 9000;
  synth_proc_info(&sp, 1200 * MS);
  synth_trace_end(an, 1300 * MS);
  gha_finish(an);
  const struct gha_proc *p = gha_find_proc(an, "h", 100, 1);
  assert_non_null(p);
  assert_int_equal(p->gc_count, 1); /* the snapshots are not collections */
  assert_int_equal(p->ev_minor, 1);
  assert_int_equal(p->info.old_heap_size, 9000);
  assert_string_equal(p->name, "<0.86.0> seed_bloat"); /* the better name wins */
  assert_int_equal(p->runtime, GHA_RUNTIME_BEAM);
  gha_analyzer_free(an);
}

/* The BEAM recorder's end sweep (reason 6) of a process quiet for 1.5 s:
 * what it freed was garbage for that long. */
static void test_recorder_sweep_of_quiet_beam_process_is_a_warning(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, "<0.86.0> seed_bloat");
  sp.runtime = GHA_RUNTIME_BEAM;
  bloat_burst(&sp, 1000 * MS);
  synth_major_ev(&sp, 3000 * MS, 2 * MS, 10, GHA_SWEEP_RECORDER,
                 (struct synth_evidence){1500, 1500, false});
  synth_trace_end(an, 3100 * MS);
  gha_finish(an);
  const struct gha_finding *f = finding(an, 100, GHA_BLOAT);
  assert_non_null(f);
  assert_int_equal(f->severity, GHA_SEV_WARNING);
  assert_string_equal(f->evidence, "recorder sweep");
  assert_int_equal(f->waste_words, 200000 - 10);
  assert_int_equal(f->from_ns, 1500 * MS);
  assert_int_equal(f->until_ns, 3000 * MS);
  assert_int_equal(gha_recorder_sweep_count(an), 1);
  assert_non_null(strstr(f->fix, "hibernate_after"));
  assert_non_null(strstr(f->fix, "erlang:garbage_collect"));
  char msg[GHA_MESSAGE_MAX];
  gha_finding_message(an, f, msg, sizeof msg);
  assert_non_null(strstr(msg, "BEAM"));
  assert_non_null(strstr(msg, "recorder sweep"));
  gha_analyzer_free(an);
}

/* Without evidence the recorder's sweep measures the garbage at its own
 * moment only: no duration, no warning. */
static void test_recorder_sweep_without_evidence_is_not_a_warning(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  sp.runtime = GHA_RUNTIME_BEAM;
  bloat_burst(&sp, 1000 * MS);
  synth_major_ev(&sp, 3000 * MS, 2 * MS, 10, GHA_SWEEP_RECORDER, nothing_known);
  synth_trace_end(an, 3100 * MS);
  gha_finish(an);
  assert_null(finding(an, 100, GHA_BLOAT));
  gha_analyzer_free(an);
}

static void test_unswept_beam_process_suspicion_says_how_to_measure(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  sp.runtime = GHA_RUNTIME_BEAM;
  bloat_burst(&sp, 1000 * MS);
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  const struct gha_finding *f = finding(an, 100, GHA_BLOAT);
  assert_non_null(f);
  assert_int_equal(f->severity, GHA_SEV_INFO);
  char msg[GHA_MESSAGE_MAX];
  gha_finding_message(an, f, msg, sizeof msg);
  assert_non_null(strstr(msg, "genheap-beam --sweep"));
  assert_non_null(strstr(f->fix, "{fullsweep_after, N}"));
  gha_analyzer_free(an);
}

static void test_genheap_traces_keep_genheap_fixes(void **state) {
  (void)state;
  struct gha_analyzer *an = new_an();
  struct synth_proc sp;
  synth_init(&sp, an, "h", 100, 1, NULL);
  bloat_burst(&sp, 1000 * MS);
  synth_census(&sp, 3000 * MS, 0, 0, GH_CENSUS_RECORDER,
               (struct synth_evidence){0, 1500, false});
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  const struct gha_finding *f = finding(an, 100, GHA_BLOAT);
  assert_non_null(f);
  assert_null(strstr(f->fix, "erlang:"));
  assert_non_null(strstr(f->fix, "hibernate_after_ms"));
  assert_int_equal(gha_recorder_sweep_count(an), 0);
  gha_note_origin(an, GHA_RUNTIME_BEAM, "BEAM, OTP 25");
  gha_note_origin(an, GHA_RUNTIME_BEAM, "BEAM, OTP 25"); /* kept once */
  assert_int_equal(gha_origin_count(an), 1);
  enum gha_runtime rt;
  assert_string_equal(gha_origin_at(an, 0, &rt), "BEAM, OTP 25");
  assert_int_equal(rt, GHA_RUNTIME_BEAM);
  gha_analyzer_free(an);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unmeasured_old_heap_is_only_suspected),
      cmocka_unit_test(test_census_garbage_held_long_is_a_warning),
      cmocka_unit_test(test_all_live_old_heap_is_not_flagged),
      cmocka_unit_test(test_half_live_old_heap_reports_the_garbage_half),
      cmocka_unit_test(test_waste_below_threshold_is_not_flagged),
      cmocka_unit_test(test_waste_held_briefly_is_not_flagged),
      cmocka_unit_test(test_exited_process_is_judged_over_its_life),
      cmocka_unit_test(test_garbage_dropped_at_exit_is_not_a_warning),
      cmocka_unit_test(test_runtime_end_ends_the_life),
      cmocka_unit_test(test_hibernation_measures_a_short_waste),
      cmocka_unit_test(test_sweep_after_long_idle_with_same_roots_is_a_warning),
      cmocka_unit_test(test_busy_process_sweeps_are_not_waste),
      cmocka_unit_test(test_bloat_ignores_process_still_working),
      cmocka_unit_test(test_bloat_ignores_hibernated_process),
      cmocka_unit_test(test_bloat_ignores_short_idle),
      cmocka_unit_test(test_idle_is_measured_to_the_end_of_the_recording),
      cmocka_unit_test(test_second_spawn_of_a_key_is_a_new_process),
      cmocka_unit_test(test_binleak_flags_router_holding_binaries),
      cmocka_unit_test(test_unmeasured_router_is_only_suspected),
      cmocka_unit_test(test_binleak_not_flagged_after_hibernation),
      cmocka_unit_test(test_binleak_suspicion_needs_growth_steps),
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
      cmocka_unit_test(test_findings_change_as_censuses_arrive),
      cmocka_unit_test(test_options_refuse_what_they_cannot_hold),
      cmocka_unit_test(test_options_take_valid_values),
      cmocka_unit_test(test_waste_bound_is_the_largest_measurement_passed),
      cmocka_unit_test(test_waste_epochs_end_at_sweeps),
      cmocka_unit_test(test_waste_bound_stays_below_truth_when_steps_run_out),
      cmocka_unit_test(test_proc_info_updates_the_block_without_a_gc),
      cmocka_unit_test(test_recorder_sweep_of_quiet_beam_process_is_a_warning),
      cmocka_unit_test(test_recorder_sweep_without_evidence_is_not_a_warning),
      cmocka_unit_test(test_unswept_beam_process_suspicion_says_how_to_measure),
      cmocka_unit_test(test_genheap_traces_keep_genheap_fixes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
