/* waste.h -- garbage a process kept on its old heap, from measurements only.
 *
 * Design: docs/analyses.md, "Waste".  Old-heap garbage only grows between
 * two full sweeps: a term that nobody reaches can never be reached again,
 * and only a sweep frees the old heap.  So a measurement "at least W words
 * were garbage at time S" (a census, or what a sweep freed) stays true from
 * S until the next sweep or the end of the process.  The lower bound of the
 * waste over an epoch (sweep to sweep) is therefore a staircase: the largest
 * W whose S has passed.  Its integral is the word-seconds the process
 * certainly wasted, and the time it spent at or above a threshold is the
 * time it certainly did.  Nothing here is estimated; a process nobody
 * measured has a zero lower bound.
 */
#ifndef GHA_WASTE_H
#define GHA_WASTE_H

#include <stdbool.h>
#include <stdint.h>

#define GHA_STAIRS 4 /* steps kept per epoch; dropping one only lowers the bound */

/* What measured the garbage. */
enum gha_measure { GHA_BY_SWEEP, GHA_BY_CENSUS, GHA_BY_RECORDER };
/* "sweep", "census", "recorder sweep" (a sweep the BEAM recorder forced) */
const char *gha_measure_name(enum gha_measure m);

struct gha_stair {
  uint64_t since_ns; /* from here on ... */
  uint64_t words;    /* ... at least this much garbage */
};

/* Everything about one kind of waste (old-heap words, or refc-binary words
 * only the old heap referenced) of one process. */
struct gha_waste {
  uint64_t epoch_ns;  /* the open epoch began here (sweep end or first event) */
  uint8_t nstairs;    /* steps of the open epoch, since ascending, words ascending */
  struct gha_stair stairs[GHA_STAIRS];
  /* over the closed epochs */
  uint64_t peak, peak_ns;  /* largest measured waste and when it was measured */
  enum gha_measure peak_by;
  double word_s;           /* integral of the lower bound, word-seconds */
  uint64_t above_ns;       /* time at or above the threshold */
  uint64_t first_above_ns; /* first moment at or above it (0: never) */
  uint64_t last_above_ns;  /* last moment at or above it */
  uint64_t longest_above_ns;
  uint32_t measurements;   /* measurements that found any garbage or none */
};

/* A summary up to some time: the closed epochs and the open one. */
struct gha_waste_summary {
  uint64_t peak, peak_ns;
  enum gha_measure peak_by;
  double word_s;
  uint64_t above_ns, first_above_ns, last_above_ns, longest_above_ns;
  uint64_t now_words; /* the lower bound at the end */
  uint32_t measurements;
};

void gha_waste_init(struct gha_waste *w, uint64_t start_ns);
/* A measurement taken at at_ns: at least `words` of garbage since since_ns
 * (since_ns <= at_ns; clamped to the open epoch). */
void gha_waste_measured(struct gha_waste *w, enum gha_measure by,
                        uint64_t since_ns, uint64_t at_ns, uint64_t words);
/* A full sweep at sweep_ns freed the garbage: the epoch ends there and a
 * new one begins at next_ns (the sweep's end). */
void gha_waste_sweep(struct gha_waste *w, uint64_t sweep_ns, uint64_t next_ns,
                     uint64_t threshold);
/* The open epoch's measured lower bound at ts: the staircase's step then
 * (0 before its first measurement). */
uint64_t gha_waste_at(const struct gha_waste *w, uint64_t ts);
/* The summary as if the open epoch ended at end_ns (nothing is changed:
 * a live analysis asks again as events arrive). */
void gha_waste_summarize(const struct gha_waste *w, uint64_t end_ns,
                         uint64_t threshold, struct gha_waste_summary *out);

#endif /* GHA_WASTE_H */
