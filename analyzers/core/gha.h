/* gha.h -- the genheap trace analyses, free of any babeltrace2 type.
 *
 * The analyzer core eats a stream of `struct gha_event` (one per genheap
 * tracepoint, see docs/trace-events.md), keeps one aggregate per process and
 * a bounded, down-sampled series for charts, and at the end turns them into
 * findings.  Memory grows with the number of processes, never with the
 * number of events.  The babeltrace2 plumbing (analyzers/bt2/) fills the
 * events; the unit tests (analyzers/tests/) fill them by hand.
 *
 * A process is keyed by (host, vpid, pid): the host name comes from the trace
 * environment, vpid from the recorder's context and pid from the event.
 */
#ifndef GHA_H
#define GHA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GHA_VERSION "0.1.0"
#define GHA_JSON_SCHEMA 1

/* ---- Events ------------------------------------------------------------- */
enum gha_event_type {
  GHA_EV_SPAWN,
  GHA_EV_EXIT,
  GHA_EV_MINOR_START,
  GHA_EV_MINOR_END,
  GHA_EV_MAJOR_START,
  GHA_EV_MAJOR_END,
  GHA_EV_PROMOTION,
  GHA_EV_HIBERNATE,
  GHA_EV_MAX_HEAP_KILL,
  GHA_EV_BINARY_ALLOC,
  GHA_EV_BINARY_FREE,
  GHA_EV_COUNT
};

/* The GC-info block, field for field as in the trace (words / counters). */
struct gha_gcinfo {
  uint64_t old_heap_block_size;
  uint64_t heap_block_size;
  uint64_t mbuf_size;
  uint64_t recent_size;
  uint64_t stack_size;
  uint64_t old_heap_size;
  uint64_t heap_size;
  uint64_t bin_vheap_size;
  uint64_t bin_vheap_block_size;
  uint64_t bin_old_vheap_size;
  uint64_t bin_old_vheap_block_size;
  uint64_t minor_gcs;
  uint64_t full_sweeps;
  uint64_t hibernations;
  uint64_t words_promoted;
  uint64_t words_reclaimed;
  uint64_t gen_gcs;
  uint64_t message_queue_len;
  uint64_t refc_binaries;
};
#define GHA_GCINFO_FIELDS 19
extern const char *const gha_gcinfo_names[GHA_GCINFO_FIELDS];
/* The block as an array, in gha_gcinfo_names order. */
static inline uint64_t *gha_gcinfo_slots(struct gha_gcinfo *g) {
  return (uint64_t *)g;
}

struct gha_event {
  enum gha_event_type type;
  uint64_t ts_ns;      /* nanoseconds from the clock's origin */
  uint32_t host;       /* from gha_host_id() */
  uint32_t trace;      /* which trace it came from (0..GHA_TRACES_MAX-1) */
  int64_t vpid;
  uint64_t pid;        /* genheap pid */
  const char *name;    /* may be NULL; copied when kept */
  uint64_t reclaimed;  /* gc_*_end */
  uint64_t need;       /* gc_*_start */
  uint64_t reason;     /* gc_major_*, proc_exit */
  uint64_t words;      /* promotion */
  uint64_t bin_bytes;  /* promotion */
  uint64_t hibernate_after_ms; /* proc_spawn */
  uint64_t fullsweep_after;    /* proc_spawn */
  bool has_info;
  struct gha_gcinfo info;
};

/* ---- Options ------------------------------------------------------------ */
enum gha_severity { GHA_SEV_INFO, GHA_SEV_WARNING, GHA_SEV_ERROR, GHA_SEV_NEVER };
const char *gha_severity_name(enum gha_severity s);
/* GHA_SEV_NEVER for "never"; -1 for an unknown name. */
int gha_severity_parse(const char *name);

struct gha_options {
  uint64_t min_idle_ns;        /* "a long time": default 1 s of trace time */
  double idle_factor;          /* idle >= factor x busy GC interval; 20 */
  uint64_t bloat_min_words;    /* old heap words worth reporting; 65536 */
  uint64_t binleak_min_words;  /* bin_old_vheap words; 16384 */
  unsigned binleak_min_steps;  /* growth steps without a sweep; 3 */
  unsigned burst_min_gcs;      /* GCs that make a burst; 20 */
  uint64_t burst_min_words;    /* retained heap after a burst; 65536 */
  enum gha_severity fail_on;   /* default warning */
};
void gha_options_init(struct gha_options *o);

/* ---- Analyzer ----------------------------------------------------------- */
#define GHA_TRACES_MAX 1024 /* traces read together; more share an end */
#define GHA_SERIES_MAX 256 /* chart points kept per process */
enum { GHA_MARK_MINOR = 1, GHA_MARK_SWEEP = 2, GHA_MARK_HIBERNATE = 4 };

struct gha_point {
  uint64_t ts_ns;
  uint64_t young;    /* heap_size */
  uint64_t old;      /* old_heap_size */
  uint64_t binv;     /* bin_vheap_size + bin_old_vheap_size */
  uint8_t marks;     /* GHA_MARK_* of the GCs merged into this point */
};

#define GHA_PAUSE_BUCKETS 320 /* log2 scale, 8 buckets per octave */

struct gha_proc {
  uint32_t host;
  uint32_t trace;              /* its trace: idle is measured to its end */
  int64_t vpid;
  uint64_t pid;
  char name[64];
  uint64_t first_ns, last_ns;
  bool exited, killed, spawned;
  uint64_t hibernate_after_ms, fullsweep_after;
  bool has_info;
  struct gha_gcinfo info;      /* latest block seen */
  /* counts of events seen (the counters in `info` are the library's own) */
  uint64_t ev_minor, ev_major, ev_hibernate, promoted_events;
  uint64_t first_gc_ns, last_gc_ns, gc_count;
  uint64_t last_sweep_ns;      /* 0: no sweep seen */
  uint64_t sweep_reclaimed, sweep_total; /* sums over gc_major_end */
  uint64_t old_after_sweep, binold_after_sweep;
  unsigned binold_steps;       /* growths of bin_old_vheap since the sweep */
  uint64_t peak_heap_block, peak_old_heap_block, peak_total_heap;
  uint64_t peak_old_heap_size;
  /* GC pauses, from start/end pairs */
  uint64_t minor_start_ns, major_start_ns;
  uint64_t pause_count, pause_max_ns, pause_sum_ns;
  uint32_t pause_hist[GHA_PAUSE_BUCKETS];
  /* down-sampled chart series */
  struct gha_point series[GHA_SERIES_MAX];
  unsigned series_len, series_stride, series_skip;
};

enum gha_analysis { GHA_BLOAT, GHA_BINLEAK, GHA_IDLE_BURST, GHA_ANALYSES };
const char *gha_analysis_name(enum gha_analysis a);

struct gha_finding {
  enum gha_analysis analysis;
  enum gha_severity severity;
  const struct gha_proc *proc;
  uint64_t held_words;       /* what it holds now */
  uint64_t since_ns;         /* since when (last sweep, or first seen) */
  uint64_t idle_ns;          /* trace end - last GC */
  uint64_t likely_freed;     /* words a full sweep would likely free */
  const char *estimate;      /* "history" or "recent_live" (bloat) */
  char message[256];
  const char *fix;
};

struct gha_analyzer;

struct gha_analyzer *gha_analyzer_new(const struct gha_options *opts);
void gha_analyzer_free(struct gha_analyzer *an);
/* A small stable id for a host name (copied). */
uint32_t gha_host_id(struct gha_analyzer *an, const char *hostname);
const char *gha_host_name(const struct gha_analyzer *an, uint32_t id);
/* Feeds one event; false only when out of memory. */
bool gha_feed(struct gha_analyzer *an, const struct gha_event *ev);
void gha_note_discarded(struct gha_analyzer *an, uint64_t count);
/* Runs the analyses (idempotent); call after the last event. */
void gha_finish(struct gha_analyzer *an);

const struct gha_options *gha_opts(const struct gha_analyzer *an);
uint64_t gha_event_count(const struct gha_analyzer *an);
uint64_t gha_discarded_count(const struct gha_analyzer *an);
uint64_t gha_trace_begin_ns(const struct gha_analyzer *an);
uint64_t gha_trace_end_ns(const struct gha_analyzer *an);
/* The last timestamp of the process's own trace. */
uint64_t gha_proc_trace_end_ns(const struct gha_analyzer *an,
                               const struct gha_proc *p);
/* Processes, sorted by (host, vpid, pid) after gha_finish. */
size_t gha_proc_count(const struct gha_analyzer *an);
const struct gha_proc *gha_proc_at(const struct gha_analyzer *an, size_t i);
const struct gha_proc *gha_find_proc(const struct gha_analyzer *an,
                                     const char *host, int64_t vpid,
                                     uint64_t pid);
size_t gha_finding_count(const struct gha_analyzer *an);
const struct gha_finding *gha_finding_at(const struct gha_analyzer *an,
                                         size_t i);
/* The finding of one analysis for one process, or NULL. */
const struct gha_finding *gha_finding_for(const struct gha_analyzer *an,
                                          const struct gha_proc *p,
                                          enum gha_analysis a);
/* Pause percentile (0..100) in ns, from the log histogram. */
uint64_t gha_pause_percentile(const struct gha_proc *p, double pct);
bool gha_proc_flagged(const struct gha_analyzer *an, const struct gha_proc *p);

/* Exit status: 0 no finding at or above fail_on, 1 otherwise. */
int gha_exit_status(const struct gha_analyzer *an);

#endif /* GHA_H */
