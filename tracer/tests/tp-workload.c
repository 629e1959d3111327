/* tp-workload.c -- a GC-heavy genheap program for the tracer's tests.
 *
 * Four processes do what the trace events must describe: "churn" makes many
 * minor GCs and, with fullsweep_after 4, fullsweep_after-triggered sweeps;
 * "producer" creates refc binaries (> 64 bytes), and now and then a
 * resource, and sends them to "router", which keeps the last few; "sleeper"
 * gets an explicit major GC and two hibernations.  Each process ends with
 * one last collection, after which the program prints what gh_proc_info()
 * says, so the integration test can compare the trace with the library's
 * own counters:
 *
 *   workload os_pid=N binaries=N resources=N destroyed=N
 *   proc pid=N name=S minor_gcs=N ... (every gh_gc_info field, key=value)
 *
 * Options: --rounds N (default 300) scales the work; --maps prints the
 * mapped objects whose path mentions lttng ("map PATH"), so a test can see
 * whether the LTTng tracer was loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "genheap.h"

#define ROUTER_KEEP 16   /* binaries the router holds at any time */
#define BINARY_BYTES 200 /* > 64: a shared, reference-counted binary */

/* Any failure is a bug in the library or this program: say where, exit 1. */
#define CHECK(call)                                                            \
  do {                                                                         \
    gh_status check_status_ = (call);                                          \
    if (check_status_ != GH_OK) {                                              \
      fprintf(stderr, "tp-workload: %s:%d: %s: %s\n", __FILE__, __LINE__,      \
              #call, gh_strerror(check_status_));                              \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

struct workload {
  gh_runtime *rt;
  gh_proc *churn, *producer, *router, *sleeper;
  uint64_t binaries; /* refc binaries created */
  uint64_t resources; /* resources created */
};

/* A resource's destructor: counts, so the output can say all were run. */
static uint64_t destroyed;
static void count_destroyed(void *ctx, void *obj) { destroyed++; }
static const gh_resource_type token_type = {"token", count_destroyed, NULL};
static int token;

static gh_proc *spawn(gh_runtime *rt, const char *name,
                      uint32_t fullsweep_after) {
  gh_spawn_options opts;
  gh_spawn_options_init(&opts);
  opts.name = name;
  opts.fullsweep_after = fullsweep_after;
  gh_proc *p = NULL;
  CHECK(gh_spawn(rt, &opts, &p));
  return p;
}

/* Builds a list of n small integers on top of slot `slot` (kept there). */
static void build_list(gh_proc *p, size_t slot, size_t n) {
  for (size_t i = 0; i < n; i++) {
    gh_term tail, cell;
    CHECK(gh_slot_get(p, slot, &tail));
    CHECK(gh_cons(p, gh_small((int64_t)i), tail, &cell));
    CHECK(gh_slot_set(p, slot, cell));
  }
}

/* Garbage: a list built and dropped. */
static void churn_garbage(gh_proc *p, size_t n) {
  CHECK(gh_push(p, GH_NIL));
  build_list(p, gh_depth(p) - 1, n);
  CHECK(gh_pop(p, 1));
}

/* Slot 0 of churn keeps a few survivors (promoted by minor GCs); it is
 * dropped every 50 rounds so that later sweeps have something to reclaim. */
static void churn_round(gh_proc *p, unsigned round) {
  churn_garbage(p, 400);
  if (round % 10 == 0) {
    gh_term kept, cell;
    CHECK(gh_push(p, GH_NIL));
    build_list(p, gh_depth(p) - 1, 50);
    CHECK(gh_slot_get(p, gh_depth(p) - 1, &cell));
    CHECK(gh_slot_get(p, 0, &kept));
    CHECK(gh_cons(p, cell, kept, &cell));
    CHECK(gh_slot_set(p, 0, cell));
    CHECK(gh_pop(p, 1));
  }
  if (round % 50 == 49)
    CHECK(gh_slot_set(p, 0, GH_NIL));
}

/* The producer sends one refc binary per round; the router keeps the last
 * ROUTER_KEEP in its slots (a ring), dropping the older ones. */
static void binary_round(struct workload *w, unsigned round) {
  unsigned char bytes[BINARY_BYTES];
  memset(bytes, (int)(round & 0xff), sizeof bytes);
  gh_term bin, msg;
  CHECK(gh_binary(w->producer, bytes, sizeof bytes, &bin));
  w->binaries++;
  if (round % 8 == 0) { /* a resource instead, shared the same way */
    CHECK(gh_resource(w->producer, &token_type, &token, 64, &bin));
    w->resources++;
  }
  CHECK(gh_send(w->producer, gh_self(w->router), bin));
  churn_garbage(w->producer, 60);

  CHECK(gh_receive(w->router, &msg));
  CHECK(gh_slot_set(w->router, round % ROUTER_KEEP, msg));
  churn_garbage(w->router, 30);
}

/* The sleeper keeps a list, is collected explicitly, then hibernates. */
static void sleeper_phase(gh_proc *p, size_t n) {
  build_list(p, 0, n);
  churn_garbage(p, 2 * n);
  CHECK(gh_gc(p, GH_GC_MAJOR));
  churn_garbage(p, n);
  CHECK(gh_hibernate(p));
}

static void print_info(const gh_proc *p) {
  gh_gc_info i;
  CHECK(gh_proc_info(p, &i));
  printf("proc pid=%llu name=%s", (unsigned long long)gh_self(p), gh_name(p));
#define GH_PRINT_FIELD(f) printf(" " #f "=%llu", (unsigned long long)i.f)
  GH_PRINT_FIELD(old_heap_block_size);
  GH_PRINT_FIELD(heap_block_size);
  GH_PRINT_FIELD(mbuf_size);
  GH_PRINT_FIELD(recent_size);
  GH_PRINT_FIELD(stack_size);
  GH_PRINT_FIELD(old_heap_size);
  GH_PRINT_FIELD(heap_size);
  GH_PRINT_FIELD(bin_vheap_size);
  GH_PRINT_FIELD(bin_vheap_block_size);
  GH_PRINT_FIELD(bin_old_vheap_size);
  GH_PRINT_FIELD(bin_old_vheap_block_size);
  GH_PRINT_FIELD(minor_gcs);
  GH_PRINT_FIELD(full_sweeps);
  GH_PRINT_FIELD(hibernations);
  GH_PRINT_FIELD(words_promoted);
  GH_PRINT_FIELD(words_reclaimed);
  GH_PRINT_FIELD(gen_gcs);
  GH_PRINT_FIELD(message_queue_len);
  GH_PRINT_FIELD(refc_binaries);
#undef GH_PRINT_FIELD
  printf("\n");
}

static void print_lttng_maps(void) {
  FILE *maps = fopen("/proc/self/maps", "r");
  char line[4096];
  if (maps == NULL) {
    perror("tp-workload: /proc/self/maps");
    exit(1);
  }
  while (fgets(line, sizeof line, maps) != NULL) {
    char *path = strchr(line, '/');
    if (path != NULL && strstr(path, "lttng") != NULL)
      printf("map %s", path);
  }
  fclose(maps);
}

static void start(struct workload *w) {
  gh_runtime_options opts;
  gh_runtime_options_init(&opts);
  CHECK(gh_runtime_new(&opts, &w->rt));
  w->churn = spawn(w->rt, "churn", 4);
  w->producer = spawn(w->rt, "producer", 65535);
  w->router = spawn(w->rt, "router", 20);
  w->sleeper = spawn(w->rt, "sleeper", 65535);
  CHECK(gh_push(w->churn, GH_NIL));
  CHECK(gh_push(w->sleeper, GH_NIL));
  for (int i = 0; i < ROUTER_KEEP; i++)
    CHECK(gh_push(w->router, GH_NIL));
}

/* One last collection per process, then its figures, right after it. */
static void finish(struct workload *w) {
  CHECK(gh_gc(w->churn, GH_GC_MINOR));
  print_info(w->churn);
  CHECK(gh_gc(w->producer, GH_GC_MAJOR));
  print_info(w->producer);
  CHECK(gh_gc(w->router, GH_GC_MAJOR));
  print_info(w->router);
  CHECK(gh_hibernate(w->sleeper));
  print_info(w->sleeper);
  CHECK(gh_exit(w->churn));
  CHECK(gh_exit(w->producer));
  CHECK(gh_exit(w->router));
  CHECK(gh_exit(w->sleeper));
  gh_runtime_free(w->rt);
}

static unsigned parse_rounds(const char *text) {
  char *end;
  unsigned long n = strtoul(text, &end, 10);
  if (*text == '\0' || *end != '\0' || n == 0 || n > 1000000) {
    fprintf(stderr, "tp-workload: --rounds wants 1..1000000, not '%s'\n",
            text);
    exit(2);
  }
  return (unsigned)n;
}

int main(int argc, char **argv) {
  unsigned rounds = 300;
  int show_maps = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
      rounds = parse_rounds(argv[++i]);
    else if (strcmp(argv[i], "--maps") == 0)
      show_maps = 1;
    else {
      fprintf(stderr, "usage: tp-workload [--rounds N] [--maps]\n");
      return 2;
    }
  }
  struct workload w = {0};
  start(&w);
  for (unsigned round = 0; round < rounds; round++) {
    churn_round(w.churn, round);
    binary_round(&w, round);
    if (round == rounds / 2)
      sleeper_phase(w.sleeper, 500);
  }
  sleeper_phase(w.sleeper, 300);
  finish(&w);
  printf("workload os_pid=%ld binaries=%llu resources=%llu destroyed=%llu\n",
         (long)getpid(), (unsigned long long)w.binaries,
         (unsigned long long)w.resources, (unsigned long long)destroyed);
  if (show_maps)
    print_lttng_maps();
  return 0;
}
