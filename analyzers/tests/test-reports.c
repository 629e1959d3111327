/* test-reports.c -- each output format on one synthetic scenario (a bloated
 * process with an awkward name, a healthy one, a leaking router): JSON must
 * parse back with the analysis's figures, JUnit must be well-formed XML with
 * one case per process and analysis, HTML must chart the flagged processes
 * first (test-views.c tests what the text and HTML reports show). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minijson.h"
#include "report.h"
#include "synth.h"

static struct gha_analyzer *scenario(void) {
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  struct synth_proc bloat, healthy, router;
  synth_init(&bloat, an, "hosta", 100, 1, "we\"ird<&>\n");
  synth_init(&healthy, an, "hosta", 100, 2, "worker");
  synth_init(&router, an, "hostb", 200, 1, "router");
  synth_spawn(&bloat, 1000 * MS);
  for (int i = 0; i < 40; i++)
    synth_minor(&bloat, 1000 * MS + (uint64_t)i * 5 * MS, 30000, 8000, 5000, 0);
  synth_busy(&healthy, 1000 * MS, 4000 * MS, 10 * MS);
  for (int i = 0; i < 30; i++)
    synth_minor(&router, 1000 * MS + (uint64_t)i * 2 * MS, 20000, 500, 50, 20000);
  /* censuses while they wait: all of it is garbage */
  synth_census(&bloat, 2500 * MS, 0, 0, GH_CENSUS_RECORDER,
               (struct synth_evidence){1000, 0, false});
  synth_census(&router, 2500 * MS, 0, 0, GH_CENSUS_RECORDER,
               (struct synth_evidence){1000, 0, false});
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  return an;
}

typedef int (*writer_fn)(FILE *, const struct gha_analyzer *,
                         const struct gha_run_info *);

static char *render(writer_fn w, const struct gha_analyzer *an) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  const char *inputs[] = {"/trace/one"};
  struct gha_run_info run = {.inputs = inputs, .ninputs = 1};
  assert_int_equal(w(f, an, &run), 0);
  fclose(f);
  return buf;
}

static size_t count_of(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
    n++;
  return n;
}

static const struct mj *finding_of(const struct mj *doc, const char *analysis,
                                   const char *host, double pid) {
  const struct mj *fs = mj_get(doc, "findings");
  for (size_t i = 0; mj_at(fs, i); i++) {
    const struct mj *f = mj_at(fs, i);
    if (strcmp(mj_get(f, "analysis")->str, analysis) == 0 &&
        strcmp(mj_get(f, "host")->str, host) == 0 &&
        mj_get(f, "pid")->num == pid)
      return f;
  }
  return NULL;
}

static void test_json_parses_back_with_figures(void **state) {
  (void)state;
  struct gha_analyzer *an = scenario();
  char *text = render(gha_report_json, an);
  struct mj *doc = mj_parse(text);
  assert_non_null(doc);
  assert_int_equal(mj_get(doc, "schema")->num, GHA_JSON_SCHEMA);
  assert_string_equal(mj_at(mj_get(doc, "inputs"), 0)->str, "/trace/one");
  assert_int_equal(mj_get(mj_get(doc, "processes"), "n") == NULL, 1);
  assert_int_equal(mj_get(doc, "processes")->n, 3);
  const struct mj *b = finding_of(doc, "bloat", "hosta", 1);
  assert_non_null(b);
  assert_string_equal(mj_get(b, "name")->str, "we\"ird<&>?"); /* no control bytes */
  assert_int_equal(mj_get(b, "held_words")->num, 200000);
  assert_string_equal(mj_get(b, "severity")->str, "warning");
  assert_true(mj_get(b, "measured")->type == MJ_BOOL && mj_get(b, "measured")->num == 1);
  assert_string_equal(mj_get(b, "evidence")->str, "census");
  assert_int_equal(mj_get(b, "waste_words")->num, 200000);
  assert_int_equal(mj_get(b, "from_ns")->num, 1500 * MS);
  assert_int_equal(mj_get(b, "until_ns")->num, 4000 * MS);
  assert_int_equal(mj_get(b, "above_threshold_ns")->num, 2500 * MS);
  assert_int_equal(mj_get(b, "would_free_words")->num, 200000);
  assert_string_equal(mj_get(b, "would_free")->str, "measured");
  assert_non_null(finding_of(doc, "binleak", "hostb", 1));
  assert_null(finding_of(doc, "bloat", "hosta", 2));
  const struct mj *p0 = mj_at(mj_get(doc, "processes"), 0);
  assert_int_equal(mj_get(p0, "minor_gcs")->num, 40);
  assert_int_equal(mj_get(mj_get(p0, "last"), "old_heap_size")->num, 200000);
  assert_int_equal(mj_get(mj_get(p0, "pause_ns"), "count")->num, 40);
  assert_string_equal(mj_get(p0, "state")->str, "alive");
  assert_int_equal(mj_get(p0, "censuses")->num, 1);
  assert_int_equal(mj_get(mj_get(p0, "waste"), "peak_words")->num, 200000);
  assert_int_equal(mj_get(mj_get(p0, "last_census"), "old_size")->num, 200000);
  assert_int_equal(mj_get(mj_get(p0, "last_census"), "old_live")->num, 0);
  assert_int_equal(mj_get(doc, "exit_status")->num, 1);
  mj_free(doc);
  free(text);
  gha_analyzer_free(an);
}

static void test_json_of_empty_analysis_parses(void **state) {
  (void)state;
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  gha_finish(an);
  char *text = render(gha_report_json, an);
  struct mj *doc = mj_parse(text);
  assert_non_null(doc);
  assert_int_equal(mj_get(doc, "findings")->n, 0);
  assert_int_equal(mj_get(doc, "exit_status")->num, 0);
  mj_free(doc);
  free(text);
  gha_analyzer_free(an);
}

static void test_minijson_rejects_malformed_text(void **state) {
  (void)state; /* the checker above must be able to fail */
  static const char *const bad[] = {"{\"a\":1,}", "[1 2]", "{\"a\" 1}",
                                    "\"x\ny\"", "{} x", "[\"\\q\"]"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_null(mj_parse(bad[i]));
}

/* Well-formedness: balanced tags, quoted attributes, only the five
 * predefined entities, nothing after the root. */
static int xml_check(const char *s) {
  const char *stack[32];
  size_t stack_len[32];
  int depth = 0, roots = 0;
  if (strncmp(s, "<?xml", 5) == 0)
    s = strstr(s, "?>") + 2;
  while (*s) {
    if (*s == '&') {
      if (strncmp(s, "&lt;", 4) && strncmp(s, "&gt;", 4) && strncmp(s, "&amp;", 5) &&
          strncmp(s, "&quot;", 6) && strncmp(s, "&apos;", 6))
        return -1;
      s++;
    } else if (*s == '<') {
      bool close = s[1] == '/';
      const char *name = s + 1 + close;
      size_t len = strcspn(name, " />\n");
      const char *p = name + len;
      while (*p && *p != '>' && !(*p == '/' && p[1] == '>')) {
        if (*p == '"') {
          const char *q = strchr(p + 1, '"');
          if (!q || memchr(p + 1, '<', (size_t)(q - p - 1)))
            return -1;
          p = q;
        }
        p++;
      }
      if (!*p)
        return -1;
      bool empty = *p == '/';
      if (close) {
        if (depth == 0 || stack_len[depth - 1] != len ||
            strncmp(stack[depth - 1], name, len))
          return -1;
        depth--;
      } else {
        if (depth == 0 && roots++)
          return -1;
        if (empty) {
          s = p + 2;
          continue;
        }
        if (depth == 32)
          return -1;
        stack[depth] = name;
        stack_len[depth++] = len;
      }
      s = p + (empty ? 2 : 1);
    } else if (*s == '>' ) {
      return -1;
    } else {
      if (depth == 0 && *s != '\n' && *s != ' ')
        return -1;
      s++;
    }
  }
  return depth == 0 && roots == 1 ? 0 : -1;
}

static void test_junit_is_well_formed_with_a_case_per_analysis(void **state) {
  (void)state;
  struct gha_analyzer *an = scenario();
  char *xml = render(gha_report_junit, an);
  assert_int_equal(xml_check(xml), 0);
  assert_int_equal(count_of(xml, "<testcase "), 3 * GHA_ANALYSES);
  /* bloat + binleak are warnings (failures); idle-after-burst is info */
  assert_int_equal(count_of(xml, "<failure "), 2);
  assert_non_null(strstr(xml, "failures=\"2\""));
  assert_non_null(strstr(xml, "we&quot;ird&lt;&amp;&gt;"));
  free(xml);
  gha_analyzer_free(an);
}

static void test_xml_checker_rejects_broken_xml(void **state) {
  (void)state;
  assert_int_equal(xml_check("<a><b></a></b>"), -1);
  assert_int_equal(xml_check("<a x=\"1\">&nope;</a>"), -1);
  assert_int_equal(xml_check("<a></a><b/>"), -1);
  assert_int_equal(xml_check("<a><b/></a>"), 0);
}

static void test_text_lists_findings_and_processes(void **state) {
  (void)state;
  struct gha_analyzer *an = scenario();
  char *text = render(gha_report_text, an);
  assert_non_null(strstr(text, "3 findings:"));
  assert_non_null(strstr(text, "hostb/200/1(router)"));
  assert_non_null(strstr(text, "warning binleak"));
  assert_int_equal(count_of(text, "fix: "), 3);
  free(text);
  gha_analyzer_free(an);
}

static void test_html_charts_flagged_processes_first(void **state) {
  (void)state;
  struct gha_analyzer *an = scenario();
  char *html = render(gha_report_html, an);
  /* flagged: the bloated process and the router, charted first; then the
   * healthy one (the processes with the most waste fill the rest) */
  assert_int_equal(count_of(html, "<svg class=\"gha-chart\""), 3);
  assert_int_equal(count_of(html, "<figure class=\"chart flagged\">"), 2);
  const char *healthy = strstr(html, "hosta/100/2(worker)\" data-points");
  assert_non_null(healthy);
  assert_null(strstr(healthy, "<figure class=\"chart flagged\">"));
  assert_int_equal(count_of(html, "class=\"series-old\""), 3);
  /* self-contained: the only URL is the SVG namespace */
  size_t urls = count_of(html, "http");
  assert_int_equal(urls, count_of(html, "http://www.w3.org/2000/svg\""));
  free(html);
  gha_analyzer_free(an);
}

/* Every byte sequence of `s` is valid UTF-8 with no C0 control character
 * but those a format allows (`allowed`). */
static bool clean_utf8(const char *s, const char *allowed) {
  for (const unsigned char *c = (const unsigned char *)s; *c;) {
    size_t n = gha_utf8_len(c, strlen((const char *)c));
    if (n == 0)
      return false;
    if (n == 1 && (*c < 0x20 || *c == 0x7F) && !strchr(allowed, *c))
      return false;
    c += n;
  }
  return true;
}

/* Names from a trace are bytes anybody could have written: cut inside a
 * character, not UTF-8 at all, or full of terminal escapes. */
static struct gha_analyzer *hostile_names(void) {
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  static const char *const names[] = {
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", /* 64 bytes of e-acute */
      "bad\xff\xfe\xc3(\xed\xa0\x80z",                   /* invalid, surrogate */
      "\x1b[2J\x1b[31mforged row\r\nvm/1/1(x)\x7f",       /* terminal escapes */
      "\xef\xbf\xbe-nonchar"};                             /* U+FFFE */
  for (int i = 0; i < 4; i++) {
    struct synth_proc sp;
    synth_init(&sp, an, "h\x1b]0;title\x07", 10 + i, 1, names[i]);
    synth_spawn(&sp, 1000 * MS);
    for (int k = 0; k < 40; k++)
      synth_minor(&sp, 1000 * MS + (uint64_t)k * 5 * MS, 30000, 8000, 5000, 0);
    synth_census(&sp, 2500 * MS, 0, 0, GH_CENSUS_RECORDER,
                 (struct synth_evidence){1000, 0, false});
  }
  synth_trace_end(an, 4000 * MS);
  gha_finish(an);
  return an;
}

static void test_hostile_names_keep_every_report_valid(void **state) {
  (void)state;
  struct gha_analyzer *an = hostile_names();
  char *json = render(gha_report_json, an), *xml = render(gha_report_junit, an);
  char *text = render(gha_report_text, an), *html = render(gha_report_html, an);
  struct mj *doc = mj_parse(json);
  assert_non_null(doc);
  assert_true(clean_utf8(json, "\n"));
  assert_true(clean_utf8(xml, "\n"));
  assert_int_equal(xml_check(xml), 0);
  assert_null(strstr(xml, "\xef\xbf\xbe"));
  assert_true(clean_utf8(text, "\n"));
  assert_true(clean_utf8(html, "\n"));
  /* a name cut at 63 bytes keeps whole characters: 31 of them */
  const struct mj *p0 = mj_at(mj_get(doc, "processes"), 0);
  assert_int_equal(strlen(mj_get(p0, "name")->str), 62);
  /* the forged row stays inside its own line */
  assert_null(strstr(text, "\nvm/1/1(x)"));
  mj_free(doc);
  free(json);
  free(xml);
  free(text);
  free(html);
  gha_analyzer_free(an);
}

static void test_inputs_that_are_not_utf8_stay_valid_json(void **state) {
  (void)state;
  struct gha_analyzer *an = gha_analyzer_new(NULL);
  gha_finish(an);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  const char *inputs[] = {"/tmp/caf\xe9/trace\x01"};
  struct gha_run_info run = {.inputs = inputs, .ninputs = 1};
  assert_int_equal(gha_report_json(f, an, &run), 0);
  fclose(f);
  struct mj *doc = mj_parse(buf);
  assert_non_null(doc);
  assert_true(clean_utf8(buf, "\n"));
  assert_memory_equal(mj_at(mj_get(doc, "inputs"), 0)->str,
                      "/tmp/caf\xef\xbf\xbd/trace", 17); /* U+FFFD for the byte */
  assert_non_null(strstr(buf, "trace\\u0001")); /* the control byte escaped */
  mj_free(doc);
  free(buf);
  gha_analyzer_free(an);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_json_parses_back_with_figures),
      cmocka_unit_test(test_json_of_empty_analysis_parses),
      cmocka_unit_test(test_minijson_rejects_malformed_text),
      cmocka_unit_test(test_junit_is_well_formed_with_a_case_per_analysis),
      cmocka_unit_test(test_xml_checker_rejects_broken_xml),
      cmocka_unit_test(test_text_lists_findings_and_processes),
      cmocka_unit_test(test_html_charts_flagged_processes_first),
      cmocka_unit_test(test_hostile_names_keep_every_report_valid),
      cmocka_unit_test(test_inputs_that_are_not_utf8_stay_valid_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
