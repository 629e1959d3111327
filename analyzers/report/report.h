/* report.h -- writers of an analysis result: text table, JSON, JUnit XML
 * and a self-contained HTML page.  They only read the core's results
 * (gha.h); gha_finish() must have run.  Each returns 0, or -1 when the
 * stream reported a write error.
 */
#ifndef GHA_REPORT_H
#define GHA_REPORT_H

#include <stdbool.h>
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

/* ---- What the text and HTML reports single out (views.c) --------------------
 * A trace of a BEAM node holds 10^5-10^6 processes, most of them alike, so
 * these reports list the findings first, then processes grouped by name
 * with the most measured waste first, and only the top N of each: every
 * process is counted in its group.  Each is one pass over the processes
 * and findings (a hash table of names, a heap of N). */
#define GHA_TOP_DEFAULT 10
#define GHA_TOP_MAX     100000 /* charts are drawn for the top N: keep pages sane */
struct gha_view {
  size_t top; /* names, findings and charts singled out (0: GHA_TOP_DEFAULT) */
  bool all;   /* every name, finding and process (charts stay at top) */
};

/* A process's figures as the reports rank it. */
struct gha_proc_figures {
  double waste_ws;     /* measured word-seconds: old-heap garbage + binary waste */
  uint64_t waste_peak; /* the larger of the two measured peaks, words */
  uint64_t heap_peak;  /* peak total heap (blocks and mbuf), words */
  double life_s;       /* observed life */
  uint64_t gcs;        /* minor GCs + full sweeps (the library's counters) */
  int severity;        /* of its worst finding; -1: none */
};
void gha_proc_figures(const struct gha_analyzer *an, const struct gha_proc *p,
                      struct gha_proc_figures *f);
/* Negative when a ranks before b: worse finding first (if flagged_first),
 * then more measured waste, larger peak waste, larger heap, more GCs. */
int gha_figures_cmp(const struct gha_proc_figures *a, const struct gha_proc_figures *b,
                    bool flagged_first);
/* The first k processes in that order into out (k slots), of those that
 * `keep` accepts (NULL: all); how many. */
size_t gha_top_procs(const struct gha_analyzer *an, size_t k, bool flagged_first,
                     bool (*keep)(const struct gha_analyzer *, const struct gha_proc *),
                     const struct gha_proc **out);
/* The text report with --top/--all (gha_report_text: the defaults). */
int gha_report_text_view(FILE *out, const struct gha_analyzer *an,
                         const struct gha_run_info *run, const struct gha_view *v);
/* The HTML page with --top/--all (gha_report_html: the defaults). */
int gha_report_html_view(FILE *out, const struct gha_analyzer *an,
                         const struct gha_run_info *run, const struct gha_view *v);
/* Two runs compared (compare.c): processes matched by host and name, the
 * findings of each name before and after, and (HTML) the same process of
 * each run charted side by side on one scale. */
int gha_report_compare_text(FILE *out, const struct gha_analyzer *before,
                            const struct gha_run_info *brun,
                            const struct gha_analyzer *after,
                            const struct gha_run_info *arun, const struct gha_view *v);
int gha_report_compare_html(FILE *out, const struct gha_analyzer *before,
                            const struct gha_run_info *brun,
                            const struct gha_analyzer *after,
                            const struct gha_run_info *arun, const struct gha_view *v);
/* Every finding, the most severe and then the most waste first (free()
 * it); NULL when out of memory or there is none. */
const struct gha_finding **gha_findings_ranked(const struct gha_analyzer *an);

/* The name processes are grouped by: a BEAM process's name without its
 * pid ("<0.82.0> seed_router" -> "seed_router"), else the name. */
const char *gha_group_name(const char *name);

/* Processes of one name on one host (gha_group_name). */
struct gha_spread {
  double min, max, sum; /* sum / count is the mean */
};
enum { GHA_STATE_ALIVE, GHA_STATE_EXITED, GHA_STATE_KILLED, GHA_STATE_FREED, GHA_STATES };
struct gha_group {
  uint32_t host;
  const char *name; /* its processes' name ("": unnamed) */
  size_t count, flagged, warnings, infos;
  size_t states[GHA_STATES];
  double waste_ws;     /* summed */
  uint64_t waste_peak; /* the largest */
  struct gha_spread heap, life_s, gcs;
  const struct gha_proc *top; /* its first process in rank order */
};
struct gha_groups {
  struct gha_group *v; /* most measured waste first (gha_group_cmp) */
  size_t n;
  size_t *slots; /* hash of (host, name): index + 1, 0 empty */
  size_t nslots;
  uint32_t max_host; /* the largest host id of a process */
};
/* 0, or -1 when out of memory. */
int gha_groups_build(const struct gha_analyzer *an, struct gha_groups *g);
void gha_groups_free(struct gha_groups *g);
/* The group of a host name and process name (with or without a BEAM
 * pid), or NULL. */
const struct gha_group *gha_groups_find(const struct gha_groups *g,
                                        const struct gha_analyzer *an, const char *host,
                                        const char *name);
int gha_group_cmp(const struct gha_group *a, const struct gha_group *b);
/* GHA_STATE_* of a process. */
int gha_proc_state_index(const struct gha_proc *p);

/* Escapers shared by the writers. */
void gha_put_json_string(FILE *out, const char *s);
void gha_put_xml_text(FILE *out, const char *s);
/* "host/vpid/pid" or "host/vpid/pid(name)". */
void gha_proc_label(const struct gha_analyzer *an, const struct gha_proc *p,
                    char *buf, size_t size);

#endif /* GHA_REPORT_H */
