/* gate.h -- the CI gate: this run against a previous JSON report (the
 * baseline), by process name, and suppressions of known findings.
 *
 * Design: docs/ci.md.  A CI run cannot be compared process by process
 * with the previous one: pids and vpids change, and a BEAM node runs
 * thousands of processes under one name.  So both runs are folded into
 * one row per process name (and host, when both runs span several hosts):
 * the worst figures of the name's processes (peak old heap, peak measured
 * waste, peak measured binary waste) and its count of findings per
 * analysis.  The gate fails on what got worse: a finding of an analysis the
 * name did not have, more findings of it, a figure grown past the
 * thresholds.  What got better is reported.  A suppression (PATTERN
 * ANALYSIS [until=DATE] REASON) accepts the findings it matches until it
 * expires; an expired or unused one is reported.
 *
 * Plain C, no babeltrace2: unit-tested on synthetic runs.  Every pass is
 * linear in processes, findings and names; nothing is kept per process.
 */
#ifndef GHA_GATE_H
#define GHA_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gha.h"

/* ---- the figures compared, per name -------------------------------------- */
enum gha_figure {
  GHA_FIG_OLD_HEAP,     /* peak old_heap_size, words */
  GHA_FIG_WASTE,        /* peak measured old-heap garbage, words */
  GHA_FIG_BINARY_WASTE, /* peak measured refc-binary waste, words */
  GHA_FIGURES
};
/* "peak_old_heap_words", "peak_waste_words", "peak_binary_waste_words" */
const char *gha_figure_name(enum gha_figure f);

/* One process name (and host) of a run: the worst of its processes. */
struct gha_name_row {
  char *host; /* "" when names are compared alone */
  char *name; /* "" for unnamed processes */
  uint64_t procs;
  uint64_t fig[GHA_FIGURES];
  /* findings at or above --fail-on that no suppression accepted */
  uint64_t findings[GHA_ANALYSES];
  /* findings a suppression accepted (this run only): not gone */
  uint64_t suppressed[GHA_ANALYSES];
};

/* Rows by (host, name): a dense array and an open-addressing index. */
struct gha_names {
  struct gha_name_row *v;
  size_t n, cap;
  uint32_t *index; /* row + 1, 0 empty; power of two, at least 2n */
  size_t index_cap;
  char *first_host; /* the first host seen; */
  bool many_hosts;  /* and whether another was */
};
/* The row of (host, name), made when new; NULL when out of memory. */
struct gha_name_row *gha_names_row(struct gha_names *t, const char *host,
                                   const char *name);
const struct gha_name_row *gha_names_find(const struct gha_names *t, const char *host,
                                          const char *name);
void gha_names_free(struct gha_names *t);

/* ---- suppressions -------------------------------------------------------- */
struct gha_suppression {
  unsigned line; /* in the file */
  char *pattern; /* fnmatch(3) glob on the process name */
  int analysis;  /* enum gha_analysis, or -1: every analysis */
  long until;    /* last day it applies, YYYYMMDD; 0: no expiry */
  char *reason;
  bool expired;     /* until < today */
  uint64_t matched; /* findings it accepted (or would have, expired) */
};

struct gha_suppressions {
  const char *path;
  struct gha_suppression *v;
  size_t n;
};

/* Reads a suppressions file (docs/ci.md): one per line, PATTERN ANALYSIS
 * [until=YYYY-MM-DD] REASON, '#' comments and blank lines.  `today` is
 * YYYYMMDD.  0, or -1 with "FILE:LINE: problem" (or "FILE: problem") in
 * why. */
int gha_suppressions_load(const char *path, long today, struct gha_suppressions *s,
                          char *why, size_t size);
void gha_suppressions_free(struct gha_suppressions *s);
/* Today as YYYYMMDD, local time. */
long gha_today(void);

/* ---- the baseline ---------------------------------------------------------- */
struct gha_baseline {
  const char *path;
  struct gha_names names;   /* by (host, name) */
  struct gha_options opts;  /* the analysis options it was made with */
  uint64_t procs, findings; /* what it held */
};

/* Reads a JSON report of genheap-analyze (schema 2) as a baseline, as a
 * stream (nothing is kept per process), counting its findings at or above
 * fail_on that its own gate did not mark suppressed.  0, or -1 with
 * "FILE: problem" in why. */
int gha_baseline_load(const char *path, enum gha_severity fail_on, struct gha_baseline *b,
                      char *why, size_t size);
void gha_baseline_free(struct gha_baseline *b);

/* ---- the comparison -------------------------------------------------------- */
struct gha_gate_options {
  double growth_pct;  /* a figure grown by more than this percentage ... (20) */
  uint64_t min_words; /* ... and by at least this many words; 0: the
                       * analyses' thresholds (bloat-min-words,
                       * binleak-min-words for binary waste) */
};
void gha_gate_options_init(struct gha_gate_options *o);

enum gha_change_kind {
  GHA_CH_NEW,    /* findings of an analysis the name did not have: fails */
  GHA_CH_MORE,   /* more findings of it, past the growth threshold: fails */
  GHA_CH_GROWN,  /* a figure grown past the thresholds: fails */
  GHA_CH_GONE,   /* findings of an analysis it no longer has */
  GHA_CH_FEWER,  /* fewer findings of it, past the threshold */
  GHA_CH_SHRUNK, /* a figure down by more than the thresholds */
};
/* "new-finding", "more-findings", "grown", "finding-gone", ... */
const char *gha_change_kind_name(enum gha_change_kind k);

struct gha_change {
  enum gha_change_kind kind;
  bool regression;
  const char *host, *name; /* the row's (owned by the gate's tables) */
  int what;                /* enum gha_analysis, or enum gha_figure for sizes */
  uint64_t before, now;    /* findings, or words */
  bool seen;               /* the name is in this run (a gone finding of a
                            * name not seen at all says so) */
};

/* What the gate says of one finding of this run. */
enum gha_verdict {
  GHA_VERDICT_BELOW,      /* under --fail-on: never fails */
  GHA_VERDICT_SUPPRESSED, /* a suppression accepts it */
  GHA_VERDICT_KNOWN,      /* the baseline had it (and no more of them) */
  GHA_VERDICT_FAILS,      /* counts: no baseline, or new, or more than before */
};
const char *gha_verdict_name(enum gha_verdict v); /* "below", "suppressed", ... */

struct gha_gate {
  struct gha_gate_options opts;
  uint64_t min_words[GHA_FIGURES];     /* opts.min_words, resolved */
  const struct gha_baseline *baseline; /* NULL: suppressions only */
  struct gha_suppressions *sup;        /* NULL: none */
  bool by_host;                        /* rows keyed by host too */
  struct gha_names now, before;        /* the rows compared */
  size_t names_new, names_gone;        /* names in one run only */
  struct gha_change *changes;          /* regressions first */
  size_t nchanges, regressions, improvements;
  /* per finding of the analyzer (gha_finding_at order) */
  uint8_t *verdict;                  /* enum gha_verdict */
  const struct gha_suppression **by; /* the suppression that accepted it */
  size_t nfindings, failing, suppressed;
  char options_differ[256]; /* the baseline's analysis options unlike ours */
  int status;               /* exit status: 0, or 1 when the gate fails */
};

/* Judges the analyzer's findings (gha_finish done) against the baseline
 * and the suppressions (either may be NULL).  0, or -1 when out of memory. */
int gha_gate_run(struct gha_gate *g, const struct gha_analyzer *an,
                 const struct gha_baseline *baseline, struct gha_suppressions *sup,
                 const struct gha_gate_options *opts);
void gha_gate_free(struct gha_gate *g);

/* The verdict on finding i of the analyzer. */
static inline enum gha_verdict gha_gate_verdict(const struct gha_gate *g, size_t i) {
  return i < g->nfindings ? (enum gha_verdict)g->verdict[i] : GHA_VERDICT_FAILS;
}

/* ---- in the reports (report/gate.c) ---------------------------------------- */
/* The gate's section of the text report. */
void gha_gate_report_text(FILE *out, const struct gha_gate *g);
/* The "gate" member of the JSON report (without a leading comma). */
void gha_gate_report_json(FILE *out, const struct gha_gate *g);
/* A finding's "gate" member: null, or its verdict and suppression. */
void gha_gate_finding_json(FILE *out, const struct gha_gate *g, size_t i);

#endif /* GHA_GATE_H */
