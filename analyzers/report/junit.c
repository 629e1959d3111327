/* junit.c -- JUnit XML for CI dashboards: one test case per process and
 * analysis; a finding at or above --fail-on is a failure, a lower one is
 * reported in system-out so the case still passes. */
#include "report.h"

static size_t failures(const struct gha_analyzer *an) {
  size_t n = 0;
  for (size_t i = 0; i < gha_finding_count(an); i++)
    if (gha_finding_at(an, i)->severity >= gha_opts(an)->fail_on)
      n++;
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
                     const struct gha_proc *p, enum gha_analysis a) {
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
    bool fails = f->severity >= gha_opts(an)->fail_on;
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

int gha_report_junit(FILE *out, const struct gha_analyzer *an,
                     const struct gha_run_info *run) {
  (void)run;
  size_t tests = gha_proc_count(an) * GHA_ANALYSES;
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
  fprintf(out,
          "<testsuites>\n<testsuite name=\"genheap-analyze\" tests=\"%zu\" "
          "failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
          tests, failures(an));
  for (size_t i = 0; i < gha_proc_count(an); i++)
    for (int a = 0; a < GHA_ANALYSES; a++)
      put_case(out, an, gha_proc_at(an, i), (enum gha_analysis)a);
  fputs("</testsuite>\n</testsuites>\n", out);
  return ferror(out) ? -1 : 0;
}
