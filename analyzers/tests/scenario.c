/* scenario.c -- the ground-truth scenarios of the analyzer (docs/analyses.md,
 * "Ground truth"): small programs written against genheap.h with library
 * defaults, each with one "server" process whose true waste is known.
 *
 *   scenario NAME ENDING [IDLE_MS]   run it (under genheap-trace)
 *   scenario NAME --truth            the same work, then the true waste
 *
 * NAME (the server's memory):
 *   cache        builds a large table and keeps all of it (all live)
 *   bloat        builds it, drops it, idles (all garbage)
 *   half         builds two, drops one
 *   router       forwards 32 KiB binaries to short-lived workers, keeping a
 *                window of recent ones; default min_bin_vheap_size
 *   hibernating  as bloat, spawned with hibernate_after_ms 200
 *   fullsweep0   as bloat, spawned with fullsweep_after 0
 *   busy         keeps a small table and never idles: works to the end
 *   bloat-nowait as bloat, but idles without gh_wait
 * ENDING (what happens while it idles, and at the end):
 *   others-collect  a "ticker" process keeps collecting; gh_runtime_free
 *   quiet           nothing collects; main returns without freeing anything
 *   shutdown        every process gh_exit()s, then gh_runtime_free
 *   killed          SIGKILL at the end of the idle time, no cleanup
 *
 * The servers that idle follow docs/embedding.md: gh_wait while waiting for
 * work, gh_resume before touching the process again.  Everything runs on
 * the main thread (and a hibernation timer for `hibernating`), so a --truth
 * run does exactly the same collections as a recorded one.
 *
 * --truth prints, at the moment the idle time would begin:
 *   truth old_waste=W bin_waste=B bin_old_waste=O sweep_frees=R held_ms=H
 * (bin_waste: refc-binary words only garbage kept, young or old: what the
 * sweep released)
 * measured from gh_proc_info alone: a minor GC (which keeps the old heap as
 * it is and moves every live young word either into the old heap or into
 * the new young heap, so young live = promoted + young after), then a full
 * sweep (which keeps every live word: total live), so old live = total -
 * young live.  held_ms is how long the server holds that waste: the idle
 * time, hibernate_after for `hibernating`, 0 for `busy`.
 * A normal run prints "scenario vpid=V server_pid=P" first.  The server is
 * named NAME, or $SCENARIO_SERVER_NAME when set.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario-util.h"

#define TABLE_ROWS 50000  /* {I, I*2} tuples: 5 words a row with its cell */
#define BINARIES 600
#define BIN_BYTES 32768
#define WINDOW 16
#define HIBERNATE_AFTER_MS 200

enum ending { OTHERS_COLLECT, QUIET, SHUTDOWN, KILLED, TRUTH };

struct run {
  const char *name;
  enum ending ending;
  long idle_ms;
  gh_runtime *rt;
  gh_proc *server, *ticker;
  bool waits;          /* gh_wait while idle */
  uint64_t held_ms;    /* how long the waste is held (truth) */
  volatile int stop_timer;
};

/* ---- the servers' work -------------------------------------------------- */

/* A table of `rows` tuples as a list in the server's slot `slot`. */
static void build_table(gh_proc *p, size_t slot, size_t rows) {
  CHECK(gh_slot_set(p, slot, GH_NIL));
  for (size_t i = 0; i < rows; i++) {
    gh_term row, cell, head;
    gh_term elems[2] = {gh_small((int64_t)i), gh_small((int64_t)i * 2)};
    CHECK(gh_tuple(p, 2, elems, &row));
    CHECK(gh_slot_get(p, slot, &head));
    CHECK(gh_cons(p, row, head, &cell));
    CHECK(gh_slot_set(p, slot, cell));
  }
}

/* Work after the build: enough short-lived garbage for two more minor GCs,
 * so that the table's young part is promoted too. */
static void settle(gh_proc *p) { churn_gcs(p, 2); }

static void work_cache(gh_proc *p) {
  CHECK(gh_push(p, GH_NIL));
  build_table(p, 0, TABLE_ROWS);
  settle(p);
}

static void work_bloat(gh_proc *p) {
  work_cache(p);
  CHECK(gh_slot_set(p, 0, GH_NIL)); /* done with it: old-heap garbage */
}

static void work_half(gh_proc *p) {
  CHECK(gh_push(p, GH_NIL));
  CHECK(gh_push(p, GH_NIL));
  build_table(p, 0, TABLE_ROWS / 2);
  build_table(p, 1, TABLE_ROWS / 2);
  settle(p);
  CHECK(gh_slot_set(p, 1, GH_NIL));
}

static void work_busy(gh_proc *p) {
  CHECK(gh_push(p, GH_NIL));
  build_table(p, 0, TABLE_ROWS / 25);
  churn_gcs(p, 200);
}

/* One request: a producer makes a binary and sends it; the router keeps it
 * in its window (slot i % WINDOW) and hands it to a new worker, which reads
 * it and exits. */
static void route_one(struct run *r, gh_proc *producer, int i) {
  gh_term bin, msg;
  CHECK(gh_binary(producer, NULL, BIN_BYTES, &bin));
  CHECK(gh_send(producer, gh_self(r->server), bin));
  CHECK(gh_receive(r->server, &msg));
  CHECK(gh_slot_set(r->server, (size_t)i % WINDOW, msg));
  gh_proc *worker = spawn_named(r->rt, "worker", 65535, 0);
  CHECK(gh_send(r->server, gh_self(worker), msg));
  CHECK(gh_receive(worker, &msg));
  CHECK(gh_exit(worker));
  for (int k = 0; k < 40; k++) { /* the router's own bookkeeping */
    gh_term t;
    CHECK(gh_tuple(r->server, 4, NULL, &t));
  }
}

static void work_router(struct run *r) {
  gh_proc *producer = spawn_named(r->rt, "producer", 65535, 0);
  for (size_t s = 0; s < WINDOW; s++)
    CHECK(gh_push(r->server, GH_NIL));
  for (int i = 0; i < BINARIES; i++)
    route_one(r, producer, i);
  for (size_t s = 0; s < WINDOW; s++) /* the window expires */
    CHECK(gh_slot_set(r->server, s, GH_NIL));
  CHECK(gh_exit(producer));
}

/* ---- truth ---------------------------------------------------------------- */

static void print_truth(struct run *r) {
  gh_proc *p = r->server;
  gh_gc_info b, m, a;
  CHECK(gh_proc_info(p, &b));
  CHECK(gh_gc(p, GH_GC_MINOR));
  CHECK(gh_proc_info(p, &m));
  CHECK(gh_gc(p, GH_GC_MAJOR));
  CHECK(gh_proc_info(p, &a));
  bool minor_ran = m.full_sweeps == b.full_sweeps;
  /* young live: promoted into the old heap, or kept young */
  uint64_t young_live = (m.old_heap_size - b.old_heap_size) + m.heap_size;
  uint64_t bin_young_live =
      (m.bin_old_vheap_size - b.bin_old_vheap_size) + m.bin_vheap_size;
  uint64_t old_live = a.heap_size > young_live ? a.heap_size - young_live : 0;
  uint64_t bin_old_live =
      a.bin_vheap_size > bin_young_live ? a.bin_vheap_size - bin_young_live : 0;
  if (!minor_ran) { /* no old heap (fullsweep_after 0): nothing old to waste */
    old_live = b.old_heap_size;
    bin_old_live = b.bin_old_vheap_size;
  }
  uint64_t frees = (m.words_reclaimed - b.words_reclaimed) +
                   (a.words_reclaimed - m.words_reclaimed);
  /* every refc-binary word referenced before and not after the sweep was
   * kept by garbage alone, young or old */
  uint64_t bins_before = b.bin_vheap_size + b.bin_old_vheap_size;
  uint64_t bin_waste = bins_before > a.bin_vheap_size ? bins_before - a.bin_vheap_size : 0;
  printf("truth old_waste=%llu bin_waste=%llu bin_old_waste=%llu sweep_frees=%llu "
         "held_ms=%llu old_heap=%zu minor_ran=%d\n",
         (unsigned long long)(b.old_heap_size - old_live),
         (unsigned long long)bin_waste,
         (unsigned long long)(b.bin_old_vheap_size - bin_old_live),
         (unsigned long long)frees, (unsigned long long)r->held_ms,
         b.old_heap_size, minor_ran);
}

/* ---- idling and endings ------------------------------------------------- */

static void *hibernation_timer(void *arg) {
  struct run *r = arg;
  while (!r->stop_timer) {
    CHECK(gh_runtime_hibernate_idle(r->rt, NULL));
    sleep_ms(20);
  }
  return NULL;
}

static void tick(gh_proc *ticker) {
  for (int k = 0; k < 50; k++) {
    gh_term t;
    CHECK(gh_tuple(ticker, 8, NULL, &t));
  }
}

/* `busy` works through the idle time; the others wait (or just sit). */
static void idle(struct run *r) {
  if (r->waits)
    CHECK(gh_wait(r->server));
  double end = now_s() + (double)r->idle_ms / 1000.0;
  while (now_s() < end) {
    if (r->ticker)
      tick(r->ticker);
    if (strcmp(r->name, "busy") == 0)
      churn_gcs(r->server, 1);
    sleep_ms(r->ticker || strcmp(r->name, "busy") == 0 ? 2 : 20);
  }
  if (r->waits && r->ending != KILLED)
    CHECK(gh_resume(r->server));
}

static void end(struct run *r) {
  fflush(stdout);
  switch (r->ending) {
  case KILLED:
    raise(SIGKILL);
    break;
  case QUIET:
    _exit(0); /* the process ends with its runtime still in use */
  case SHUTDOWN:
    CHECK(gh_exit(r->server));
    if (r->ticker)
      CHECK(gh_exit(r->ticker));
    /* fall through */
  default:
    gh_runtime_free(r->rt);
  }
}

/* ---- main -------------------------------------------------------------------- */

static enum ending parse_ending(const char *s) {
  static const char *const names[] = {"others-collect", "quiet", "shutdown",
                                      "killed", "--truth"};
  for (int i = 0; i <= TRUTH; i++)
    if (strcmp(s, names[i]) == 0)
      return (enum ending)i;
  fprintf(stderr, "scenario: unknown ending '%s'\n", s);
  exit(2);
}

static void spawn_server(struct run *r) {
  gh_spawn_options o;
  gh_spawn_options_init(&o);
  /* SCENARIO_SERVER_NAME: one name for the servers of different scenarios,
   * so that runs compare as one process (tests/gate.sh) */
  const char *name = getenv("SCENARIO_SERVER_NAME");
  o.name = name && name[0] ? name : r->name;
  if (strcmp(r->name, "hibernating") == 0)
    o.hibernate_after_ms = HIBERNATE_AFTER_MS;
  if (strcmp(r->name, "fullsweep0") == 0)
    o.fullsweep_after = 0;
  CHECK(gh_spawn(r->rt, &o, &r->server));
  r->waits = strcmp(r->name, "bloat-nowait") != 0 && strcmp(r->name, "busy") != 0;
  r->held_ms = strcmp(r->name, "hibernating") == 0 ? HIBERNATE_AFTER_MS
               : strcmp(r->name, "busy") == 0      ? 0
                                                   : (uint64_t)r->idle_ms;
}

static void work(struct run *r) {
  const char *n = r->name;
  if (strcmp(n, "cache") == 0)
    work_cache(r->server);
  else if (strcmp(n, "half") == 0)
    work_half(r->server);
  else if (strcmp(n, "router") == 0)
    work_router(r);
  else if (strcmp(n, "busy") == 0)
    work_busy(r->server);
  else if (strcmp(n, "bloat") == 0 || strcmp(n, "hibernating") == 0 ||
           strcmp(n, "fullsweep0") == 0 || strcmp(n, "bloat-nowait") == 0)
    work_bloat(r->server);
  else {
    fprintf(stderr, "scenario: unknown scenario '%s'\n", n);
    exit(2);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: scenario NAME ENDING|--truth [IDLE_MS]\n");
    return 2;
  }
  struct run r = {.name = argv[1], .ending = parse_ending(argv[2]),
                  .idle_ms = argc > 3 ? atol(argv[3]) : 2000};
  CHECK(gh_runtime_new(NULL, &r.rt));
  spawn_server(&r);
  if (r.ending == OTHERS_COLLECT)
    r.ticker = spawn_named(r.rt, "ticker", 20, 0);
  printf("scenario vpid=%ld server_pid=%llu\n", (long)getpid(),
         (unsigned long long)gh_self(r.server));
  work(&r);
  if (r.ending == TRUTH) {
    print_truth(&r);
    gh_runtime_free(r.rt);
    return 0;
  }
  pthread_t timer;
  bool timed = r.waits && strcmp(r.name, "hibernating") == 0;
  if (timed)
    pthread_create(&timer, NULL, hibernation_timer, &r);
  idle(&r);
  if (timed) {
    r.stop_timer = 1;
    pthread_join(timer, NULL);
  }
  end(&r);
  return 0;
}
