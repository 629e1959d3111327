/* test-gate.c -- the CI gate (gate/gate.h) on synthetic runs: the JSON
 * stream reader, suppressions files, baselines read back from the JSON
 * writer, and the comparison by process name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* after the four above, which it needs */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate.h"
#include "jsonread.h"
#include "report.h"
#include "synth.h"

/* ---- helpers ---------------------------------------------------------------- */

/* A process that promotes `old` words, then idles waiting, and a census
 * finds `garbage` of them unreachable: a bloat warning when garbage is at
 * least 65536 (held 2.5 s). */
static void server(struct gha_analyzer *an, const char *host, int64_t vpid, uint64_t pid,
                   const char *name, uint64_t old, uint64_t garbage) {
  struct synth_proc sp;
  synth_init(&sp, an, host, vpid, pid, name);
  synth_spawn(&sp, 1000 * MS);
  synth_minor(&sp, 1000 * MS, 10000, old + 100, old, 0);
  synth_census(&sp, 2500 * MS, old - garbage, 0, GH_CENSUS_RECORDER,
               (struct synth_evidence){1000, 0, false});
}

static struct gha_analyzer *run_of(void) { return gha_analyzer_new(NULL); }

static void finish(struct gha_analyzer *an) {
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
}

/* The JSON report of `an` (gated by g when not NULL) in a temporary file;
 * its path in buf. */
static void write_json(const struct gha_analyzer *an, const struct gha_gate *g, char *buf,
                       size_t size) {
  snprintf(buf, size, "%s/gha-gate-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  int fd = mkstemp(buf);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  struct gha_run_info run = {.gate = g};
  assert_int_equal(gha_report_json(f, an, &run), 0);
  fclose(f);
}

static void write_text(const char *text, char *buf, size_t size) {
  snprintf(buf, size, "%s/gha-gate-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  int fd = mkstemp(buf);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
}

static void load(const struct gha_analyzer *baseline_run, struct gha_baseline *b,
                 char *path, size_t size) {
  char why[512];
  write_json(baseline_run, NULL, path, size);
  assert_int_equal(gha_baseline_load(path, GHA_SEV_WARNING, b, why, sizeof why), 0);
}

static size_t count_kind(const struct gha_gate *g, enum gha_change_kind k) {
  size_t n = 0;
  for (size_t i = 0; i < g->nchanges; i++)
    n += g->changes[i].kind == k;
  return n;
}

static const struct gha_change *change_of(const struct gha_gate *g,
                                          enum gha_change_kind k) {
  for (size_t i = 0; i < g->nchanges; i++)
    if (g->changes[i].kind == k)
      return &g->changes[i];
  return NULL;
}

/* ---- the JSON stream reader ------------------------------------------------- */

struct seen {
  char text[1024];
};

static int record(void *ctx, const struct gha_jr_path *p, const struct gha_jr_value *v,
                  char *why, size_t size) {
  (void)why;
  (void)size;
  struct seen *s = ctx;
  size_t len = strlen(s->text);
  char where[256] = "";
  for (unsigned d = 0; d < p->depth; d++) {
    size_t w = strlen(where);
    if (p->at[d].in_array)
      snprintf(where + w, sizeof where - w, "[%llu]", (unsigned long long)p->at[d].index);
    else
      snprintf(where + w, sizeof where - w, ".%s", p->at[d].key);
  }
  static const char *const kinds[] = {"null", "bool", "num", "str", "{", "[", "end"};
  snprintf(s->text + len, sizeof s->text - len, "%s=%s%s%s;", where, kinds[v->kind],
           v->kind == GHA_JR_STRING ? ":" : "", v->kind == GHA_JR_STRING ? v->str : "");
  return 0;
}

static int parse(const char *text, struct seen *s, char *why, size_t size) {
  FILE *f = fmemopen((void *)text, strlen(text), "r");
  memset(s, 0, sizeof *s);
  int rc = gha_jr_read(f, record, s, why, size);
  fclose(f);
  return rc;
}

static void test_reader_gives_each_value_with_its_path(void **state) {
  (void)state;
  struct seen s;
  char why[256];
  assert_int_equal(parse(" {\"a\": [1, {\"b\": \"x\\u00e9\\ud83d\\ude00\\n\"}], "
                         "\"c\": null, \"d\": true}\n",
                         &s, why, sizeof why),
                   0);
  assert_string_equal(s.text, "={;.a=[;.a[0]=num;.a[1]={;.a[1].b=str:x\xc3\xa9"
                              "\xf0\x9f\x98\x80\n;.a[1]=end;.a=end;.c=null;"
                              ".d=bool;=end;");
  assert_true(gha_jr_at(&(struct gha_jr_path){0}, NULL));
}

static void test_reader_refuses_what_is_not_json(void **state) {
  (void)state;
  const char *bad[] = {
      "{",           "[1,]",    "{\"a\" 1}", "01",         "1.",       "-", "\"\\u0000\"",
      "\"\\ud800\"", "[]x",     "tru",       "{\"a\":1,}", "\"a\tb\"", "",  "{1:2}",
      "[1 2]",       "\"\\x\"", "nul"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct seen s;
    char why[256] = "";
    assert_int_equal(parse(bad[i], &s, why, sizeof why), -1);
    assert_non_null(strstr(why, "not JSON at byte"));
  }
  char deep[64] = "";
  for (int i = 0; i < 17; i++)
    strcat(deep, "[");
  struct seen s;
  char why[256];
  assert_int_equal(parse(deep, &s, why, sizeof why), -1);
  assert_non_null(strstr(why, "nested deeper"));
}

/* ---- suppressions --------------------------------------------------------- */

static void test_suppressions_file_is_read_with_its_fields(void **state) {
  (void)state;
  char path[256], why[512];
  write_text("# comment\n\n  server bloat until=2030-02-28  kept on purpose  \r\n"
             "cache-* * reason with   spaces\n",
             path, sizeof path);
  struct gha_suppressions s;
  assert_int_equal(gha_suppressions_load(path, 20300301, &s, why, sizeof why), 0);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.v[0].line, 3);
  assert_string_equal(s.v[0].pattern, "server");
  assert_int_equal(s.v[0].analysis, GHA_BLOAT);
  assert_int_equal(s.v[0].until, 20300228);
  assert_true(s.v[0].expired); /* the day after its last day */
  assert_string_equal(s.v[0].reason, "kept on purpose");
  assert_int_equal(s.v[1].analysis, -1);
  assert_int_equal(s.v[1].until, 0);
  assert_false(s.v[1].expired);
  assert_string_equal(s.v[1].reason, "reason with   spaces");
  gha_suppressions_free(&s);
  unlink(path);
  /* the last day itself is still in force */
  write_text("server bloat until=2030-02-28 r\n", path, sizeof path);
  assert_int_equal(gha_suppressions_load(path, 20300228, &s, why, sizeof why), 0);
  assert_false(s.v[0].expired);
  gha_suppressions_free(&s);
  unlink(path);
}

static void test_suppressions_mistakes_name_file_and_line(void **state) {
  (void)state;
  const char *bad[][2] = {
      {"server\n", "want PATTERN ANALYSIS"},
      {"server leak reason\n", "unknown analysis 'leak'"},
      {"server bloat\n", "no reason"},
      {"server bloat until=2030-02-30 r\n", "not a date"},
      {"server bloat until=2030-2-3 r\n", "not a date"},
      {"server bloat until=2029-02-29 r\n", "not a date"},
      {"server bloat until=tomorrow r\n", "not a date"},
      {"server bloat until=2030-01-01\n", "no reason"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char path[256], why[512], text[128], want[300];
    snprintf(text, sizeof text, "# first line\n%s", bad[i][0]);
    write_text(text, path, sizeof path);
    struct gha_suppressions s;
    assert_int_equal(gha_suppressions_load(path, 20260101, &s, why, sizeof why), -1);
    snprintf(want, sizeof want, "%s:2: ", path);
    assert_memory_equal(why, want, strlen(want));
    assert_non_null(strstr(why, bad[i][1]));
    unlink(path);
  }
  char why[512];
  struct gha_suppressions s;
  assert_int_equal(gha_suppressions_load("/no/such/file", 20260101, &s, why, sizeof why),
                   -1);
  assert_non_null(strstr(why, "/no/such/file: No such file"));
}

static void test_suppression_accepts_findings_until_it_expires(void **state) {
  (void)state;
  struct gha_analyzer *an = run_of();
  server(an, "h", 1, 1, "server", 200000, 200000);
  server(an, "h", 1, 2, "other", 200000, 200000);
  finish(an);
  assert_int_equal(gha_finding_count(an), 2);
  char path[256], why[512];
  write_text("serv* bloat until=2030-01-01 known\n"
             "other bloat until=2020-01-01 was known\n"
             "nobody * never matches\n",
             path, sizeof path);
  struct gha_suppressions s;
  assert_int_equal(gha_suppressions_load(path, 20260101, &s, why, sizeof why), 0);
  struct gha_gate g;
  assert_int_equal(gha_gate_run(&g, an, NULL, &s, NULL), 0);
  for (size_t i = 0; i < gha_finding_count(an); i++) {
    const struct gha_finding *f = gha_finding_at(an, i);
    bool is_server = strcmp(f->proc->name, "server") == 0;
    assert_int_equal(gha_gate_verdict(&g, i),
                     is_server ? GHA_VERDICT_SUPPRESSED : GHA_VERDICT_FAILS);
  }
  assert_int_equal(s.v[0].matched, 1);
  assert_true(s.v[1].expired);
  assert_int_equal(s.v[1].matched, 1); /* it would have: its finding counts again */
  assert_int_equal(s.v[2].matched, 0); /* unused */
  assert_int_equal(g.status, 1);
  gha_gate_free(&g);
  /* with the other one accepted too, the gate passes */
  s.v[1].expired = false;
  s.v[0].matched = s.v[1].matched = 0;
  assert_int_equal(gha_gate_run(&g, an, NULL, &s, NULL), 0);
  assert_int_equal(g.status, 0);
  assert_int_equal(g.suppressed, 2);
  gha_gate_free(&g);
  gha_suppressions_free(&s);
  unlink(path);
  gha_analyzer_free(an);
}

/* ---- baselines ------------------------------------------------------------- */

static void test_a_run_against_itself_changes_nothing(void **state) {
  (void)state;
  struct gha_analyzer *an = run_of();
  server(an, "h", 1, 1, "server", 200000, 150000);
  server(an, "h", 1, 2, "cache", 300000, 0);
  finish(an);
  struct gha_baseline b;
  char path[256];
  load(an, &b, path, sizeof path);
  assert_int_equal(b.procs, 2);
  assert_int_equal(b.findings, 1);
  const struct gha_name_row *r = gha_names_find(&b.names, "h", "server");
  assert_non_null(r);
  assert_int_equal(r->fig[GHA_FIG_OLD_HEAP], 200000);
  assert_int_equal(r->fig[GHA_FIG_WASTE], 150000);
  assert_int_equal(r->findings[GHA_BLOAT], 1);
  struct gha_gate g;
  assert_int_equal(gha_gate_run(&g, an, &b, NULL, NULL), 0);
  assert_int_equal(g.nchanges, 0);
  assert_int_equal(g.names_new + g.names_gone, 0);
  assert_int_equal(gha_gate_verdict(&g, 0), GHA_VERDICT_KNOWN);
  assert_int_equal(g.status, 0);
  assert_string_equal(g.options_differ, "");
  gha_gate_free(&g);
  gha_baseline_free(&b);
  unlink(path);
  gha_analyzer_free(an);
}

static void test_a_new_finding_fails_and_a_gone_one_is_reported(void **state) {
  (void)state;
  struct gha_analyzer *before = run_of(), *now = run_of();
  server(before, "h", 1, 1, "server", 200000, 0);
  server(before, "h", 1, 2, "retired", 200000, 200000);
  finish(before);
  server(now, "h", 2, 1, "server", 200000, 200000);
  finish(now);
  struct gha_baseline b;
  char path[256];
  load(before, &b, path, sizeof path);
  struct gha_gate g;
  assert_int_equal(gha_gate_run(&g, now, &b, NULL, NULL), 0);
  const struct gha_change *c = change_of(&g, GHA_CH_NEW);
  assert_non_null(c);
  assert_string_equal(c->name, "server");
  assert_int_equal(c->what, GHA_BLOAT);
  assert_int_equal(c->before, 0);
  assert_int_equal(c->now, 1);
  assert_true(c->regression);
  /* its waste grew from nothing measured: a figure regression too */
  c = change_of(&g, GHA_CH_GROWN);
  assert_non_null(c);
  assert_int_equal(c->what, GHA_FIG_WASTE);
  c = change_of(&g, GHA_CH_GONE);
  assert_non_null(c);
  assert_string_equal(c->name, "retired");
  assert_false(c->seen);
  assert_false(c->regression);
  assert_true(g.changes[0].regression); /* regressions first */
  assert_int_equal(gha_gate_verdict(&g, 0), GHA_VERDICT_FAILS);
  assert_int_equal(g.names_gone, 1);
  assert_int_equal(g.status, 1);
  gha_gate_free(&g);
  gha_baseline_free(&b);
  unlink(path);
  gha_analyzer_free(before);
  gha_analyzer_free(now);
}

static void test_figures_fail_past_both_thresholds(void **state) {
  (void)state;
  struct gha_analyzer *before = run_of();
  server(before, "h", 1, 1, "server", 400000, 100000);
  finish(before);
  struct gha_baseline b;
  char path[256];
  load(before, &b, path, sizeof path);
  struct {
    uint64_t garbage;
    uint64_t min_words;
    enum gha_change_kind want;
    bool changed;
  } cases[] = {
      {119000, 0, GHA_CH_GROWN, false},     /* +19% */
      {170000, 0, GHA_CH_GROWN, true},      /* +70%, 70000 >= 65536 */
      {170000, 80000, GHA_CH_GROWN, false}, /* +70% but under 80000 words */
      {125000, 1, GHA_CH_GROWN, true},      /* +25% */
      {70000, 1, GHA_CH_SHRUNK, true},      /* -30% */
      {85000, 1, GHA_CH_SHRUNK, false},     /* -15% */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct gha_analyzer *now = run_of();
    server(now, "h", 2, 1, "server", 400000, cases[i].garbage);
    finish(now);
    struct gha_gate_options o;
    gha_gate_options_init(&o);
    o.min_words = cases[i].min_words;
    struct gha_gate g;
    assert_int_equal(gha_gate_run(&g, now, &b, NULL, &o), 0);
    const struct gha_change *c = change_of(&g, cases[i].want);
    assert_int_equal(c != NULL, cases[i].changed);
    if (c) {
      assert_int_equal(c->what, GHA_FIG_WASTE);
      assert_int_equal(c->before, 100000);
      assert_int_equal(c->now, cases[i].garbage);
    }
    /* the finding was known: only a grown figure fails */
    assert_int_equal(gha_gate_verdict(&g, 0), GHA_VERDICT_KNOWN);
    assert_int_equal(g.status, cases[i].want == GHA_CH_GROWN && cases[i].changed);
    gha_gate_free(&g);
    gha_analyzer_free(now);
  }
  gha_baseline_free(&b);
  unlink(path);
  gha_analyzer_free(before);
}

/* 2,000 processes named "worker": their worst and their count compare. */
static void test_many_processes_of_one_name_compare_as_one_row(void **state) {
  (void)state;
  struct gha_analyzer *runs[3];
  for (int r = 0; r < 3; r++) {
    runs[r] = run_of();
    int flagged = r == 0 ? 1 : r == 1 ? 1 : 3;
    for (uint64_t pid = 1; pid <= 2000; pid++) {
      /* a different worker is flagged in each run */
      bool bad = pid >= 100 * (uint64_t)(r + 1) &&
                 pid < 100 * (uint64_t)(r + 1) + (uint64_t)flagged;
      server(runs[r], "h", 7, pid, "worker", 100000, bad ? 100000 : 0);
    }
    finish(runs[r]);
  }
  struct gha_baseline b;
  char path[256];
  load(runs[0], &b, path, sizeof path);
  assert_int_equal(b.names.n, 1);
  assert_int_equal(b.names.v[0].procs, 2000);
  struct gha_gate g;
  assert_int_equal(gha_gate_run(&g, runs[1], &b, NULL, NULL), 0);
  assert_int_equal(g.nchanges, 0); /* another worker, the same row */
  assert_int_equal(g.status, 0);
  gha_gate_free(&g);
  assert_int_equal(gha_gate_run(&g, runs[2], &b, NULL, NULL), 0);
  const struct gha_change *c = change_of(&g, GHA_CH_MORE);
  assert_non_null(c);
  assert_int_equal(c->before, 1);
  assert_int_equal(c->now, 3);
  assert_int_equal(g.failing, 3);
  assert_int_equal(g.status, 1);
  gha_gate_free(&g);
  gha_baseline_free(&b);
  unlink(path);
  for (int r = 0; r < 3; r++)
    gha_analyzer_free(runs[r]);
}

/* A BEAM process's name carries its pid, which changes from run to run:
 * rows use the name without it, and so do suppressions. */
static void test_beam_names_compare_without_their_pid(void **state) {
  (void)state;
  struct gha_analyzer *before = run_of(), *now = run_of();
  server(before, "h", 1, 1, "<0.82.0> seed_router", 200000, 200000);
  finish(before);
  server(now, "h", 1, 1, "<0.91.0> seed_router", 200000, 200000);
  finish(now);
  struct gha_baseline b;
  char path[256], sup_path[256], why[512];
  load(before, &b, path, sizeof path);
  struct gha_gate g;
  assert_int_equal(gha_gate_run(&g, now, &b, NULL, NULL), 0);
  assert_int_equal(g.nchanges, 0);
  assert_int_equal(gha_gate_verdict(&g, 0), GHA_VERDICT_KNOWN);
  assert_int_equal(g.status, 0);
  gha_gate_free(&g);
  write_text("seed_router bloat known\n", sup_path, sizeof sup_path);
  struct gha_suppressions s;
  assert_int_equal(gha_suppressions_load(sup_path, 20260101, &s, why, sizeof why), 0);
  assert_int_equal(gha_gate_run(&g, now, NULL, &s, NULL), 0);
  assert_int_equal(gha_gate_verdict(&g, 0), GHA_VERDICT_SUPPRESSED);
  gha_gate_free(&g);
  gha_suppressions_free(&s);
  gha_baseline_free(&b);
  unlink(path);
  unlink(sup_path);
  gha_analyzer_free(before);
  gha_analyzer_free(now);
}

static void test_hosts_count_only_when_both_runs_span_several(void **state) {
  (void)state;
  /* one CI runner, renamed: compared by name */
  struct gha_analyzer *before = run_of(), *now = run_of();
  server(before, "runner-1", 1, 1, "server", 200000, 200000);
  finish(before);
  server(now, "runner-2", 1, 1, "server", 200000, 200000);
  finish(now);
  struct gha_baseline b;
  char path[256];
  load(before, &b, path, sizeof path);
  struct gha_gate g;
  assert_int_equal(gha_gate_run(&g, now, &b, NULL, NULL), 0);
  assert_false(g.by_host);
  assert_int_equal(g.nchanges, 0);
  assert_int_equal(g.status, 0);
  gha_gate_free(&g);
  gha_baseline_free(&b);
  unlink(path);
  gha_analyzer_free(before);
  gha_analyzer_free(now);
  /* a cluster: node a's server is not node b's */
  before = run_of();
  now = run_of();
  server(before, "a", 1, 1, "server", 200000, 200000);
  server(before, "b", 1, 1, "server", 200000, 0);
  finish(before);
  server(now, "a", 1, 1, "server", 200000, 0);
  server(now, "b", 1, 1, "server", 200000, 200000);
  finish(now);
  load(before, &b, path, sizeof path);
  assert_int_equal(gha_gate_run(&g, now, &b, NULL, NULL), 0);
  assert_true(g.by_host);
  const struct gha_change *c = change_of(&g, GHA_CH_NEW);
  assert_non_null(c);
  assert_string_equal(c->host, "b");
  c = change_of(&g, GHA_CH_GONE);
  assert_non_null(c);
  assert_string_equal(c->host, "a");
  assert_int_equal(g.status, 1);
  gha_gate_free(&g);
  gha_baseline_free(&b);
  unlink(path);
  gha_analyzer_free(before);
  gha_analyzer_free(now);
}

/* What its own gate accepted was not counted in the baseline: when the
 * suppression goes, the finding is new. */
static void test_a_finding_suppressed_in_the_baseline_is_new_without_it(void **state) {
  (void)state;
  struct gha_analyzer *an = run_of();
  server(an, "h", 1, 1, "server", 200000, 200000);
  finish(an);
  char sup_path[256], path[256], why[512];
  write_text("server bloat accepted for now\n", sup_path, sizeof sup_path);
  struct gha_suppressions s;
  assert_int_equal(gha_suppressions_load(sup_path, 20260101, &s, why, sizeof why), 0);
  struct gha_gate g;
  assert_int_equal(gha_gate_run(&g, an, NULL, &s, NULL), 0);
  assert_int_equal(g.status, 0);
  write_json(an, &g, path, sizeof path);
  gha_gate_free(&g);
  struct gha_baseline b;
  assert_int_equal(gha_baseline_load(path, GHA_SEV_WARNING, &b, why, sizeof why), 0);
  assert_int_equal(gha_names_find(&b.names, "h", "server")->findings[GHA_BLOAT], 0);
  assert_int_equal(gha_gate_run(&g, an, &b, NULL, NULL), 0);
  assert_int_equal(count_kind(&g, GHA_CH_NEW), 1);
  assert_int_equal(g.status, 1);
  gha_gate_free(&g);
  /* with the suppression still there, it passes */
  assert_int_equal(gha_gate_run(&g, an, &b, &s, NULL), 0);
  assert_int_equal(g.status, 0);
  gha_gate_free(&g);
  gha_baseline_free(&b);
  gha_suppressions_free(&s);
  unlink(path);
  unlink(sup_path);
  gha_analyzer_free(an);
}

/* A finding the baseline counted and a suppression accepts now did not go
 * anywhere: no improvement is claimed. */
static void test_a_finding_suppressed_now_is_not_an_improvement(void **state) {
  (void)state;
  struct gha_analyzer *an = run_of();
  server(an, "h", 1, 1, "server", 200000, 200000);
  finish(an);
  struct gha_baseline b;
  char path[256], sup_path[256], why[512];
  load(an, &b, path, sizeof path);
  write_text("server * accepted from now on\n", sup_path, sizeof sup_path);
  struct gha_suppressions s;
  assert_int_equal(gha_suppressions_load(sup_path, 20260101, &s, why, sizeof why), 0);
  struct gha_gate g;
  assert_int_equal(gha_gate_run(&g, an, &b, &s, NULL), 0);
  assert_int_equal(g.nchanges, 0);
  assert_int_equal(g.status, 0);
  assert_int_equal(gha_gate_verdict(&g, 0), GHA_VERDICT_SUPPRESSED);
  gha_gate_free(&g);
  gha_suppressions_free(&s);
  gha_baseline_free(&b);
  unlink(path);
  unlink(sup_path);
  gha_analyzer_free(an);
}

static void test_options_unlike_the_baselines_are_said(void **state) {
  (void)state;
  struct gha_options o;
  gha_options_init(&o);
  o.bloat_min_words = 1000;
  struct gha_analyzer *before = gha_analyzer_new(&o), *now = run_of();
  server(before, "h", 1, 1, "server", 200000, 0);
  finish(before);
  server(now, "h", 1, 1, "server", 200000, 0);
  finish(now);
  struct gha_baseline b;
  char path[256];
  load(before, &b, path, sizeof path);
  struct gha_gate g;
  assert_int_equal(gha_gate_run(&g, now, &b, NULL, NULL), 0);
  assert_string_equal(g.options_differ, "bloat-min-words 1000 (baseline) vs 65536");
  gha_gate_free(&g);
  gha_baseline_free(&b);
  unlink(path);
  gha_analyzer_free(before);
  gha_analyzer_free(now);
}

static void test_baseline_refuses_what_is_not_a_schema_2_report(void **state) {
  (void)state;
  const char *bad[][2] = {
      {"{\"tool\":\"genheap-analyze\",\"schema\":1,\"processes\":[],\"findings\":[]}",
       "schema 1"},
      {"{\"tool\":\"other\",\"schema\":2,\"processes\":[],\"findings\":[]}",
       "not a JSON report of genheap-analyze"},
      {"{\"tool\":\"genheap-analyze\",\"schema\":2,\"processes\":[]}",
       "not a JSON report of genheap-analyze"},
      {"[1,2]", "not a JSON object"},
      {"genheap-analyze: 12 events", "not JSON at byte 0"},
      {"{\"tool\":\"genheap-analyze\",\"schema\":2,\"processes\":[{\"host\":\"h\","
       "\"name\":\"n\",\"peak_old_heap_size\":1,\"waste\":{\"peak_words\":1}}],"
       "\"findings\":[]}",
       "processes[0] lacks binary_waste.peak_words"},
      {"{\"tool\":\"genheap-analyze\",\"schema\":2,\"processes\":[],\"findings\":"
       "[{\"host\":\"h\",\"name\":\"n\",\"analysis\":\"leak\",\"severity\":\"info\"}]}",
       "findings[0]: unknown analysis 'leak'"},
      {"{\"tool\":\"genheap-analyze\",\"schema\":2,\"processes\":[", "not JSON at byte"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char path[256], why[512], want[300];
    write_text(bad[i][0], path, sizeof path);
    struct gha_baseline b;
    assert_int_equal(gha_baseline_load(path, GHA_SEV_WARNING, &b, why, sizeof why), -1);
    snprintf(want, sizeof want, "%s: ", path);
    assert_memory_equal(why, want, strlen(want));
    if (!strstr(why, bad[i][1]))
      fail_msg("case %zu: '%s' lacks '%s'", i, why, bad[i][1]);
    unlink(path);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reader_gives_each_value_with_its_path),
      cmocka_unit_test(test_reader_refuses_what_is_not_json),
      cmocka_unit_test(test_suppressions_file_is_read_with_its_fields),
      cmocka_unit_test(test_suppressions_mistakes_name_file_and_line),
      cmocka_unit_test(test_suppression_accepts_findings_until_it_expires),
      cmocka_unit_test(test_a_run_against_itself_changes_nothing),
      cmocka_unit_test(test_a_new_finding_fails_and_a_gone_one_is_reported),
      cmocka_unit_test(test_figures_fail_past_both_thresholds),
      cmocka_unit_test(test_many_processes_of_one_name_compare_as_one_row),
      cmocka_unit_test(test_beam_names_compare_without_their_pid),
      cmocka_unit_test(test_hosts_count_only_when_both_runs_span_several),
      cmocka_unit_test(test_a_finding_suppressed_in_the_baseline_is_new_without_it),
      cmocka_unit_test(test_a_finding_suppressed_now_is_not_an_improvement),
      cmocka_unit_test(test_options_unlike_the_baselines_are_said),
      cmocka_unit_test(test_baseline_refuses_what_is_not_a_schema_2_report),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
