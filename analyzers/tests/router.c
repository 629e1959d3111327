/* router.c -- the refc-binary leak: a long-lived "router" receives large
 * binaries from a "producer" and forwards them to a "sink", keeping the
 * last few in a window (so some live through two collections and their
 * handles are promoted), then idles.  The old heap keeps referencing
 * binaries that are long gone elsewhere until a full sweep, which an idle
 * process never gets.  With --hibernate the router is spawned with
 * hibernate_after and calls gh_wait when idle; gh_runtime_hibernate_idle
 * then sweeps it.  A "ticker" keeps collecting so the trace runs on.
 *
 * Usage: router [--hibernate] [IDLE_MS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario-util.h"

#define MESSAGES 2000
#define BIN_BYTES 4096
#define WINDOW 16

static void forward_one(gh_proc *producer, gh_proc *router, gh_proc *sink,
                        size_t slot) {
  gh_term bin, msg;
  CHECK(gh_binary(producer, NULL, BIN_BYTES, &bin));
  CHECK(gh_send(producer, gh_self(router), bin));
  CHECK(gh_receive(router, &msg));
  CHECK(gh_slot_set(router, slot, msg));
  CHECK(gh_send(router, gh_self(sink), msg));
  gh_term dropped;
  while (gh_receive(sink, &dropped) == GH_OK)
    ;
  churn_gcs(router, 1);
  churn_gcs(sink, 1);
  churn_gcs(producer, 1);
}

int main(int argc, char **argv) {
  bool hibernate = argc > 1 && strcmp(argv[1], "--hibernate") == 0;
  long idle_ms = argc > 1 + hibernate ? atol(argv[1 + hibernate]) : 1500;
  gh_runtime *rt;
  CHECK(gh_runtime_new(NULL, &rt));
  gh_proc *producer = spawn_named(rt, "producer", 65535, 0);
  gh_proc *router = spawn_named(rt, "router", 65535, hibernate ? 50 : 0);
  gh_proc *sink = spawn_named(rt, "sink", 65535, 0);
  gh_proc *ticker = spawn_named(rt, "ticker", 20, 0);
  for (size_t s = 0; s < WINDOW; s++)
    CHECK(gh_push(router, GH_NIL));
  for (int i = 0; i < MESSAGES; i++)
    forward_one(producer, router, sink, (size_t)i % WINDOW);
  for (size_t s = 0; s < WINDOW; s++) /* the window is dropped: idle */
    CHECK(gh_slot_set(router, s, GH_NIL));
  if (hibernate)
    CHECK(gh_wait(router));
  double end = now_s() + (double)idle_ms / 1000.0;
  while (now_s() < end) {
    for (int k = 0; k < 50; k++) {
      gh_term t;
      CHECK(gh_tuple(ticker, 8, NULL, &t));
    }
    size_t n;
    CHECK(gh_runtime_hibernate_idle(rt, &n));
    sleep_ms(1);
  }
  print_stats(router);
  fflush(stdout);
  gh_runtime_free(rt);
  return 0;
}
