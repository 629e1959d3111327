/* gc-churn.c -- the GC-heavy workload timed by trace-overhead.sh.
 *
 * Several processes build and drop lists, keep a few survivors (so minor
 * GCs promote and fullsweep_after sweeps happen) and pass refc binaries
 * around, so every kind of tracepoint fires often.  Only the work loop is
 * timed, not start-up: with the probes preloaded, LTTng-UST registers with
 * the session daemon before main(), which is not the cost being measured.
 * The figure compared is the process's CPU time (CLOCK_PROCESS_CPUTIME_ID):
 * on a shared machine wall time mostly measures the neighbours.  It counts
 * every thread of the process, so LTTng-UST's own threads too.
 *
 * Usage: gc-churn [ROUNDS]
 * prints "seconds=CPU wall=WALL minor_gcs=N full_sweeps=N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "genheap.h"

#define NPROCS 4
#define LIST_CELLS 1000

#define CHECK(call)                                                            \
  do {                                                                         \
    gh_status check_status_ = (call);                                          \
    if (check_status_ != GH_OK) {                                              \
      fprintf(stderr, "gc-churn: %s: %s\n", #call,                             \
              gh_strerror(check_status_));                                     \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

static double now_seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Conses n small integers onto the list in the top slot. */
static void grow_top_list(gh_proc *p, size_t n) {
  size_t top = gh_depth(p) - 1;
  for (size_t i = 0; i < n; i++) {
    gh_term tail, cell;
    CHECK(gh_slot_get(p, top, &tail));
    CHECK(gh_cons(p, gh_small((int64_t)i), tail, &cell));
    CHECK(gh_slot_set(p, top, cell));
  }
}

/* One round of one process: a dropped list, a survivor now and then, and a
 * refc binary sent to the next process (received and kept in slot 1). */
static void round_of(gh_proc *p, gh_proc *next, unsigned round) {
  gh_term t;
  CHECK(gh_push(p, GH_NIL));
  grow_top_list(p, LIST_CELLS);
  if (round % 8 == 0) {
    CHECK(gh_slot_get(p, gh_depth(p) - 1, &t));
    CHECK(gh_slot_set(p, 0, t));
  }
  CHECK(gh_pop(p, 1));
  CHECK(gh_binary(p, NULL, 256, &t));
  CHECK(gh_send(p, gh_self(next), t));
  CHECK(gh_receive(next, &t));
  CHECK(gh_slot_set(next, 1, t));
}

int main(int argc, char **argv) {
  unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 3000;
  gh_runtime *rt;
  gh_proc *procs[NPROCS];
  gh_runtime_options ropts;
  gh_runtime_options_init(&ropts);
  CHECK(gh_runtime_new(&ropts, &rt));
  for (int i = 0; i < NPROCS; i++) {
    gh_spawn_options opts;
    gh_spawn_options_init(&opts);
    opts.fullsweep_after = 10;
    opts.name = "churn";
    CHECK(gh_spawn(rt, &opts, &procs[i]));
    CHECK(gh_push(procs[i], GH_NIL)); /* slot 0: a survivor list */
    CHECK(gh_push(procs[i], GH_NIL)); /* slot 1: the last binary received */
  }
  double cpu_start = now_seconds(CLOCK_PROCESS_CPUTIME_ID);
  double wall_start = now_seconds(CLOCK_MONOTONIC);
  for (unsigned r = 0; r < rounds; r++)
    for (int i = 0; i < NPROCS; i++)
      round_of(procs[i], procs[(i + 1) % NPROCS], r);
  double cpu = now_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  double wall = now_seconds(CLOCK_MONOTONIC) - wall_start;
  uint64_t minors = 0, sweeps = 0;
  for (int i = 0; i < NPROCS; i++) {
    gh_gc_info info;
    CHECK(gh_proc_info(procs[i], &info));
    minors += info.minor_gcs;
    sweeps += info.full_sweeps;
    CHECK(gh_exit(procs[i]));
  }
  gh_runtime_free(rt);
  printf("seconds=%.6f wall=%.6f minor_gcs=%llu full_sweeps=%llu\n", cpu, wall,
         (unsigned long long)minors, (unsigned long long)sweeps);
  return 0;
}
