/* heap-scenarios.c -- a program with three processes for the analyzer's
 * real-trace test: "bloated" builds a large structure that lives long
 * enough to be promoted, drops it and goes idle (its old heap keeps the
 * garbage: no sweep will come); "sleeper" does the same and hibernates;
 * "worker" keeps collecting until the end, and an unnamed process collects
 * between the others' events (an empty name must stay empty in a report:
 * babeltrace2 2.0 hands back the previous event's string for an empty
 * one).  Prints the library's own
 * statistics for each process at the end (lines starting "stats").
 *
 * Usage: heap-scenarios [IDLE_MS]   (default 1500: the idle phase)
 */
#include <stdio.h>
#include <stdlib.h>

#include "scenario-util.h"

#define LIST_LEN 100000 /* 200000 words of cons cells */

/* Builds a big list, keeps it across two collections (so it is promoted
 * to the old heap), then drops it: old-heap garbage. */
static void promote_then_drop(gh_proc *p) {
  static gh_term elems[LIST_LEN];
  for (size_t i = 0; i < LIST_LEN; i++)
    elems[i] = gh_small((int64_t)i);
  gh_term list;
  CHECK(gh_list(p, LIST_LEN, elems, &list));
  CHECK(gh_push(p, list));
  churn_gcs(p, 2);
  CHECK(gh_pop(p, 1));
}

static void burst(gh_proc *p) {
  churn_gcs(p, 30);
  promote_then_drop(p);
  churn_gcs(p, 1); /* the list is dead now but still on the old heap */
}

/* A little garbage per tick: a collection every few ticks. */
static void work(gh_proc *p) {
  for (int k = 0; k < 50; k++) {
    gh_term t;
    CHECK(gh_tuple(p, 8, NULL, &t));
  }
}

int main(int argc, char **argv) {
  long idle_ms = argc > 1 ? atol(argv[1]) : 1500;
  gh_runtime *rt;
  CHECK(gh_runtime_new(NULL, &rt));
  gh_proc *bloated = spawn_named(rt, "bloated", 65535, 0);
  gh_proc *sleeper = spawn_named(rt, "sleeper", 65535, 0);
  gh_proc *worker = spawn_named(rt, "worker", 20, 0);
  gh_proc *anon = spawn_named(rt, NULL, 20, 0);
  burst(bloated);
  burst(sleeper);
  CHECK(gh_hibernate(sleeper));
  double end = now_s() + (double)idle_ms / 1000.0;
  while (now_s() < end) {
    work(worker);
    work(anon);
    sleep_ms(1);
  }
  print_stats(bloated);
  print_stats(sleeper);
  print_stats(worker);
  print_stats(anon);
  fflush(stdout);
  /* no gh_exit: the processes are alive at the end of the trace */
  gh_runtime_free(rt);
  return 0;
}
