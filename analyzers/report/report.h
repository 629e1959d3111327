/* report.h -- writers of an analysis result: text table, JSON, JUnit XML
 * and a self-contained HTML page.  They only read the core's results
 * (gha.h); gha_finish() must have run.  Each returns 0, or -1 when the
 * stream reported a write error.
 */
#ifndef GHA_REPORT_H
#define GHA_REPORT_H

#include <stdio.h>

#include "gha.h"
#include "precheck.h" /* struct gha_trace_facts (no babeltrace2) */

struct gha_gate;

/* What the run read, for the report headers. */
struct gha_run_info {
  const char *const *inputs;
  size_t ninputs;
  /* What the input checks saw, summed over the trace folders they checked
   * (cli/precheck.h); NULL or facts->traces == 0 when none was (the
   * plugin, live sessions, GENHEAP_ANALYZE_PRECHECK=0). */
  const struct gha_trace_facts *facts;
  bool partial; /* gha_trace_facts_partial(facts): data known missing */
  /* The CI gate's verdict (gate/gate.h); NULL when there is no gate. */
  const struct gha_gate *gate;
};

/* The header lines that say what the input checks found missing (nothing
 * when the trace is whole or was not checked). */
void gha_report_facts_text(FILE *out, const struct gha_run_info *run);

int gha_report_text(FILE *out, const struct gha_analyzer *an,
                    const struct gha_run_info *run);
int gha_report_json(FILE *out, const struct gha_analyzer *an,
                    const struct gha_run_info *run);
int gha_report_junit(FILE *out, const struct gha_analyzer *an,
                     const struct gha_run_info *run);
int gha_report_html(FILE *out, const struct gha_analyzer *an,
                    const struct gha_run_info *run);
/* The Trace Event Format JSON (ui.perfetto.dev, chrome://tracing): heap
 * counters, GC slices and findings per process (report/perfetto.c). */
int gha_report_perfetto(FILE *out, const struct gha_analyzer *an,
                        const struct gha_run_info *run);

/* Escapers shared by the writers. */
void gha_put_json_string(FILE *out, const char *s);
void gha_put_xml_text(FILE *out, const char *s);
/* "host/vpid/pid" or "host/vpid/pid(name)". */
void gha_proc_label(const struct gha_analyzer *an, const struct gha_proc *p,
                    char *buf, size_t size);

#endif /* GHA_REPORT_H */
