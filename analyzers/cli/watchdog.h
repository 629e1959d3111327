/* watchdog.h -- the last line of defence while babeltrace2 reads a trace.
 *
 * The pre-check (precheck.h) rejects the malformed traces it knows of; for
 * anything else that makes babeltrace2 loop or grow, a thread watches the
 * reader and ends the program with exit status 2 and one line naming the
 * trace when
 *   - no progress is reported for stall_s seconds of CPU time (a reader
 *     blocked on slow storage or waiting for live data uses no CPU and is
 *     left alone), or
 *   - the process's anonymous resident memory (heap, not mapped trace
 *     files) exceeds memory_bytes.
 * A stuck babeltrace2 call cannot be interrupted from outside, so ending
 * the process is the only way out; nothing has been written yet then (the
 * reports are written after the read, see outputs.h).
 */
#ifndef GHA_WATCHDOG_H
#define GHA_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

struct gha_limits {
  double stall_s;        /* CPU seconds without progress; 0: no limit */
  uint64_t memory_bytes; /* anonymous resident memory; 0: no limit */
  bool precheck;         /* run the pre-check before opening a trace */
};

/* The defaults (10 s; half the physical memory or of the control group's
 * limit, whichever is lower; pre-check on), then the environment:
 * GENHEAP_ANALYZE_STALL_TIMEOUT (seconds), GENHEAP_ANALYZE_MEMORY_LIMIT
 * (bytes, or with a K, M, G or T suffix), GENHEAP_ANALYZE_PRECHECK (0 or 1).
 * 0, or -1 after a one-line message naming the bad variable. */
int gha_limits_from_env(struct gha_limits *l);

/* Starts watching (no-op when both limits are 0).  0, or -1 after a message. */
int gha_watchdog_start(const struct gha_limits *l);
/* What the message names when the watchdog fires (kept by pointer: it must
 * live until the next call or gha_watchdog_stop).  Counts as progress. */
void gha_watchdog_subject(const char *what);
/* The reader moved on (a message was consumed). */
void gha_watchdog_progress(void);
void gha_watchdog_stop(void);

#endif /* GHA_WATCHDOG_H */
