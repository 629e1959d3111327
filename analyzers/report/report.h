/* report.h -- writers of an analysis result: text table, JSON, JUnit XML
 * and a self-contained HTML page.  They only read the core's results
 * (gha.h); gha_finish() must have run.  Each returns 0, or -1 when the
 * stream reported a write error.
 */
#ifndef GHA_REPORT_H
#define GHA_REPORT_H

#include <stdio.h>

#include "gha.h"

/* What the run read, for the report headers. */
struct gha_run_info {
  const char *const *inputs;
  size_t ninputs;
};

int gha_report_text(FILE *out, const struct gha_analyzer *an,
                    const struct gha_run_info *run);
int gha_report_json(FILE *out, const struct gha_analyzer *an,
                    const struct gha_run_info *run);
int gha_report_junit(FILE *out, const struct gha_analyzer *an,
                     const struct gha_run_info *run);
int gha_report_html(FILE *out, const struct gha_analyzer *an,
                    const struct gha_run_info *run);

/* Escapers shared by the writers. */
void gha_put_json_string(FILE *out, const char *s);
void gha_put_xml_text(FILE *out, const char *s);
/* "host/vpid/pid" or "host/vpid/pid(name)". */
void gha_proc_label(const struct gha_analyzer *an, const struct gha_proc *p,
                    char *buf, size_t size);

#endif /* GHA_REPORT_H */
