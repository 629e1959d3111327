/* router.c -- genheap example: the refc-binary leak of a long-lived router,
 * and its fixes (docs/memory-model.md, docs/architecture.md).
 *
 * The program: client threads send requests carrying large binaries to a
 * long-lived "router" process; the router hands each one to a short-lived
 * "worker" process (one per request, run by a pool of worker threads) and
 * keeps the request in a window of recent requests (think deduplication
 * of retries) for --window-ms.  After the burst the router idles.
 *
 * The leak: a window entry lives through two of the router's minor GCs, so
 * its handle (ProcBin) is promoted to the old heap.  When the entry leaves
 * the window the binary is dead, but only a full sweep looks at the old
 * heap again, and an idle process does not collect at all: the router
 * keeps every such binary allocated (bin_old_vheap_size > 0, binaries_alive
 * > 0) for as long as it idles.  This is BEAM's classic binary leak.
 *
 * The fixes, as options:
 *   --hibernate-after MS  the router is spawned with hibernate_after_ms; it
 *                         calls gh_wait() whenever it waits for mail, and a
 *                         timer thread calls gh_runtime_hibernate_idle():
 *                         after MS of idling it is swept and shrunk, and
 *                         every binary is released.
 *   --short-lived         the clients send each binary straight to its
 *                         worker; the router only sees the request ids.
 *                         Binaries then live only in processes that exit.
 *   --fullsweep-after N   bounds the leak while busy (a full sweep every N
 *                         minor GCs) but does not release it at idle.
 *
 * Every option is the library's default unless given (--min-bin-vheap sets
 * the router's min_bin_vheap_size): with BEAM's default (46422 words) the
 * old binary vheap overflows every few collections while the router is
 * busy, and the full sweep that follows frees what leaked until then; what
 * leaked since the last such sweep stays until the router is swept again.
 *
 * At the end of its idle time the program shuts down as a server does:
 * the router is told to stop, gh_exit()s, and the runtime is freed.  It
 * prints two lines of key=value statistics first (the router's
 * gh_proc_info and the runtime's gh_runtime_stats) on stdout.
 *
 * Terms are built as genheap's README teaches (docs/embedding.md, Rule 2):
 * gh_reserve room for what is about to be built, with the terms still needed
 * as its roots (it may collect, and updates them), then the put builders,
 * which never collect; what must outlive the next [GC] call goes in a slot.
 * The router's only state between messages is its window, in slot 0.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/example.h"

/* The host's atom numbering (gh_atom takes any index). */
enum { A_REQ = 1, A_DONE = 2 };

/* The router's stack slot. */
enum { SLOT_WINDOW = 0 };
/* --min-bin-vheap not given: the library's default. */
#define LIBRARY_DEFAULT 0

/* How long the end of the run waits for a hibernation that is late. */
#define HIBERNATE_GRACE_MS 10000
/* At most this many requests in flight per client (back-pressure). */
#define MAX_IN_FLIGHT 64

typedef struct config {
  uint64_t requests;
  uint64_t size;          /* bytes per binary */
  uint64_t clients;       /* client threads */
  uint64_t threads;       /* worker threads */
  uint64_t window;        /* requests the router keeps */
  uint64_t window_ms;     /* and for how long */
  uint64_t idle_ms;       /* idle phase after the burst */
  uint64_t tick_ms;       /* timer thread period */
  uint64_t hibernate_after_ms;
  uint64_t fullsweep_after; /* > UINT32_MAX: the library's default */
  uint64_t min_bin_vheap;   /* words */
  bool short_lived;
} config;

/* A FIFO of worker processes waiting for a worker thread.  Every request
 * makes exactly one job, so a fixed array of `requests` entries is enough. */
typedef struct job_queue {
  gh_proc **procs;
  size_t head, tail;
  bool closed;
  pthread_mutex_t lock;
  pthread_cond_t ready;
} job_queue;

typedef struct host {
  config cfg;
  gh_runtime *rt;
  gh_proc *router;
  gh_pid router_pid;
  /* The router's doorbell: senders bump `mail` after each gh_send to it
   * (the library does not wake anyone).  `lock` also guards the counters. */
  pthread_mutex_t lock;
  pthread_cond_t bell;     /* the router waits on it */
  pthread_cond_t progress; /* clients and main wait on it */
  uint64_t mail;
  uint64_t sent, completed, errors;
  bool stop_router;
  bool router_idle;        /* window empty: waiting for mail only */
  uint64_t hib_at_idle;    /* `hibernations` when router_idle was set */
  /* Hibernations done by the timer thread, under hib_lock: see timer_tick. */
  pthread_mutex_t hib_lock;
  pthread_cond_t hibernated;
  uint64_t hibernations;
  atomic_bool stop_timer;
  job_queue jobs;
} host;

/* ---- Doorbell and jobs ------------------------------------------------- */

static void ring_router(host *h) {
  pthread_mutex_lock(&h->lock);
  h->mail++;
  pthread_cond_signal(&h->bell);
  pthread_mutex_unlock(&h->lock);
}

static void jobs_push(job_queue *q, gh_proc *p) {
  pthread_mutex_lock(&q->lock);
  q->procs[q->tail++] = p;
  pthread_cond_signal(&q->ready);
  pthread_mutex_unlock(&q->lock);
}

/* The next worker process, or NULL once the queue is closed and empty.
 * Taking it from the queue hands its ownership to this thread. */
static gh_proc *jobs_pop(job_queue *q) {
  pthread_mutex_lock(&q->lock);
  while (q->head == q->tail && !q->closed)
    pthread_cond_wait(&q->ready, &q->lock);
  gh_proc *p = q->head < q->tail ? q->procs[q->head++] : NULL;
  pthread_mutex_unlock(&q->lock);
  return p;
}

static gh_proc *spawn_worker(host *h) {
  gh_spawn_options o;
  gh_spawn_options_init(&o);
  o.name = "worker";
  gh_proc *w;
  CHECK(gh_spawn(h->rt, &o, &w));
  return w;
}

/* ---- Clients ----------------------------------------------------------- */

/* Byte i of request `id`: a pattern the worker checks. */
static uint8_t pattern(uint64_t id, size_t i) { return (uint8_t)(id * 31 + i); }

static void wait_for_room(host *h) {
  pthread_mutex_lock(&h->lock);
  while (h->sent - h->completed >= MAX_IN_FLIGHT * h->cfg.clients)
    pthread_cond_wait(&h->progress, &h->lock);
  h->sent++;
  pthread_mutex_unlock(&h->lock);
}

/* One request: {req, Id, Bin} to the router, or, short-lived, to a fresh
 * worker (and {req, Id} to the router, which tracks ids only).  One
 * reservation for both tuples; gh_send never collects the sender. */
static void send_request(host *h, gh_proc *client, uint64_t id, uint8_t *buf) {
  for (size_t i = 0; i < h->cfg.size; i++)
    buf[i] = pattern(id, i);
  gh_term bin;
  CHECK(gh_binary(client, buf, h->cfg.size, &bin));
  CHECK(gh_reserve(client, 4 + 3, &bin, 1));
  gh_term elems[3] = {gh_atom(A_REQ), gh_small((int64_t)id), bin};
  gh_term msg = gh_put_tuple(client, 3, elems);
  if (!h->cfg.short_lived) {
    CHECK(gh_send(client, h->router_pid, msg));
    ring_router(h);
    return;
  }
  gh_proc *w = spawn_worker(h);
  CHECK(gh_send(client, gh_self(w), msg));
  jobs_push(&h->jobs, w);
  CHECK(gh_send(client, h->router_pid, gh_put_tuple(client, 2, elems)));
  ring_router(h);
}

typedef struct client_arg {
  host *h;
  uint64_t first; /* this client sends ids first, first + clients, ... */
} client_arg;

static void *client_main(void *arg) {
  client_arg *ca = arg;
  host *h = ca->h;
  gh_spawn_options o;
  gh_spawn_options_init(&o);
  o.name = "client";
  gh_proc *client;
  CHECK(gh_spawn(h->rt, &o, &client));
  uint8_t *buf = malloc(h->cfg.size);
  if (!buf)
    example_fail(example_progname, "malloc", GH_ERR_NOMEM);
  for (uint64_t id = ca->first; id < h->cfg.requests; id += h->cfg.clients) {
    wait_for_room(h);
    send_request(h, client, id, buf);
  }
  free(buf);
  CHECK(gh_exit(client)); /* the client disconnects */
  return NULL;
}

/* ---- Workers ----------------------------------------------------------- */

/* Checks the binary of {req, Id, Bin}, replies {done, Id, Ok} to the
 * router, and ends the process: its reference to the binary goes with it. */
static void run_worker(host *h, gh_proc *w) {
  gh_term msg;
  CHECK(gh_receive(w, &msg));
  uint64_t id = (uint64_t)gh_small_value(gh_tuple_element(msg, 1));
  const uint8_t *bytes;
  size_t n;
  CHECK(gh_binary_data(gh_tuple_element(msg, 2), &bytes, &n));
  bool ok = n == h->cfg.size;
  for (size_t i = 0; ok && i < n; i += 4093)
    ok = bytes[i] == pattern(id, i);
  ok = ok && (n == 0 || bytes[n - 1] == pattern(id, n - 1));
  gh_term elems[3] = {gh_atom(A_DONE), gh_small((int64_t)id), gh_small(ok)};
  CHECK(gh_reserve(w, 4, NULL, 0));
  CHECK(gh_send(w, h->router_pid, gh_put_tuple(w, 3, elems)));
  ring_router(h);
  CHECK(gh_exit(w));
}

static void *worker_main(void *arg) {
  host *h = arg;
  gh_proc *w;
  while ((w = jobs_pop(&h->jobs)) != NULL)
    run_worker(h, w);
  return NULL;
}

/* ---- The router -------------------------------------------------------- */

static gh_term slot(gh_proc *p, size_t i) {
  gh_term t;
  CHECK(gh_slot_get(p, i, &t));
  return t;
}

/* Rebuilds the window: the newest cfg.window entries {Time, Msg}, without
 * the expired ones when drop_expired.  The entries kept are the
 * reservation's roots. */
static void rebuild_window(host *h, uint64_t now, bool drop_expired) {
  gh_proc *r = h->router;
  size_t cap = (size_t)h->cfg.window, k = 0;
  gh_term kept[cap + 1];
  for (gh_term t = slot(r, SLOT_WINDOW); t != GH_NIL && k < cap; t = gh_cdr(t)) {
    gh_term entry = gh_car(t);
    uint64_t at = (uint64_t)gh_small_value(gh_tuple_element(entry, 0));
    if (!drop_expired || now - at < h->cfg.window_ms)
      kept[k++] = entry;
  }
  CHECK(gh_reserve(r, 2 * k, kept, k));
  CHECK(gh_slot_set(r, SLOT_WINDOW, gh_put_list(r, k, kept)));
}

static size_t window_length(gh_proc *r) {
  size_t n = 0;
  for (gh_term t = slot(r, SLOT_WINDOW); t != GH_NIL; t = gh_cdr(t))
    n++;
  return n;
}

/* When the oldest entry expires (0: the window is empty). */
static uint64_t window_deadline(host *h) {
  gh_term last = GH_NIL;
  for (gh_term t = slot(h->router, SLOT_WINDOW); t != GH_NIL; t = gh_cdr(t))
    last = gh_car(t);
  if (last == GH_NIL)
    return 0;
  return (uint64_t)gh_small_value(gh_tuple_element(last, 0)) + h->cfg.window_ms;
}

/* {req, Id, Bin}: forward to a new worker, remember in the window.
 * {req, Id} (short-lived mode): remember only.  The window gets the entry
 * {Now, Msg} in front: msg and the window are the reservation's roots. */
static void on_request(host *h, gh_term msg, uint64_t now) {
  gh_proc *r = h->router;
  if (gh_tuple_arity(msg) == 3) {
    gh_proc *w = spawn_worker(h);
    CHECK(gh_send(r, gh_self(w), msg));
    jobs_push(&h->jobs, w);
  }
  gh_term live[2] = {msg, slot(r, SLOT_WINDOW)};
  CHECK(gh_reserve(r, 3 + 2, live, 2));
  gh_term elems[2] = {gh_small((int64_t)now), live[0]};
  gh_term entry = gh_put_tuple(r, 2, elems);
  CHECK(gh_slot_set(r, SLOT_WINDOW, gh_put_cons(r, entry, live[1])));
  if (window_length(r) > h->cfg.window)
    rebuild_window(h, now, false);
}

static void on_done(host *h, gh_term msg) {
  bool ok = gh_small_value(gh_tuple_element(msg, 2)) != 0;
  pthread_mutex_lock(&h->lock);
  h->completed++;
  h->errors += !ok;
  pthread_cond_broadcast(&h->progress);
  pthread_mutex_unlock(&h->lock);
}

static void drain_mailbox(host *h) {
  gh_proc *r = h->router;
  gh_term msg;
  while (gh_receive(r, &msg) == GH_OK) {
    if (gh_atom_index(gh_tuple_element(msg, 0)) == A_REQ)
      on_request(h, msg, example_now_ms());
    else
      on_done(h, msg);
  }
}

/* Waits until mail arrives, `deadline` passes (0: none) or the router is
 * told to stop.  The process is handed to gh_wait for the whole wait: the
 * timer thread may hibernate it meanwhile, so it is not touched until
 * gh_resume has returned. */
static void wait_for_mail(host *h, uint64_t seen, uint64_t deadline) {
  struct timespec until = {(time_t)(deadline / 1000),
                           (long)(deadline % 1000) * 1000000L};
  CHECK(gh_wait(h->router));
  pthread_mutex_lock(&h->lock);
  while (h->mail == seen && !h->stop_router) {
    if (deadline == 0)
      pthread_cond_wait(&h->bell, &h->lock);
    else if (pthread_cond_timedwait(&h->bell, &h->lock, &until) != 0)
      break; /* the oldest window entry has expired */
  }
  pthread_mutex_unlock(&h->lock);
  CHECK(gh_resume(h->router));
}

/* Tells main whether the router now only waits for mail (burst over,
 * window empty), and how many hibernations had happened before: one more
 * means it was swept while idle. */
static void note_idle(host *h, bool window_empty) {
  pthread_mutex_lock(&h->hib_lock);
  uint64_t hibernations = h->hibernations;
  pthread_mutex_unlock(&h->hib_lock);
  pthread_mutex_lock(&h->lock);
  bool idle = window_empty && h->completed == h->cfg.requests;
  if (idle && !h->router_idle)
    h->hib_at_idle = hibernations;
  h->router_idle = idle;
  pthread_cond_broadcast(&h->progress);
  pthread_mutex_unlock(&h->lock);
}

static void *router_main(void *arg) {
  host *h = arg;
  for (;;) {
    pthread_mutex_lock(&h->lock);
    uint64_t seen = h->mail;
    bool stop = h->stop_router;
    pthread_mutex_unlock(&h->lock);
    drain_mailbox(h);
    uint64_t now = example_now_ms(), deadline = window_deadline(h);
    if (deadline && now >= deadline) {
      rebuild_window(h, now, true);
      deadline = window_deadline(h);
    }
    if (stop)
      return NULL;
    note_idle(h, deadline == 0);
    wait_for_mail(h, seen, deadline);
  }
}

/* ---- Timer thread: hibernation ----------------------------------------- */

/* The hibernation count is updated under hib_lock in the same critical
 * section as the call, so a router that has resumed and then reads the
 * count sees every hibernation that finished before its resume. */
static void hibernate_tick(host *h) {
  size_t n = 0;
  pthread_mutex_lock(&h->hib_lock);
  CHECK(gh_runtime_hibernate_idle(h->rt, &n));
  h->hibernations += n;
  if (n)
    pthread_cond_broadcast(&h->hibernated);
  pthread_mutex_unlock(&h->hib_lock);
}

static void *timer_main(void *arg) {
  host *h = arg;
  while (!atomic_load(&h->stop_timer)) {
    example_sleep_ms(h->cfg.tick_ms);
    hibernate_tick(h);
  }
  return NULL;
}

/* ---- Main -------------------------------------------------------------- */

static void usage(FILE *out) {
  fprintf(out,
"Usage: router [OPTION]...\n"
"A long-lived router forwards large binaries to short-lived workers, keeps\n"
"recent requests for a while, then idles: the refc-binary leak of BEAM.\n"
"Prints the router's and the runtime's statistics as key=value lines.\n"
"\n"
"Fixes:\n"
"      --hibernate-after MS  hibernate the router after MS ms of idling\n"
"      --short-lived         send binaries straight to per-request workers\n"
"      --fullsweep-after N   full sweep every N minor GCs (bounds, not a fix)\n"
"Load and duration:\n"
"      --requests N          requests in the burst (default 2000)\n"
"      --size BYTES          bytes per binary (default 32768)\n"
"      --clients N           client threads (default 2)\n"
"      --threads N           worker threads (default 2)\n"
"      --window N            recent requests the router keeps (default 64)\n"
"      --window-ms MS        and for how long (default 50)\n"
"      --idle-ms MS          idle time after the burst (default 1500), and\n"
"                            until the window expired and, with\n"
"                            --hibernate-after, the router hibernated\n"
"      --tick-ms MS          timer thread period (default 10)\n"
"      --min-bin-vheap WORDS the router's min_bin_vheap_size (default: the\n"
"                            library's, 46422)\n"
"  -h, --help                print this help\n"
"  -V, --version             print the version\n"
"\n"
"Output: 'stats router key=value...' and 'stats runtime key=value...'.\n"
"Exit status: 0 ok, 1 a library call or a worker check failed, 2 usage.\n");
}

enum { O_HIB = 256, O_SHORT, O_FULLSWEEP, O_REQ, O_SIZE, O_CLIENTS, O_THREADS,
       O_WINDOW, O_WINDOW_MS, O_IDLE, O_TICK, O_VHEAP };

static const struct option long_options[] = {
    {"hibernate-after", required_argument, NULL, O_HIB},
    {"short-lived", no_argument, NULL, O_SHORT},
    {"fullsweep-after", required_argument, NULL, O_FULLSWEEP},
    {"requests", required_argument, NULL, O_REQ},
    {"size", required_argument, NULL, O_SIZE},
    {"clients", required_argument, NULL, O_CLIENTS},
    {"threads", required_argument, NULL, O_THREADS},
    {"window", required_argument, NULL, O_WINDOW},
    {"window-ms", required_argument, NULL, O_WINDOW_MS},
    {"idle-ms", required_argument, NULL, O_IDLE},
    {"tick-ms", required_argument, NULL, O_TICK},
    {"min-bin-vheap", required_argument, NULL, O_VHEAP},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}};

static void set_option(config *c, int opt, const char *arg) {
  const char *name = NULL;
  for (const struct option *o = long_options; o->name; o++)
    if (o->val == opt)
      name = o->name;
  switch (opt) {
  case O_HIB: c->hibernate_after_ms = example_number(name, arg, 1, 86400000); break;
  case O_FULLSWEEP: c->fullsweep_after = example_number(name, arg, 0, 65535); break;
  case O_REQ: c->requests = example_number(name, arg, 1, 10000000); break;
  case O_SIZE: c->size = example_number(name, arg, 65, 64 << 20); break;
  case O_CLIENTS: c->clients = example_number(name, arg, 1, 64); break;
  case O_THREADS: c->threads = example_number(name, arg, 1, 64); break;
  case O_WINDOW: c->window = example_number(name, arg, 1, 4096); break;
  case O_WINDOW_MS: c->window_ms = example_number(name, arg, 1, 3600000); break;
  case O_IDLE: c->idle_ms = example_number(name, arg, 0, 3600000); break;
  case O_VHEAP: c->min_bin_vheap = example_number(name, arg, 1, UINT64_C(1) << 32); break;
  case O_TICK: c->tick_ms = example_number(name, arg, 1, 10000); break;
  }
}

static void parse_args(int argc, char **argv, config *c) {
  *c = (config){.requests = 2000, .size = 32768, .clients = 2, .threads = 2,
                .window = 64, .window_ms = 50, .idle_ms = 1500, .tick_ms = 10,
                .fullsweep_after = UINT64_MAX, .min_bin_vheap = LIBRARY_DEFAULT};
  opterr = 0;
  int opt;
  while ((opt = getopt_long(argc, argv, "hV", long_options, NULL)) != -1) {
    switch (opt) {
    case 'h': usage(stdout); exit(EX_OK);
    case 'V': printf("router (genheap) %s\n", gh_version()); exit(EX_OK);
    case O_SHORT: c->short_lived = true; break;
    case '?': example_usage_error(argv[optind - 1]); break;
    default: set_option(c, opt, optarg);
    }
  }
  if (optind < argc) {
    fprintf(stderr, "router: unexpected argument '%s' (try --help)\n", argv[optind]);
    exit(EX_USAGE);
  }
}

static void host_init(host *h) {
  pthread_mutex_init(&h->lock, NULL);
  pthread_condattr_t monotonic; /* the window deadlines use CLOCK_MONOTONIC */
  pthread_condattr_init(&monotonic);
  pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
  pthread_cond_init(&h->bell, &monotonic);
  pthread_condattr_destroy(&monotonic);
  pthread_cond_init(&h->progress, NULL);
  pthread_mutex_init(&h->hib_lock, NULL);
  pthread_cond_init(&h->hibernated, NULL);
  pthread_mutex_init(&h->jobs.lock, NULL);
  pthread_cond_init(&h->jobs.ready, NULL);
  h->jobs.procs = calloc(h->cfg.requests, sizeof *h->jobs.procs);
  if (!h->jobs.procs)
    example_fail(example_progname, "calloc", GH_ERR_NOMEM);
  CHECK(gh_runtime_new(NULL, &h->rt));
  gh_spawn_options o;
  gh_spawn_options_init(&o);
  o.name = "router";
  o.hibernate_after_ms = h->cfg.hibernate_after_ms;
  if (h->cfg.min_bin_vheap != LIBRARY_DEFAULT)
    o.min_bin_vheap_size = (size_t)h->cfg.min_bin_vheap;
  if (h->cfg.fullsweep_after <= UINT32_MAX)
    o.fullsweep_after = (uint32_t)h->cfg.fullsweep_after;
  CHECK(gh_spawn(h->rt, &o, &h->router));
  h->router_pid = gh_self(h->router);
  CHECK(gh_push(h->router, GH_NIL)); /* SLOT_WINDOW */
}

/* The idle phase: at least idle_ms, and until the router is idle (burst
 * over, window expired); with hibernate_after, also until it has
 * hibernated since (each wait bounded by a generous grace period). */
static void idle_phase(host *h) {
  example_sleep_ms(h->cfg.idle_ms);
  uint64_t give_up = example_now_ms() + h->cfg.window_ms +
                     h->cfg.hibernate_after_ms + HIBERNATE_GRACE_MS;
  for (;;) {
    pthread_mutex_lock(&h->lock);
    bool idle = h->router_idle;
    uint64_t before = h->hib_at_idle;
    pthread_mutex_unlock(&h->lock);
    pthread_mutex_lock(&h->hib_lock);
    bool done = idle && (!h->cfg.hibernate_after_ms || h->hibernations > before);
    pthread_mutex_unlock(&h->hib_lock);
    if (done || example_now_ms() > give_up)
      return;
    example_sleep_ms(h->cfg.tick_ms);
  }
}

static void print_stats(host *h) {
  gh_gc_info i;
  CHECK(gh_proc_info(h->router, &i));
  gh_runtime_stats s;
  gh_runtime_stats_get(h->rt, &s);
  printf("stats router vpid=%ld pid=%llu name=%s mode=%s requests=%llu "
         "errors=%llu refc_binaries=%llu bin_vheap_size=%zu "
         "bin_old_vheap_size=%zu heap_block_size=%zu old_heap_block_size=%zu "
         "old_heap_size=%zu total_heap_size=%zu minor_gcs=%llu full_sweeps=%llu "
         "hibernations=%llu\n",
         (long)getpid(), (unsigned long long)h->router_pid, gh_name(h->router),
         h->cfg.short_lived ? "short-lived" : "middleman",
         (unsigned long long)h->completed, (unsigned long long)h->errors,
         (unsigned long long)i.refc_binaries, i.bin_vheap_size,
         i.bin_old_vheap_size, i.heap_block_size, i.old_heap_block_size,
         i.old_heap_size, gh_total_heap_size(h->router),
         (unsigned long long)i.minor_gcs, (unsigned long long)i.full_sweeps,
         (unsigned long long)i.hibernations);
  printf("stats runtime processes_alive=%llu processes_spawned=%llu "
         "binaries_alive=%llu binary_bytes=%llu heap_words=%llu "
         "bytes_allocated=%llu\n",
         (unsigned long long)s.processes_alive,
         (unsigned long long)s.processes_spawned,
         (unsigned long long)s.binaries_alive,
         (unsigned long long)s.binary_bytes, (unsigned long long)s.heap_words,
         (unsigned long long)s.bytes_allocated);
  fflush(stdout);
}

static void wait_for_burst(host *h) {
  pthread_mutex_lock(&h->lock);
  while (h->completed < h->cfg.requests)
    pthread_cond_wait(&h->progress, &h->lock);
  pthread_mutex_unlock(&h->lock);
}

int main(int argc, char **argv) {
  example_progname = "router";
  static host h;
  parse_args(argc, argv, &h.cfg);
  host_init(&h);
  pthread_t timer, router, workers[64], clients[64];
  client_arg cargs[64];
  pthread_create(&timer, NULL, timer_main, &h);
  pthread_create(&router, NULL, router_main, &h);
  for (uint64_t i = 0; i < h.cfg.threads; i++)
    pthread_create(&workers[i], NULL, worker_main, &h);
  for (uint64_t i = 0; i < h.cfg.clients; i++) {
    cargs[i] = (client_arg){&h, i};
    pthread_create(&clients[i], NULL, client_main, &cargs[i]);
  }
  for (uint64_t i = 0; i < h.cfg.clients; i++)
    pthread_join(clients[i], NULL);
  wait_for_burst(&h);
  idle_phase(&h);

  pthread_mutex_lock(&h.lock);
  h.stop_router = true;
  pthread_cond_signal(&h.bell);
  pthread_mutex_unlock(&h.lock);
  pthread_join(router, NULL); /* main owns the router from here */
  pthread_mutex_lock(&h.jobs.lock);
  h.jobs.closed = true;
  pthread_cond_broadcast(&h.jobs.ready);
  pthread_mutex_unlock(&h.jobs.lock);
  for (uint64_t i = 0; i < h.cfg.threads; i++)
    pthread_join(workers[i], NULL);
  atomic_store(&h.stop_timer, true);
  pthread_join(timer, NULL);

  print_stats(&h);
  CHECK(gh_exit(h.router)); /* a server's orderly shutdown */
  gh_runtime_free(h.rt);
  free(h.jobs.procs);
  return h.errors ? EX_FAILED : EX_OK;
}
