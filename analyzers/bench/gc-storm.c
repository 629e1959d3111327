/* gc-storm.c -- a trace generator for the analyzer throughput bench: many
 * processes collecting as fast as they can, so the trace is mostly GC
 * events with their full GC-info blocks (the analyzer's common case).
 *
 * Usage: gc-storm [GCS_PER_PROCESS] [PROCESSES]   (defaults 4000, 64)
 */
#include <stdio.h>
#include <stdlib.h>

#include "genheap.h"

static int check(gh_status s, const char *what) {
  if (s != GH_OK) {
    fprintf(stderr, "gc-storm: %s: %s\n", what, gh_strerror(s));
    exit(1);
  }
  return 0;
}

/* Builds and drops tuples until `gcs` collections ran; a few stay live in
 * a slot so minor GCs promote and full sweeps have work. */
static void storm(gh_proc *p, uint64_t gcs) {
  gh_gc_info i;
  check(gh_push(p, GH_NIL), "push");
  uint64_t n = 0;
  do {
    gh_term t;
    check(gh_tuple(p, 8, NULL, &t), "tuple");
    if (++n % 64 == 0)
      check(gh_slot_set(p, 0, t), "slot");
    check(gh_proc_info(p, &i), "info");
  } while (i.minor_gcs + i.full_sweeps < gcs);
}

int main(int argc, char **argv) {
  uint64_t gcs = argc > 1 ? strtoull(argv[1], NULL, 10) : 4000;
  int procs = argc > 2 ? atoi(argv[2]) : 64;
  gh_runtime *rt;
  check(gh_runtime_new(NULL, &rt), "runtime");
  for (int k = 0; k < procs; k++) {
    gh_spawn_options o;
    gh_spawn_options_init(&o);
    o.fullsweep_after = 10;
    o.name = "storm";
    gh_proc *p;
    check(gh_spawn(rt, &o, &p), "spawn");
    storm(p, gcs);
  }
  gh_runtime_free(rt);
  return 0;
}
