/* scenario-util.h -- helpers shared by the test programs that model the
 * memory patterns the analyzer looks for (heap-scenarios.c, router.c). */
#ifndef GHA_SCENARIO_UTIL_H
#define GHA_SCENARIO_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "genheap.h"

#define CHECK(call)                                                            \
  do {                                                                         \
    gh_status s_ = (call);                                                     \
    if (s_ != GH_OK) {                                                         \
      fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call,           \
              gh_strerror(s_));                                                \
      exit(3);                                                                 \
    }                                                                          \
  } while (0)

static inline double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static inline gh_proc *spawn_named(gh_runtime *rt, const char *name,
                                   uint32_t fullsweep_after,
                                   uint64_t hibernate_after_ms) {
  gh_spawn_options o;
  gh_spawn_options_init(&o);
  o.name = name;
  o.fullsweep_after = fullsweep_after;
  o.hibernate_after_ms = hibernate_after_ms;
  gh_proc *p;
  CHECK(gh_spawn(rt, &o, &p));
  return p;
}

/* Garbage: tuples built and dropped until `gcs` more collections ran. */
static inline void churn_gcs(gh_proc *p, uint64_t gcs) {
  gh_gc_info i;
  CHECK(gh_proc_info(p, &i));
  uint64_t target = i.minor_gcs + i.full_sweeps + gcs;
  while (i.minor_gcs + i.full_sweeps < target) {
    gh_term t;
    CHECK(gh_tuple(p, 8, NULL, &t));
    CHECK(gh_proc_info(p, &i));
  }
}

/* The library's own figures, one line per process, for the tests to
 * compare with the analyzer's (key=value, parsed by the shell tests). */
static inline void print_stats(gh_proc *p) {
  gh_gc_info i;
  CHECK(gh_proc_info(p, &i));
  printf("stats vpid=%ld name=%s pid=%llu old_heap_size=%zu old_heap_block_size=%zu "
         "bin_old_vheap_size=%zu minor_gcs=%llu full_sweeps=%llu "
         "hibernations=%llu words_promoted=%llu words_reclaimed=%llu\n",
         (long)getpid(), gh_name(p), (unsigned long long)gh_self(p),
         i.old_heap_size,
         i.old_heap_block_size, i.bin_old_vheap_size,
         (unsigned long long)i.minor_gcs, (unsigned long long)i.full_sweeps,
         (unsigned long long)i.hibernations,
         (unsigned long long)i.words_promoted,
         (unsigned long long)i.words_reclaimed);
}

#endif
