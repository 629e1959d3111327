/* synth.h -- builders of synthetic genheap event streams for the unit
 * tests: each helper feeds the events one library call would fire. */
#ifndef GHA_SYNTH_H
#define GHA_SYNTH_H

#include "gha.h"

#define MS 1000000ull /* ns */

/* One simulated process: its key and its current GC-info block. */
struct synth_proc {
  struct gha_analyzer *an;
  uint32_t host;
  int64_t vpid;
  uint64_t pid;
  const char *name;
  uint8_t runtime; /* enum gha_runtime of its (simulated) trace */
  struct gha_gcinfo g;
};

void synth_init(struct synth_proc *sp, struct gha_analyzer *an,
                const char *host, int64_t vpid, uint64_t pid, const char *name);
void synth_spawn(struct synth_proc *sp, uint64_t ts);
/* A minor GC from ts to ts+pause: young garbage dropped, `promote` words
 * (and `bin_promote` binary words) moved to the old heap. */
void synth_minor(struct synth_proc *sp, uint64_t ts, uint64_t pause,
                 uint64_t young_before, uint64_t promote, uint64_t bin_promote);
/* A full sweep keeping `live` words; old heap emptied. */
void synth_major(struct synth_proc *sp, uint64_t ts, uint64_t pause,
                 uint64_t live, uint64_t reason);
void synth_hibernate(struct synth_proc *sp, uint64_t ts, uint64_t live);
void synth_exit(struct synth_proc *sp, uint64_t ts);
/* A healthy busy process: minor GCs every `every` ns from t0 to t1. */
void synth_busy(struct synth_proc *sp, uint64_t t0, uint64_t t1,
                uint64_t every);
/* A marker event (no process state) to set the end of the trace. */
void synth_trace_end(struct gha_analyzer *an, uint64_t ts);

/* The evidence a census or a sweep carries about how long its garbage had
 * been there (schema 2). */
struct synth_evidence {
  uint64_t waiting_ms, quiet_ms;
  bool roots_unchanged;
};
/* A census: `old_live` of the old heap and `bin_old_live` of its binary
 * words reachable; young all live. */
void synth_census(struct synth_proc *sp, uint64_t ts, uint64_t old_live,
                  uint64_t bin_old_live, uint64_t trigger,
                  struct synth_evidence e);
/* A full sweep with evidence at its start. */
void synth_major_ev(struct synth_proc *sp, uint64_t ts, uint64_t pause,
                    uint64_t live, uint64_t reason, struct synth_evidence e);
/* A genheap:proc_info snapshot: the current block and name, no GC. */
void synth_proc_info(struct synth_proc *sp, uint64_t ts);
/* A packet boundary of trace 0 at ts (the recording covered it). */
void synth_packet(struct gha_analyzer *an, uint64_t ts);

#endif
