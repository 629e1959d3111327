/* burst.c -- genheap example: a process that allocates heavily at start-up,
 * then waits for rare messages, keeping its big heap (docs/memory-model.md).
 *
 * At start-up the "burst" process builds --rounds lists of --length
 * elements (think: loading a configuration, warming a cache), each one
 * kept while it is built -- so it lives through collections and is promoted
 * -- and then dropped; only a small summary survives.  Afterwards it waits
 * for a message every --interval-ms, sent by a "ticker" process on another
 * thread, and handles each with a few words of work.
 *
 * Its young and old heaps stay as large as the burst made them: a minor GC
 * never looks at the old heap, the few words per message rarely trigger a
 * GC, and nothing triggers a full sweep.  With --hibernate-after MS the
 * process is spawned with hibernate_after_ms, calls gh_wait() whenever it
 * waits, and a timer thread calls gh_runtime_hibernate_idle(): after MS of
 * waiting it is swept and its heap shrinks to its live data.
 *
 * Output: "stats startup ..." (right after the burst), "stats end ..." (after
 * the last message and the idle time) and "stats runtime ...", key=value.
 *
 * Terms are built as genheap's README teaches (docs/embedding.md, Rule 2):
 * gh_reserve, with the terms still needed as its roots, then put builders,
 * which never collect.  The summary lives in slot 0 between messages.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../common/example.h"

enum { A_TICK = 1 };
enum { SLOT_SUMMARY = 0 };
#define HIBERNATE_GRACE_MS 10000

typedef struct config {
  uint64_t rounds, length, messages, interval_ms, idle_ms, tick_ms;
  uint64_t hibernate_after_ms;
} config;

typedef struct host {
  config cfg;
  gh_runtime *rt;
  gh_pid burst_pid;
  pthread_mutex_t lock; /* the doorbell; also guards hibernations */
  pthread_cond_t bell;
  uint64_t mail, hibernations;
  atomic_bool stop_timer;
} host;

static gh_term slot(gh_proc *p, size_t i) {
  gh_term t;
  CHECK(gh_slot_get(p, i, &t));
  return t;
}

/* ---- Start-up: the burst ------------------------------------------------ */

static int64_t sum_list(gh_term list) {
  int64_t sum = 0;
  for (gh_term t = list; t != GH_NIL; t = gh_cdr(t))
    sum += gh_small_value(gh_car(t));
  return sum;
}

/* One round of the burst: conses `length` small integers onto a list, sums
 * it and drops it.  One reservation per cell, with the list as its root:
 * what BEAM's compiled loop does (test_heap 2, then put_list), so the
 * collections come where an Erlang process's would -- the list lives
 * through them and is promoted -- and the heap ends the size BEAM's does
 * (docs/memory-model.md, the seed scenario).  The reservation's test is
 * inline: it costs a call only when it collects. */
static int64_t build_and_sum(gh_proc *p, uint64_t length) {
  gh_term list = GH_NIL;
  for (uint64_t i = 0; i < length; i++) {
    CHECK(gh_reserve(p, 2, &list, 1)); /* list: updated if it moved */
    list = gh_put_cons(p, gh_small((int64_t)i), list);
  }
  return sum_list(list); /* then dropped: garbage */
}

/* The summary {Rounds, Checksum, MessagesHandled}: 4 live words. */
static void set_summary(gh_proc *p, int64_t rounds, int64_t sum, int64_t handled) {
  gh_term elems[3] = {gh_small(rounds), gh_small(sum), gh_small(handled)};
  CHECK(gh_reserve(p, 4, NULL, 0));
  CHECK(gh_slot_set(p, SLOT_SUMMARY, gh_put_tuple(p, 3, elems)));
}

static void start_up(host *h, gh_proc *p) {
  CHECK(gh_push(p, GH_NIL)); /* SLOT_SUMMARY */
  int64_t sum = 0;
  for (uint64_t r = 0; r < h->cfg.rounds; r++)
    sum = (sum + build_and_sum(p, h->cfg.length)) % GH_SMALL_MAX;
  set_summary(p, (int64_t)h->cfg.rounds, sum, 0); /* only the summary left */
}

/* ---- Rare messages ----------------------------------------------------- */

/* Waits for the doorbell to pass `seen`; the process is handed to gh_wait
 * meanwhile, so the timer thread may hibernate it. */
static void wait_for_mail(host *h, gh_proc *p, uint64_t seen) {
  CHECK(gh_wait(p));
  pthread_mutex_lock(&h->lock);
  while (h->mail == seen)
    pthread_cond_wait(&h->bell, &h->lock);
  pthread_mutex_unlock(&h->lock);
  CHECK(gh_resume(p));
}

static void handle_messages(host *h, gh_proc *p) {
  uint64_t handled = 0;
  while (handled < h->cfg.messages) {
    pthread_mutex_lock(&h->lock);
    uint64_t seen = h->mail;
    pthread_mutex_unlock(&h->lock);
    gh_term msg;
    while (gh_receive(p, &msg) == GH_OK) {
      gh_term s = slot(p, SLOT_SUMMARY);
      handled++;
      set_summary(p, gh_small_value(gh_tuple_element(s, 0)),
                  gh_small_value(gh_tuple_element(s, 1)), (int64_t)handled);
    }
    if (handled < h->cfg.messages)
      wait_for_mail(h, p, seen);
  }
}

/* After the last message: idle_ms, and with hibernate_after also until
 * one more hibernation (or a grace period).  The timer thread counts
 * hibernations under h->lock, in the same critical section as the call. */
static void idle(host *h, gh_proc *p) {
  pthread_mutex_lock(&h->lock);
  uint64_t before = h->hibernations;
  pthread_mutex_unlock(&h->lock);
  CHECK(gh_wait(p));
  example_sleep_ms(h->cfg.idle_ms);
  uint64_t give_up = example_now_ms() + h->cfg.hibernate_after_ms + HIBERNATE_GRACE_MS;
  for (bool done = !h->cfg.hibernate_after_ms; !done;) {
    pthread_mutex_lock(&h->lock);
    done = h->hibernations > before || example_now_ms() > give_up;
    pthread_mutex_unlock(&h->lock);
    if (!done)
      example_sleep_ms(h->cfg.tick_ms);
  }
  CHECK(gh_resume(p));
}

/* ---- Other threads ----------------------------------------------------- */

static void *ticker_main(void *arg) {
  host *h = arg;
  gh_spawn_options o;
  gh_spawn_options_init(&o);
  o.name = "ticker";
  gh_proc *t;
  CHECK(gh_spawn(h->rt, &o, &t));
  for (uint64_t i = 0; i < h->cfg.messages; i++) {
    example_sleep_ms(h->cfg.interval_ms);
    gh_term elems[2] = {gh_atom(A_TICK), gh_small((int64_t)i)};
    CHECK(gh_reserve(t, 3, NULL, 0));
    CHECK(gh_send(t, h->burst_pid, gh_put_tuple(t, 2, elems)));
    pthread_mutex_lock(&h->lock);
    h->mail++;
    pthread_cond_signal(&h->bell);
    pthread_mutex_unlock(&h->lock);
  }
  CHECK(gh_exit(t));
  return NULL;
}

static void *timer_main(void *arg) {
  host *h = arg;
  while (!atomic_load(&h->stop_timer)) {
    example_sleep_ms(h->cfg.tick_ms);
    size_t n;
    pthread_mutex_lock(&h->lock);
    CHECK(gh_runtime_hibernate_idle(h->rt, &n));
    h->hibernations += n;
    pthread_mutex_unlock(&h->lock);
  }
  return NULL;
}

/* ---- Main -------------------------------------------------------------- */

static void print_stats(const char *when, gh_proc *p) {
  gh_gc_info i;
  CHECK(gh_proc_info(p, &i));
  printf("stats %s vpid=%ld pid=%llu name=%s heap_block_size=%zu "
         "old_heap_block_size=%zu heap_size=%zu old_heap_size=%zu "
         "total_heap_size=%zu minor_gcs=%llu full_sweeps=%llu "
         "hibernations=%llu words_promoted=%llu\n",
         when, (long)getpid(), (unsigned long long)gh_self(p), gh_name(p),
         i.heap_block_size, i.old_heap_block_size, i.heap_size,
         i.old_heap_size, gh_total_heap_size(p),
         (unsigned long long)i.minor_gcs, (unsigned long long)i.full_sweeps,
         (unsigned long long)i.hibernations,
         (unsigned long long)i.words_promoted);
}

static void usage(FILE *out) {
  fprintf(out,
"Usage: burst [OPTION]...\n"
"A process allocates heavily at start-up, then waits for rare messages,\n"
"keeping its big young and old heaps until it hibernates.\n"
"\n"
"      --hibernate-after MS  hibernate after MS ms of waiting (the fix)\n"
"      --rounds N            lists built at start-up (default 20)\n"
"      --length N            elements per list (default 20000)\n"
"      --messages N          rare messages after start-up (default 3)\n"
"      --interval-ms MS      between messages (default 200)\n"
"      --idle-ms MS          idle time after the last one (default 300);\n"
"                            with --hibernate-after, also until it hibernated\n"
"      --tick-ms MS          timer thread period (default 10)\n"
"  -h, --help                print this help\n"
"  -V, --version             print the version\n"
"\n"
"Output: 'stats startup|end key=value...' and 'stats runtime key=value...'.\n"
"Exit status: 0 ok, 1 a library call failed, 2 usage error.\n");
}

static const struct option long_options[] = {
    {"hibernate-after", required_argument, NULL, 'H'},
    {"rounds", required_argument, NULL, 'r'},
    {"length", required_argument, NULL, 'l'},
    {"messages", required_argument, NULL, 'm'},
    {"interval-ms", required_argument, NULL, 'i'},
    {"idle-ms", required_argument, NULL, 'd'},
    {"tick-ms", required_argument, NULL, 't'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}};

static void parse_args(int argc, char **argv, config *c) {
  *c = (config){.rounds = 20, .length = 20000, .messages = 3,
                .interval_ms = 200, .idle_ms = 300, .tick_ms = 10};
  opterr = 0;
  int opt;
  while ((opt = getopt_long(argc, argv, "hV", long_options, NULL)) != -1) {
    switch (opt) {
    case 'h': usage(stdout); exit(EX_OK);
    case 'V': printf("burst (genheap) %s\n", gh_version()); exit(EX_OK);
    case 'H': c->hibernate_after_ms = example_number("--hibernate-after", optarg, 1, 86400000); break;
    case 'r': c->rounds = example_number("--rounds", optarg, 1, 100000); break;
    case 'l': c->length = example_number("--length", optarg, 1, 10000000); break;
    case 'm': c->messages = example_number("--messages", optarg, 0, 1000000); break;
    case 'i': c->interval_ms = example_number("--interval-ms", optarg, 0, 3600000); break;
    case 'd': c->idle_ms = example_number("--idle-ms", optarg, 0, 3600000); break;
    case 't': c->tick_ms = example_number("--tick-ms", optarg, 1, 10000); break;
    default: example_usage_error(argv[optind - 1]);
    }
  }
  if (optind < argc) {
    fprintf(stderr, "burst: unexpected argument '%s' (try --help)\n", argv[optind]);
    exit(EX_USAGE);
  }
}

int main(int argc, char **argv) {
  example_progname = "burst";
  static host h;
  parse_args(argc, argv, &h.cfg);
  pthread_mutex_init(&h.lock, NULL);
  pthread_cond_init(&h.bell, NULL);
  CHECK(gh_runtime_new(NULL, &h.rt));
  gh_spawn_options o;
  gh_spawn_options_init(&o);
  o.name = "burst";
  o.hibernate_after_ms = h.cfg.hibernate_after_ms;
  gh_proc *p; /* owned by the main thread */
  CHECK(gh_spawn(h.rt, &o, &p));
  h.burst_pid = gh_self(p);

  pthread_t timer, ticker;
  pthread_create(&timer, NULL, timer_main, &h);
  start_up(&h, p);
  print_stats("startup", p);
  pthread_create(&ticker, NULL, ticker_main, &h);
  handle_messages(&h, p);
  pthread_join(ticker, NULL);
  idle(&h, p);
  atomic_store(&h.stop_timer, true);
  pthread_join(timer, NULL);

  print_stats("end", p);
  gh_runtime_stats s;
  gh_runtime_stats_get(h.rt, &s);
  printf("stats runtime processes_alive=%llu heap_words=%llu bytes_allocated=%llu\n",
         (unsigned long long)s.processes_alive, (unsigned long long)s.heap_words,
         (unsigned long long)s.bytes_allocated);
  fflush(stdout);
  CHECK(gh_exit(p));
  gh_runtime_free(h.rt);
  return EX_OK;
}
