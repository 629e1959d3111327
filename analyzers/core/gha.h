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

#ifdef HAVE_CONFIG_H
#include "config.h" /* PACKAGE_VERSION: the version, from AC_INIT */
#endif
#include "genheap.h" /* GH_GC_INFO_FIELDS, GH_CENSUS_FIELDS: the schema, once */
#include "waste.h"

/* configure's PACKAGE_VERSION; without config.h (the fuzzers compile the
 * sources directly) genheap.h's numbers, which configure checks agree. */
#ifdef PACKAGE_VERSION
#define GHA_VERSION PACKAGE_VERSION
#else
#define GHA_VERSION_STR_(x) #x
#define GHA_VERSION_STR(x) GHA_VERSION_STR_(x)
#define GHA_VERSION                                                            \
  GHA_VERSION_STR(GH_VERSION_MAJOR) "." GHA_VERSION_STR(GH_VERSION_MINOR) "."  \
      GHA_VERSION_STR(GH_VERSION_PATCH)
#endif
#define GHA_JSON_SCHEMA 2
/* Trace schemas (field `schema` of genheap:proc_spawn) this analyzer reads. */
#define GHA_TRACE_SCHEMA_MIN 1
#define GHA_TRACE_SCHEMA_MAX 2

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
  GHA_EV_CENSUS,
  GHA_EV_PROC_INFO, /* a snapshot (BEAM recorder): name and GC-info block */
  GHA_EV_COUNT
};

/* The runtime a trace came from: the trace environment's `genheap_runtime`
 * ("BEAM" for genheap-beam's traces; absent for libgenheap programs).
 * Reports say it, and give that runtime's fixes. */
enum gha_runtime { GHA_RUNTIME_GENHEAP, GHA_RUNTIME_BEAM };
const char *gha_runtime_name(enum gha_runtime r); /* "genheap", "BEAM" */

/* `reason` of a full sweep that the BEAM recorder forced to measure the
 * garbage (BEAM cannot count live words without collecting). */
#define GHA_SWEEP_RECORDER 6

/* The GC-info block, field for field as in the trace (words / counters),
 * expanded from genheap.h's list. */
struct gha_gcinfo {
#define GHA_GCINFO_MEMBER_(type, name) uint64_t name;
  GH_GC_INFO_FIELDS(GHA_GCINFO_MEMBER_)
#undef GHA_GCINFO_MEMBER_
};
#define GHA_GCINFO_ONE_(type, name) +1
enum { GHA_GCINFO_FIELDS = 0 GH_GC_INFO_FIELDS(GHA_GCINFO_ONE_) };
#undef GHA_GCINFO_ONE_
extern const char *const gha_gcinfo_names[GHA_GCINFO_FIELDS];
/* The block as an array, in gha_gcinfo_names order. */
static inline uint64_t *gha_gcinfo_slots(struct gha_gcinfo *g) {
  return (uint64_t *)g;
}

/* A census (genheap:census), field for field as gh_census_info. */
struct gha_census {
#define GHA_CENSUS_MEMBER_(name) uint64_t name;
  GH_CENSUS_FIELDS(GHA_CENSUS_MEMBER_)
#undef GHA_CENSUS_MEMBER_
};
#define GHA_CENSUS_ONE_(name) +1
enum { GHA_CENSUS_FIELDS = 0 GH_CENSUS_FIELDS(GHA_CENSUS_ONE_) };
#undef GHA_CENSUS_ONE_
extern const char *const gha_census_names[GHA_CENSUS_FIELDS];
static inline uint64_t *gha_census_slots(struct gha_census *c) {
  return (uint64_t *)c;
}

struct gha_event {
  enum gha_event_type type;
  uint64_t ts_ns;      /* nanoseconds from the clock's origin */
  uint32_t host;       /* from gha_host_id() */
  uint32_t trace;      /* which trace it came from (0..GHA_TRACES_MAX-1) */
  uint8_t runtime;     /* enum gha_runtime of that trace */
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
  uint64_t schema;             /* proc_spawn (0: not given) */
  uint64_t trigger;            /* census (gh_census_trigger) */
  uint64_t waiting_ms;         /* census, gc_major_start (schema 2) */
  uint64_t quiet_ms;           /* census, gc_major_start (schema 2) */
  bool roots_unchanged;        /* census, gc_major_start (schema 2) */
  bool has_info;
  struct gha_gcinfo info;
  struct gha_census census;    /* census */
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

/* The options table (options.c): one entry per option, by its name as the
 * CLI (--NAME=VALUE) and the plugin (parameter NAME) spell it. */
enum gha_opt_type { GHA_OPT_SECONDS, GHA_OPT_REAL, GHA_OPT_WORDS, GHA_OPT_COUNT,
                    GHA_OPT_SEVERITY };
struct gha_option_def {
  const char *name;          /* "min-idle" */
  enum gha_opt_type type;
  size_t offset;             /* of its field in struct gha_options */
  double max;                /* values from 0 to max */
  const char *arg;           /* "SECONDS", for help texts */
  const char *help;          /* one line, with the default */
};
const struct gha_option_def *gha_option_defs(size_t *count);
const struct gha_option_def *gha_option_find(const char *name);
/* Sets one option from its text; 0, or -1 with the reason in why (one
 * line, naming the option). */
int gha_option_parse(struct gha_options *o, const struct gha_option_def *d,
                     const char *text, char *why, size_t size);
/* From a number (plugin parameters given as integers or reals). */
int gha_option_set_number(struct gha_options *o, const struct gha_option_def *d,
                          double v, char *why, size_t size);
/* The number rules of the table for any option: digits (and for a real one
 * point and an exponent), finite, from 0 to max, whole when asked.  0, or
 * -1 with what it must be in why ("a number from 0 to 100"). */
int gha_number_parse(const char *text, bool whole, double max, double *out, char *why,
                     size_t size);

/* ---- Analyzer ----------------------------------------------------------- */
#define GHA_TRACES_MAX 1024 /* traces read together; more share an end */
#define GHA_SERIES_MAX 256 /* chart points of a process with a large heap */
enum { GHA_MARK_MINOR = 1, GHA_MARK_SWEEP = 2, GHA_MARK_HIBERNATE = 4,
       GHA_MARK_CENSUS = 8,
       GHA_MARK_EVIDENCE = 16 }; /* no event: where evidence of waste begins */

/* A chart point: heap figures (words, saturated at 2^32-1) at a time
 * relative to the process's first event (gha_point_ts gives it back).
 * waste and binwaste are the measured lower bounds at that time as known
 * by the latest measurement: a census or sweep whose evidence reaches back
 * raises the points it covers (series.c), so a chart drawn at the end
 * shows when the garbage was there, not only when it was counted.
 * Points merge when the series is full: a point then stands for several
 * events, with the marks of all of them and the reason and pause of the
 * last GC among them (the trace export draws it as a slice). */
struct gha_point {
  float t_s;         /* seconds since first_ns */
  uint32_t young;    /* heap_size */
  uint32_t old;      /* old_heap_size */
  uint32_t binv;     /* bin_vheap_size + bin_old_vheap_size */
  uint32_t waste;    /* measured old-heap garbage (lower bound) */
  uint32_t binwaste; /* measured refc-binary words only garbage kept */
  uint8_t marks;     /* GHA_MARK_* of the events merged into this point */
  uint8_t reason;    /* the last full sweep's reason (with GHA_MARK_SWEEP) */
  uint8_t pause;     /* the last GC's pause: 1 + its log bucket; 0 none */
};
/* reason and pause live in what was padding: a point stays 28 bytes, so a
 * process's memory does not grow for them (10^6 processes, 256 points). */
_Static_assert(sizeof(struct gha_point) == 28, "a chart point grew");

enum gha_analysis { GHA_BLOAT, GHA_BINLEAK, GHA_IDLE_BURST, GHA_ANALYSES };
const char *gha_analysis_name(enum gha_analysis a);

#define GHA_PAUSE_BUCKETS 129 /* < 64 ns, then 4 per octave to 2^38 ns */
#define GHA_PAUSES_INLINE 8    /* pauses kept before a histogram is allocated */

struct gha_proc {
  uint32_t host;
  uint32_t trace;              /* its trace: idle is measured to its end */
  int64_t vpid;
  uint64_t pid;
  char name[64];
  uint64_t first_ns, last_ns;
  bool exited, killed, spawned;
  bool freed;                  /* its runtime ended (census runtime_end) */
  bool retired;                /* its key was spawned again: not looked up */
  uint8_t runtime;             /* enum gha_runtime of its trace */
  uint8_t sweep_reason;        /* reason of the open gc_major_start */
  uint64_t end_ns;             /* exit, kill or runtime end (0: alive) */
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
  /* Evidence of waste (docs/analyses.md): measured garbage on the old heap
   * (`waste`) and refc-binary words only the old heap referenced
   * (`binwaste`), as lower bounds over time. */
  struct gha_waste waste, binwaste;
  uint64_t last_gc_end_ns;     /* what roots_unchanged refers to */
  uint64_t sweep_start_ns, sweep_since_ns; /* open gc_major_start */
  uint64_t sweep_start_old, sweep_start_binold; /* binold: all refc-binary words */
  uint32_t censuses, sweeps_measured;
  int32_t finding_at[GHA_ANALYSES]; /* index of its finding (-1), by gha_finish */
  uint64_t last_census_ns;
  struct gha_census last_census;
  /* GC pauses, from start/end pairs */
  uint64_t minor_start_ns, major_start_ns;
  uint64_t pause_count, pause_max_ns, pause_sum_ns;
  uint8_t pause_inline[GHA_PAUSES_INLINE]; /* buckets of the first pauses */
  uint32_t *pause_hist;        /* GHA_PAUSE_BUCKETS, after them */
  /* down-sampled chart series */
  struct gha_point *series;    /* grown on demand (series.c) */
  uint16_t series_len, series_cap;
  uint32_t series_stride, series_skip;
};


/* A finding is measured (a census or a sweep showed the garbage, for long
 * enough: warning) or a suspicion the trace cannot back (info, and it says
 * so).  Waste figures are words of old-heap garbage (bloat) or of refc
 * binaries only the old heap kept (binleak). */
struct gha_finding {
  enum gha_analysis analysis;
  enum gha_severity severity;
  const struct gha_proc *proc;
  bool measured;             /* backed by a census or a sweep */
  const char *evidence;      /* "census" or "sweep" (what measured the peak), "none" */
  uint64_t held_words;       /* old heap (binaries) held at the end of its life */
  uint64_t waste_words;      /* peak measured waste, or the upper estimate */
  double waste_word_s;       /* measured word-seconds (lower bound) */
  uint64_t above_ns;         /* time at or above the threshold (measured) */
  double life_share;         /* above_ns / observed life */
  uint64_t from_ns, until_ns; /* when the waste was at or above it */
  uint64_t since_ns;         /* last full sweep (or first seen) */
  uint64_t idle_ns;          /* end of its life - last GC */
  uint64_t would_free;       /* words a full sweep would free at the end */
  const char *would_free_kind; /* "measured" or "estimated" */
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
/* A time the recording of trace `trace` covered with no event (a packet's
 * beginning or end): the trace spans from its first to its last such time,
 * so processes that idle to the end of the recording are seen idling. */
void gha_note_time(struct gha_analyzer *an, uint32_t trace, uint64_t ts_ns);
/* Where trace `origin` came from, for the reports ("BEAM, OTP 25, node
 * a@b, host h"); kept once per distinct text. */
void gha_note_origin(struct gha_analyzer *an, enum gha_runtime rt,
                     const char *origin);
size_t gha_origin_count(const struct gha_analyzer *an);
const char *gha_origin_at(const struct gha_analyzer *an, size_t i,
                          enum gha_runtime *rt);
/* Sweeps the BEAM recorder forced to measure waste (reason 6). */
uint64_t gha_recorder_sweep_count(const struct gha_analyzer *an);
/* Runs the analyses (idempotent); call after the last event. */
void gha_finish(struct gha_analyzer *an);

const struct gha_options *gha_opts(const struct gha_analyzer *an);
uint64_t gha_event_count(const struct gha_analyzer *an);
uint64_t gha_discarded_count(const struct gha_analyzer *an);
/* Times a proc_spawn came for a key already spawned (a new process). */
uint64_t gha_key_reuse_count(const struct gha_analyzer *an);
uint64_t gha_trace_begin_ns(const struct gha_analyzer *an);
uint64_t gha_trace_end_ns(const struct gha_analyzer *an);
/* The end of the process's own trace (its recording's end). */
uint64_t gha_proc_trace_end_ns(const struct gha_analyzer *an,
                               const struct gha_proc *p);
/* The end of the process's observed life: its exit, kill or runtime end,
 * else the end of its trace. */
uint64_t gha_proc_end_ns(const struct gha_analyzer *an, const struct gha_proc *p);
/* "alive", "exited", "killed" or "freed" (with its runtime). */
const char *gha_proc_state(const struct gha_proc *p);
/* The process's waste summaries over its life (waste.h), with the analyzer's
 * thresholds (bloat_min_words, binleak_min_words). */
void gha_proc_waste(const struct gha_analyzer *an, const struct gha_proc *p,
                    struct gha_waste_summary *words, struct gha_waste_summary *bins);
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
/* When a chart point was taken. */
uint64_t gha_point_ts(const struct gha_proc *p, const struct gha_point *pt);
/* The pause of the last GC merged into the point, in ns (the upper bound of
 * its log bucket, at most 19% over, and never above the process's longest
 * pause); 0 when it had none or none was timed. */
uint64_t gha_point_pause_ns(const struct gha_proc *p, const struct gha_point *pt);
/* Pause percentile (0..100) in ns, from the log histogram. */
uint64_t gha_pause_percentile(const struct gha_proc *p, double pct);
bool gha_proc_flagged(const struct gha_analyzer *an, const struct gha_proc *p);

/* A finding's one-line message, composed from its figures. */
#define GHA_MESSAGE_MAX 400
void gha_finding_message(const struct gha_analyzer *an,
                         const struct gha_finding *f, char *buf, size_t size);

/* The length of the valid UTF-8 character at s, 0 when there is none: the
 * writers escape everything else. */
size_t gha_utf8_len(const unsigned char *s, size_t avail);

/* Exit status: 0 no finding at or above fail_on, 1 otherwise. */
int gha_exit_status(const struct gha_analyzer *an);

#endif /* GHA_H */
