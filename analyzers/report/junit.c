/* junit.c -- JUnit XML for CI dashboards: one test case per process and
 * analysis; a finding at or above --fail-on is a failure, a lower one is
 * reported in system-out so the case still passes.  With the CI gate
 * (gate/gate.h), a finding fails as the gate says: one the baseline knew
 * or a suppression accepts is skipped, with the reason; and a second suite,
 * genheap-gate, has a case per change by process name (a regression is a
 * failure). */
#include "report.h"

#include "gate.h"

/* The gate's verdict, or the plain rule without a gate. */
static enum gha_verdict verdict(const struct gha_analyzer *an,
                                const struct gha_run_info *run, size_t i) {
  if (run && run->gate)
    return gha_gate_verdict(run->gate, i);
  const struct gha_finding *f = gha_finding_at(an, i);
  return f->severity >= gha_opts(an)->fail_on ? GHA_VERDICT_FAILS : GHA_VERDICT_BELOW;
}

static size_t count_of(const struct gha_analyzer *an, const struct gha_run_info *run,
                       enum gha_verdict v) {
  size_t n = 0;
  for (size_t i = 0; i < gha_finding_count(an); i++)
    n += verdict(an, run, i) == v;
  return n;
}

/* The finding's figures, for dashboards that read testcase properties. */
static void put_properties(FILE *out, const struct gha_finding *f) {
  fprintf(out,
          "\n    <properties>"
          "<property name=\"measured\" value=\"%s\"/>"
          "<property name=\"evidence\" value=\"%s\"/>"
          "<property name=\"waste_words\" value=\"%llu\"/>"
          "<property name=\"waste_word_seconds\" value=\"%.6g\"/>"
          "<property name=\"above_threshold_ns\" value=\"%llu\"/>"
          "<property name=\"from_ns\" value=\"%llu\"/>"
          "<property name=\"until_ns\" value=\"%llu\"/>"
          "<property name=\"would_free_words\" value=\"%llu\"/>"
          "<property name=\"would_free\" value=\"%s\"/>"
          "</properties>",
          f->measured ? "true" : "false", f->evidence ? f->evidence : "none",
          (unsigned long long)f->waste_words, f->waste_word_s,
          (unsigned long long)f->above_ns, (unsigned long long)f->from_ns,
          (unsigned long long)f->until_ns, (unsigned long long)f->would_free,
          f->would_free_kind ? f->would_free_kind : "none");
}

static void put_case(FILE *out, const struct gha_analyzer *an,
                     const struct gha_run_info *run, const struct gha_proc *p,
                     enum gha_analysis a) {
  char label[128];
  gha_proc_label(an, p, label, sizeof label);
  fputs("  <testcase classname=\"genheap.", out);
  gha_put_xml_text(out, label);
  fprintf(out, "\" name=\"%s\">", gha_analysis_name(a));
  const struct gha_finding *f = gha_finding_for(an, p, a);
  if (f)
    put_properties(out, f);
  if (f) {
    char msg[GHA_MESSAGE_MAX];
    gha_finding_message(an, f, msg, sizeof msg);
    size_t i = (size_t)(f - gha_finding_at(an, 0));
    enum gha_verdict v = verdict(an, run, i);
    bool fails = v == GHA_VERDICT_FAILS;
    if (v == GHA_VERDICT_KNOWN || v == GHA_VERDICT_SUPPRESSED) {
      const struct gha_suppression *by = run->gate->by[i];
      fputs("\n    <skipped message=\"", out);
      gha_put_xml_text(out, by ? "suppressed: " : "known to the baseline");
      if (by)
        gha_put_xml_text(out, by->reason);
      fputs("\"/>", out);
    }
    if (fails) {
      fputs("\n    <failure message=\"", out);
      gha_put_xml_text(out, msg);
      fprintf(out, "\" type=\"%s\">", gha_severity_name(f->severity));
    } else {
      fputs("\n    <system-out>", out);
    }
    gha_put_xml_text(out, msg);
    fputs("\nfix: ", out);
    gha_put_xml_text(out, f->fix);
    fprintf(out, "</%s>\n  ", fails ? "failure" : "system-out");
  }
  fputs("</testcase>\n", out);
}

/* The gate's changes by process name: a regression is a failure. */
static void put_gate_suite(FILE *out, const struct gha_gate *g) {
  fprintf(out,
          "<testsuite name=\"genheap-gate\" tests=\"%zu\" failures=\"%zu\" "
          "errors=\"0\" skipped=\"0\">\n",
          g->nchanges, g->regressions);
  for (size_t k = 0; k < g->nchanges; k++) {
    const struct gha_change *c = &g->changes[k];
    bool fig = c->kind == GHA_CH_GROWN || c->kind == GHA_CH_SHRUNK;
    const char *what = fig ? gha_figure_name((enum gha_figure)c->what)
                           : gha_analysis_name((enum gha_analysis)c->what);
    char msg[200];
    snprintf(msg, sizeof msg, "%s %s: %llu %s, %llu in the baseline",
             gha_change_kind_name(c->kind), what, (unsigned long long)c->now,
             fig           ? "words"
             : c->now == 1 ? "finding"
                           : "findings",
             (unsigned long long)c->before);
    fputs("  <testcase classname=\"genheap.gate.", out);
    if (c->host[0]) {
      gha_put_xml_text(out, c->host);
      fputc('/', out);
    }
    gha_put_xml_text(out, c->name[0] ? c->name : "(unnamed)");
    fprintf(out, "\" name=\"%s %s\">", gha_change_kind_name(c->kind), what);
    fputs(c->regression ? "\n    <failure message=\"" : "\n    <system-out>", out);
    gha_put_xml_text(out, msg);
    fputs(c->regression ? "\" type=\"regression\"/>\n  " : "</system-out>\n  ", out);
    fputs("</testcase>\n", out);
  }
  fputs("</testsuite>\n", out);
}

int gha_report_junit(FILE *out, const struct gha_analyzer *an,
                     const struct gha_run_info *run) {
  size_t tests = gha_proc_count(an) * GHA_ANALYSES;
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
  fprintf(out,
          "<testsuites>\n<testsuite name=\"genheap-analyze\" tests=\"%zu\" "
          "failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
          tests, count_of(an, run, GHA_VERDICT_FAILS),
          count_of(an, run, GHA_VERDICT_KNOWN) +
              count_of(an, run, GHA_VERDICT_SUPPRESSED));
  for (size_t i = 0; i < gha_proc_count(an); i++)
    for (int a = 0; a < GHA_ANALYSES; a++)
      put_case(out, an, run, gha_proc_at(an, i), (enum gha_analysis)a);
  fputs("</testsuite>\n", out);
  if (run && run->gate && run->gate->baseline)
    put_gate_suite(out, run->gate);
  fputs("</testsuites>\n", out);
  return ferror(out) ? -1 : 0;
}
