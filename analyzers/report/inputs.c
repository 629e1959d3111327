/* inputs.c -- what the run read, in words for the report headers: the
 * input checks' facts (cli/precheck.h), when a trace lacks data it once
 * had.  The JSON report carries them as "input_checks" (json.c). */
#include "report.h"

void gha_report_facts_text(FILE *out, const struct gha_run_info *run) {
  const struct gha_trace_facts *f = run ? run->facts : NULL;
  if (!f || f->traces == 0)
    return;
  if (run->partial)
    fprintf(out,
            "PARTIAL TRACE: %u of %u stream files lack packets their index "
            "lists (cut or emptied): figures may be low and findings missing\n",
            f->cut_streams, f->streams);
  if (f->layout_unchecked)
    fputs("input checks: a packet layout was not understood: its stream files "
          "were not checked\n",
          out);
}
