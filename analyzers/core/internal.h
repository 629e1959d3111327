/* internal.h -- the analyzer object's layout, shared by the core's files
 * (procs.c aggregates events, analyses.c turns aggregates into findings).
 */
#ifndef GHA_INTERNAL_H
#define GHA_INTERNAL_H

#include "gha.h"

struct gha_analyzer {
  struct gha_options opts;
  char **hosts;              /* host names by id */
  size_t nhosts;
  struct gha_proc **procs;   /* dense; sorted by gha_finish */
  size_t nprocs, procs_cap;
  uint32_t *index;           /* open addressing: procs index + 1, 0 empty */
  size_t index_cap;          /* power of two, at least 2 x nprocs */
  struct gha_proc *last;     /* cache: consecutive events share a process */
  uint64_t events, discarded;
  uint64_t key_reuses;       /* a second proc_spawn for a known key */
  char **origins;            /* where the traces came from (gha_note_origin) */
  uint8_t *origin_rt;        /* their runtimes */
  size_t norigins;
  uint64_t recorder_sweeps;  /* reason-6 sweeps measured */
  uint64_t begin_ns, end_ns;
  bool timed;                /* begin_ns/end_ns hold a time */
  uint64_t trace_end_ns[GHA_TRACES_MAX]; /* last timestamp per trace */
  struct gha_finding *findings;
  size_t nfindings, findings_cap;
  bool finished;
};

/* utf8.c (gha_utf8_len is in gha.h) */
/* Copies src into dst (size bytes) as valid UTF-8 without control
 * characters ('?' for each byte that is not), cut at a character. */
void gha_clean_name(char *dst, size_t size, const char *src);

/* series.c: chart points and pause histogram, grown on demand. */
void gha__record_pause(struct gha_proc *p, uint64_t start, uint64_t end);
/* What an event did, for the chart point it becomes. */
struct gha_step {
  uint8_t marks;     /* GHA_MARK_* */
  uint8_t reason;    /* a full sweep's reason */
  uint64_t pause_ns; /* a GC's pause (0: not timed) */
};
void gha__series_add(const struct gha_analyzer *an, struct gha_proc *p, uint64_t ts,
                     const struct gha_gcinfo *g, const struct gha_step *step,
                     uint64_t waste, uint64_t binwaste);
/* A measurement found at least `words` of old-heap garbage and `bins`
 * binary words from since_ns to at_ns: raises the points in between, and
 * adds one at since_ns if there is none. */
void gha__series_raise(const struct gha_analyzer *an, struct gha_proc *p,
                       uint64_t since_ns, uint64_t at_ns, uint64_t words, uint64_t bins);
void gha__proc_free(struct gha_proc *p);

/* Rebuilds the index after the process array was reordered. */
void gha__reindex(struct gha_analyzer *an);

#endif /* GHA_INTERNAL_H */
