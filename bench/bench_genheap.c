/* bench_genheap.c -- the benchmark workloads on genheap, and the GC pause
 * series.
 *
 * Workloads lists, tuples, growing and messages do the same logical work as
 * bench_peer.c (same checksum) through the public API, in the idiom the
 * README teaches: gh_reserve room for what is about to be built (one [GC]
 * call, the terms still needed passed as its roots), build with the put
 * builders, which never collect, and keep in a slot what must outlive the
 * next [GC] call.  Nothing is freed by hand: dropping a term is forgetting
 * it.  Variants, for comparison: "<workload>-slots" keeps every term in a
 * stack slot across checked [GC] calls (three calls per cell: the idiom the
 * README taught before reservations), "lists-args" passes the list back as
 * gh_cons's own argument (one checked call per cell).
 *
 * Workload pause measures what a copying collector's cost should track: the
 * live data.  Series A times a full sweep (gh_gc GH_GC_MAJOR) for live sets
 * from 1 KB to 100 MB and compares it with memcpy of the same bytes on this
 * machine, the physical floor of a copy.  Series B keeps the live set fixed
 * and puts 0, 1 and 10 times as much garbage beside it: the pause should not
 * move.
 *
 * Workload census measures gh_census against a full sweep of the same heap:
 * a live list and as much garbage, both promoted to the old heap (the heap
 * of an idle process that the census is for), from 1 MB to 100 MB live.
 *
 * Usage: bench-genheap lists[-slots|-args]|tuples[-slots]|growing[-slots]|
 *                      messages|pause|census [scale]
 */
#include "bench_common.h"

#include <genheap.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <stdbool.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Every genheap call in this file goes through CHECK: a failure is a bug in
 * the library or the bench, and numbers measured past it would be wrong. */
#define CHECK(call) check_status((call), #call, __LINE__)

static void check_status(gh_status st, const char *what, int line) {
  if (st != GH_OK) {
    fprintf(stderr, "bench-genheap:%d: %s: %s\n", line, what,
            gh_strerror(st));
    exit(1);
  }
}

/* A runtime in the measured mode: never the tests' collect-at-every-
 * allocation mode, even if the environment asks for it. */
static gh_runtime *runtime_new(void) {
  unsetenv("GENHEAP_GC_STRESS");
  unsetenv("GENHEAP_VERIFY");
  gh_runtime_options o;
  gh_runtime_options_init(&o);
  o.gc_stress = false;
  o.verify = false;
  gh_runtime *rt;
  CHECK(gh_runtime_new(&o, &rt));
  if (gh_runtime_gc_stress(rt)) {
    fprintf(stderr, "bench-genheap: GC stress mode is on; refusing to time\n");
    exit(1);
  }
  return rt;
}

static gh_proc *spawn(gh_runtime *rt, size_t min_heap_words) {
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  if (min_heap_words != 0)
    so.min_heap_size = min_heap_words;
  gh_proc *p;
  CHECK(gh_spawn(rt, &so, &p));
  return p;
}

/* Pushes GH_NIL and returns the new slot's number. */
static size_t new_slot(gh_proc *p) {
  CHECK(gh_push(p, GH_NIL));
  return gh_depth(p) - 1;
}

static gh_term slot(gh_proc *p, size_t s) {
  gh_term t;
  CHECK(gh_slot_get(p, s, &t));
  return t;
}

/* slot s := [head | slot s] */
static void cons_onto(gh_proc *p, size_t s, gh_term head) {
  gh_term cell;
  CHECK(gh_cons(p, head, slot(p, s), &cell));
  CHECK(gh_slot_set(p, s, cell));
}

/* slot s := [n-1, ..., 1, 0], built from the tail. */
static void build_int_list(gh_proc *p, size_t s, long n) {
  CHECK(gh_slot_set(p, s, GH_NIL));
  for (long i = 0; i < n; i++)
    cons_onto(p, s, gh_small(i));
}

/* No allocation while walking: raw terms stay valid. */
static uint64_t sum_int_list(gh_term list) {
  uint64_t sum = 0;
  for (; list != GH_NIL; list = gh_cdr(list))
    sum += (uint64_t)gh_small_value(gh_car(list));
  return sum;
}

/* The RESULT line, with the process's GC counters appended for the table. */
static void print_result_with_gc(uint64_t ns, uint64_t ops, uint64_t check,
                                 gh_proc *p) {
  gh_gc_info info;
  CHECK(gh_proc_info(p, &info));
  printf("RESULT ns=%" PRIu64 " ops=%" PRIu64 " check=%" PRIu64
         " minor_gcs=%" PRIu64 " full_sweeps=%" PRIu64
         " words_promoted=%" PRIu64 "\n",
         ns, ops, check, info.minor_gcs, info.full_sweeps,
         info.words_promoted);
}

/* [n-1, ..., 1, 0] consed in a reservation: 2 words a cell, plain stores. */
static gh_term put_int_list(gh_proc *p, long n) {
  gh_term list = GH_NIL;
  for (long i = 0; i < n; i++)
    list = gh_put_cons(p, gh_small(i), list);
  return list;
}

/* ---- Workload 1: short-lived lists -------------------------------------- */
static void run_lists(double scale) {
  long lists = bench_scaled(W1_LISTS, scale);
  gh_runtime *rt = runtime_new();
  uint64_t t0 = bench_now_ns();
  gh_proc *p = spawn(rt, 0);
  size_t s = new_slot(p);
  uint64_t sum = 0;
  for (long l = 0; l < lists; l++) {
    CHECK(gh_reserve(p, 2 * W1_CELLS, NULL, 0)); /* one heap test a list */
    CHECK(gh_slot_set(p, s, put_int_list(p, W1_CELLS)));
    sum += sum_int_list(slot(p, s));
    CHECK(gh_slot_set(p, s, GH_NIL));
  }
  uint64_t ns = bench_now_ns() - t0;
  print_result_with_gc(ns, (uint64_t)(lists * W1_CELLS), sum, p);
  CHECK(gh_exit(p));
  gh_runtime_free(rt);
}

/* Workload 1 in the slot idiom: the list under construction in a slot,
 * re-read and rewritten around every checked gh_cons. */
static void run_lists_slots(double scale) {
  long lists = bench_scaled(W1_LISTS, scale);
  gh_runtime *rt = runtime_new();
  uint64_t t0 = bench_now_ns();
  gh_proc *p = spawn(rt, 0);
  size_t s = new_slot(p);
  uint64_t sum = 0;
  for (long l = 0; l < lists; l++) {
    build_int_list(p, s, W1_CELLS);
    sum += sum_int_list(slot(p, s));
    CHECK(gh_slot_set(p, s, GH_NIL));
  }
  uint64_t ns = bench_now_ns() - t0;
  print_result_with_gc(ns, (uint64_t)(lists * W1_CELLS), sum, p);
  CHECK(gh_exit(p));
  gh_runtime_free(rt);
}

/* Workload 1, second idiom: the list under construction is passed back as
 * gh_cons's own argument (term arguments of a [GC] call are safe and its
 * result is fresh), so no slot traffic per cell: what the API costs when the
 * host keeps terms in C variables between [GC] calls. */
static void run_lists_args(double scale) {
  long lists = bench_scaled(W1_LISTS, scale);
  gh_runtime *rt = runtime_new();
  uint64_t t0 = bench_now_ns();
  gh_proc *p = spawn(rt, 0);
  uint64_t sum = 0;
  for (long l = 0; l < lists; l++) {
    gh_term list = GH_NIL;
    for (long i = 0; i < W1_CELLS; i++)
      CHECK(gh_cons(p, gh_small(i), list, &list));
    sum += sum_int_list(list); /* dropped: nothing roots it */
  }
  uint64_t ns = bench_now_ns() - t0;
  print_result_with_gc(ns, (uint64_t)(lists * W1_CELLS), sum, p);
  CHECK(gh_exit(p));
  gh_runtime_free(rt);
}

/* ---- Workload 1t: short-lived lists of 3-tuples -------------------------- */
static void build_tuple_list(gh_proc *p, size_t s, long n) {
  CHECK(gh_slot_set(p, s, GH_NIL));
  for (long i = 0; i < n; i++) {
    gh_term elems[3] = {gh_small(i), gh_small(i + 1), gh_small(i + 2)};
    gh_term t;
    CHECK(gh_tuple(p, 3, elems, &t));
    cons_onto(p, s, t); /* t is an argument of the [GC] call: safe */
  }
}

static uint64_t sum_tuple_list(gh_term list) {
  uint64_t sum = 0;
  for (; list != GH_NIL; list = gh_cdr(list)) {
    gh_term t = gh_car(list);
    for (size_t k = 0; k < 3; k++)
      sum += (uint64_t)gh_small_value(gh_tuple_element(t, k));
  }
  return sum;
}

static void run_tuples(double scale) {
  long lists = bench_scaled(W1T_LISTS, scale);
  gh_runtime *rt = runtime_new();
  uint64_t t0 = bench_now_ns();
  gh_proc *p = spawn(rt, 0);
  size_t s = new_slot(p);
  uint64_t sum = 0;
  for (long l = 0; l < lists; l++) {
    CHECK(gh_reserve(p, W1T_CELLS * (2 + 4), NULL, 0)); /* cell + 3-tuple */
    gh_term list = GH_NIL;
    for (long i = 0; i < W1T_CELLS; i++) {
      gh_term elems[3] = {gh_small(i), gh_small(i + 1), gh_small(i + 2)};
      list = gh_put_cons(p, gh_put_tuple(p, 3, elems), list);
    }
    CHECK(gh_slot_set(p, s, list));
    sum += sum_tuple_list(slot(p, s));
    CHECK(gh_slot_set(p, s, GH_NIL));
  }
  uint64_t ns = bench_now_ns() - t0;
  print_result_with_gc(ns, (uint64_t)(lists * W1T_CELLS), sum, p);
  CHECK(gh_exit(p));
  gh_runtime_free(rt);
}

static void run_tuples_slots(double scale) {
  long lists = bench_scaled(W1T_LISTS, scale);
  gh_runtime *rt = runtime_new();
  uint64_t t0 = bench_now_ns();
  gh_proc *p = spawn(rt, 0);
  size_t s = new_slot(p);
  uint64_t sum = 0;
  for (long l = 0; l < lists; l++) {
    build_tuple_list(p, s, W1T_CELLS);
    sum += sum_tuple_list(slot(p, s));
    CHECK(gh_slot_set(p, s, GH_NIL));
  }
  uint64_t ns = bench_now_ns() - t0;
  print_result_with_gc(ns, (uint64_t)(lists * W1T_CELLS), sum, p);
  CHECK(gh_exit(p));
  gh_runtime_free(rt);
}

/* ---- Workload 2: a growing live set plus garbage -------------------------- */
/* The GC counters and the result line of workload 2, which times gh_exit. */
static void finish_growing(gh_runtime *rt, gh_proc *p, long steps, uint64_t sum,
                           uint64_t t0);

static void run_growing(double scale) {
  long steps = bench_scaled(W2_STEPS, scale);
  gh_runtime *rt = runtime_new();
  uint64_t t0 = bench_now_ns();
  gh_proc *p = spawn(rt, 0);
  size_t live = new_slot(p);
  uint64_t sum = 0;
  for (long s = 0; s < steps; s++) {
    gh_term roots[1] = {slot(p, live)}; /* the live set, a root of the GC */
    CHECK(gh_reserve(p, 2 * W2_CHUNK_CELLS + 2, roots, 1));
    gh_term chunk = put_int_list(p, W2_CHUNK_CELLS);
    CHECK(gh_slot_set(p, live, gh_put_cons(p, chunk, roots[0])));
    CHECK(gh_reserve(p, 2 * W2_GARBAGE_CELLS, NULL, 0));
    sum += sum_int_list(put_int_list(p, W2_GARBAGE_CELLS)); /* then dropped */
  }
  for (gh_term l = slot(p, live); l != GH_NIL; l = gh_cdr(l))
    sum += sum_int_list(gh_car(l));
  finish_growing(rt, p, steps, sum, t0);
}

static void run_growing_slots(double scale) {
  long steps = bench_scaled(W2_STEPS, scale);
  gh_runtime *rt = runtime_new();
  uint64_t t0 = bench_now_ns();
  gh_proc *p = spawn(rt, 0);
  size_t live = new_slot(p), work = new_slot(p);
  uint64_t sum = 0;
  for (long s = 0; s < steps; s++) {
    build_int_list(p, work, W2_CHUNK_CELLS);
    gh_term chunk = slot(p, work);
    cons_onto(p, live, chunk); /* chunk is an argument: safe */
    build_int_list(p, work, W2_GARBAGE_CELLS);
    sum += sum_int_list(slot(p, work));
    CHECK(gh_slot_set(p, work, GH_NIL));
  }
  for (gh_term l = slot(p, live); l != GH_NIL; l = gh_cdr(l))
    sum += sum_int_list(gh_car(l));
  finish_growing(rt, p, steps, sum, t0);
}

static void finish_growing(gh_runtime *rt, gh_proc *p, long steps, uint64_t sum,
                           uint64_t t0) {
  char info[160];
  gh_gc_info gi;
  CHECK(gh_proc_info(p, &gi));
  snprintf(info, sizeof info,
           " minor_gcs=%" PRIu64 " full_sweeps=%" PRIu64
           " words_promoted=%" PRIu64,
           gi.minor_gcs, gi.full_sweeps, gi.words_promoted);
  CHECK(gh_exit(p)); /* the peers free their live set inside the timing too */
  uint64_t ns = bench_now_ns() - t0;
  uint64_t ops = (uint64_t)(steps * (W2_CHUNK_CELLS + W2_GARBAGE_CELLS));
  printf("RESULT ns=%" PRIu64 " ops=%" PRIu64 " check=%" PRIu64 "%s\n", ns, ops,
         sum, info);
  gh_runtime_free(rt);
}

/* ---- Workload 3: messages between threads --------------------------------- */
/* Process slots used by the senders. */
enum { SLOT_BIN, SLOT_COUNT };

typedef struct sender_state {
  gh_proc *proc;
  long sent;
  uint64_t check;
} sender_state;

static struct {
  sender_state procs[W3_THREADS * W3_PROCS_PER_THREAD];
  gh_pid pids[W3_THREADS * W3_PROCS_PER_THREAD];
  long msgs_per_proc;
  atomic_long in_flight[W3_THREADS]; /* messages queued for each thread */
} w3;

static int dest_thread(int thread) { return (thread + 1) % W3_THREADS; }

static long dest_index(int thread, long i, long seq) {
  return dest_thread(thread) * W3_PROCS_PER_THREAD +
         (i + seq) % W3_PROCS_PER_THREAD;
}

/* A new shared binary for messages seq .. seq+W3_BIN_EVERY-1; the old one
 * becomes garbage (its reference count drops at this process's next GC). */
static void new_binary(gh_proc *p, long seq) {
  static _Thread_local uint8_t bytes[W3_BIN_BYTES];
  for (long j = 0; j < W3_BIN_BYTES; j++)
    bytes[j] = (uint8_t)w3_bin_byte(seq, j);
  gh_term bin;
  CHECK(gh_binary(p, bytes, sizeof bytes, &bin));
  CHECK(gh_slot_set(p, SLOT_BIN, bin));
}

/* Builds {seq, [seq..seq+7], Binary} on the sender's heap and sends it: the
 * message is copied into a fragment for the receiver, the binary shared. */
static void send_one(int thread, long i) {
  sender_state *st = &w3.procs[thread * W3_PROCS_PER_THREAD + i];
  gh_proc *p = st->proc;
  long seq = st->sent++;
  if (seq % W3_BIN_EVERY == 0)
    new_binary(p, seq);
  gh_term elems[W3_LIST_LEN];
  for (long j = 0; j < W3_LIST_LEN; j++)
    elems[j] = gh_small(seq + j);
  CHECK(gh_reserve(p, 2 * W3_LIST_LEN + 4, NULL, 0));
  gh_term fields[3] = {gh_small(seq), gh_put_list(p, W3_LIST_LEN, elems),
                       slot(p, SLOT_BIN)};
  gh_term tuple = gh_put_tuple(p, 3, fields);
  atomic_fetch_add(&w3.in_flight[dest_thread(thread)], 1);
  CHECK(gh_send(p, w3.pids[dest_index(thread, i, seq)], tuple));
}

/* Reads every waiting message in place and drops it (nothing is pushed, so
 * the fragments are garbage at this process's next GC). */
static long drain(int thread, sender_state *st) {
  long n = 0;
  gh_term m;
  while (gh_receive(st->proc, &m) == GH_OK) {
    const uint8_t *bytes;
    size_t size;
    CHECK(gh_binary_data(gh_tuple_element(m, 2), &bytes, &size));
    st->check += (uint64_t)gh_small_value(gh_tuple_element(m, 0)) +
                 sum_int_list(gh_tuple_element(m, 1)) + bytes[0] +
                 bytes[size - 1] + size;
    n++;
  }
  atomic_fetch_sub(&w3.in_flight[thread], n);
  return n;
}

static long round_of(int thread, long *received) {
  long progress = 0;
  for (long i = 0; i < W3_PROCS_PER_THREAD; i++) {
    sender_state *st = &w3.procs[thread * W3_PROCS_PER_THREAD + i];
    if (st->sent < w3.msgs_per_proc &&
        atomic_load(&w3.in_flight[dest_thread(thread)]) < W3_WINDOW) {
      send_one(thread, i);
      progress++;
    }
    long n = drain(thread, st);
    *received += n;
    progress += n;
  }
  return progress;
}

/* Whether every process of the thread has sent all its messages.  The
 * window can skip a process in one round and not the next, so the last
 * process finishing says nothing about the others: a thread that stopped
 * then left their receivers waiting for ever. */
static bool all_sent(int thread) {
  for (long i = 0; i < W3_PROCS_PER_THREAD; i++)
    if (w3.procs[thread * W3_PROCS_PER_THREAD + i].sent < w3.msgs_per_proc)
      return false;
  return true;
}

static void *messages_thread(void *arg) {
  int thread = (int)(intptr_t)arg;
  long expected = W3_PROCS_PER_THREAD * w3.msgs_per_proc;
  long received = 0;
  while (received < expected || !all_sent(thread))
    if (round_of(thread, &received) == 0)
      sched_yield();
  return NULL;
}

static void run_messages(double scale) {
  long per = bench_scaled(W3_MSGS_PER_PROC / W3_PROCS_PER_THREAD, scale);
  w3.msgs_per_proc = per * W3_PROCS_PER_THREAD;
  long nprocs = W3_THREADS * W3_PROCS_PER_THREAD;
  gh_runtime *rt = runtime_new();
  uint64_t t0 = bench_now_ns();
  for (long i = 0; i < nprocs; i++) {
    gh_proc *p = spawn(rt, 0);
    for (int s = 0; s < SLOT_COUNT; s++)
      new_slot(p);
    w3.procs[i].proc = p;
    w3.pids[i] = gh_self(p);
  }
  pthread_t threads[W3_THREADS];
  for (int t = 0; t < W3_THREADS; t++)
    if (pthread_create(&threads[t], NULL, messages_thread,
                       (void *)(intptr_t)t) != 0)
      check_status(GH_ERR_NOMEM, "pthread_create", __LINE__);
  for (int t = 0; t < W3_THREADS; t++)
    pthread_join(threads[t], NULL);
  uint64_t check = 0;
  for (long i = 0; i < nprocs; i++) {
    check += w3.procs[i].check;
    CHECK(gh_exit(w3.procs[i].proc));
  }
  uint64_t ns = bench_now_ns() - t0;
  bench_print_result(ns, (uint64_t)(nprocs * w3.msgs_per_proc), check);
  gh_runtime_free(rt);
}

/* ---- Workload 4: GC pause against live data ------------------------------- */
/* The live set is a list of elements of one shape: cons cells of small
 * integers (the collector's worst case: one forwarding per 16 bytes), or
 * cells holding a tuple of PAUSE_ARITY integers (a copy closer to memcpy). */
#define PAUSE_ARITY 14
#define PAUSE_REPS 5

typedef enum live_shape { SHAPE_CONS, SHAPE_TUPLES } live_shape;

static const char *shape_name(live_shape sh) {
  return sh == SHAPE_CONS ? "list of integers" : "list of 14-tuples";
}

static size_t element_words(live_shape sh) {
  return sh == SHAPE_CONS ? 2 : 2 + PAUSE_ARITY + 1;
}

/* slot s := a list of about `bytes` bytes; returns its exact size in words. */
static size_t build_live(gh_proc *p, size_t s, size_t bytes, live_shape sh) {
  size_t n = bytes / 8 / element_words(sh);
  if (n == 0)
    n = 1;
  CHECK(gh_slot_set(p, s, GH_NIL));
  for (size_t i = 0; i < n; i++) {
    gh_term head = gh_small((int64_t)i);
    if (sh == SHAPE_TUPLES) {
      gh_term elems[PAUSE_ARITY];
      for (size_t k = 0; k < PAUSE_ARITY; k++)
        elems[k] = gh_small((int64_t)(i + k));
      CHECK(gh_tuple(p, PAUSE_ARITY, elems, &head));
    }
    cons_onto(p, s, head);
  }
  return n * element_words(sh);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_u64);
  return v[n / 2];
}

/* Small sizes are timed in batches so the clock's cost does not count. */
static long batch_for(size_t bytes) {
  long b = (long)((1u << 20) / (bytes ? bytes : 1));
  return b < 1 ? 1 : b > 1000 ? 1000 : b;
}

/* Median time of one full sweep of p, in ns. */
static uint64_t time_major_gc(gh_proc *p, size_t bytes) {
  uint64_t t[PAUSE_REPS];
  long batch = batch_for(bytes);
  for (int r = 0; r < PAUSE_REPS; r++) {
    uint64_t t0 = bench_now_ns();
    for (long b = 0; b < batch; b++)
      CHECK(gh_gc(p, GH_GC_MAJOR));
    t[r] = (bench_now_ns() - t0) / (uint64_t)batch;
  }
  return median(t, PAUSE_REPS);
}

/* Called through a volatile pointer so the compiler cannot drop the copy. */
static void *(*volatile copy_bytes)(void *, const void *, size_t) = memcpy;

/* A destination never touched before: mmap'ed for each copy, so the copy
 * pays the page faults a to-space fresh from the kernel pays. */
static uint8_t *fresh_block(size_t bytes) {
  void *d = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (d == MAP_FAILED)
    check_status(GH_ERR_NOMEM, "mmap", __LINE__);
  return d;
}

/* Median time of memcpy of `bytes`: into a destination already in memory
 * (warm), or into pages fresh from the kernel. */
static uint64_t time_memcpy(size_t bytes, bool fresh) {
  uint8_t *src = malloc(bytes), *dst = malloc(bytes);
  if (src == NULL || dst == NULL)
    check_status(GH_ERR_NOMEM, "malloc", __LINE__);
  memset(src, 1, bytes);
  memset(dst, 2, bytes);
  uint64_t t[PAUSE_REPS];
  long batch = batch_for(bytes);
  for (int r = 0; r < PAUSE_REPS; r++) {
    uint64_t t0 = bench_now_ns();
    for (long b = 0; b < batch; b++) {
      uint8_t *d = fresh ? fresh_block(bytes) : dst;
      copy_bytes(d, src, bytes);
      if (fresh)
        munmap(d, bytes);
    }
    t[r] = (bench_now_ns() - t0) / (uint64_t)batch;
  }
  free(src);
  free(dst);
  return median(t, PAUSE_REPS);
}

static double gb_per_s(size_t bytes, uint64_t ns) {
  return ns ? (double)bytes / (double)ns : 0.0;
}

static void pause_row(gh_runtime *rt, size_t bytes, live_shape sh) {
  gh_proc *p = spawn(rt, 0);
  size_t s = new_slot(p);
  size_t words = build_live(p, s, bytes, sh);
  size_t live = words * 8;
  CHECK(gh_gc(p, GH_GC_MAJOR)); /* settle: everything in one young block */
  uint64_t gc = time_major_gc(p, live);
  uint64_t warm = time_memcpy(live, false), fresh = time_memcpy(live, true);
  printf("| %.3f | %zu | %.1f | %.3f | %.2f | %.2f | %.0f%% | %.2f | %.0f%% |\n",
         live / 1048576.0, words, gc / 1e3, gc / 1e6 / (live / 1048576.0),
         gb_per_s(live, gc), gb_per_s(live, warm), 100.0 * warm / gc,
         gb_per_s(live, fresh), 100.0 * fresh / gc);
  CHECK(gh_exit(p));
}

/* Series A: full-sweep pause for live sets from 1 KB to 100 MB (x scale). */
static void pause_vs_live(gh_runtime *rt, double scale, live_shape sh) {
  printf("\n#### Full-sweep pause vs live data: %s (median of %d)\n\n",
         shape_name(sh), PAUSE_REPS);
  printf("| live MB | live words | pause us | ms per MB live | GC copy GB/s | "
         "memcpy GB/s (warm dst) | GC / memcpy | memcpy GB/s (new pages) | "
         "GC / memcpy new pages |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  size_t largest = (size_t)(100e6 * scale);
  for (size_t bytes = 1000; bytes <= 100000000; bytes *= 10)
    if (bytes <= largest || bytes <= 1000000)
      pause_row(rt, bytes, sh);
}

/* One process with `live_bytes` live and garbage_factor times as much
 * garbage in its young heap, then one timed full sweep.  The young heap is
 * made big enough (min_heap_size) that nothing is collected before. */
static uint64_t pause_with_garbage(gh_runtime *rt, size_t live_bytes,
                                   int garbage_factor, size_t *young_words) {
  size_t live_words_est = live_bytes / 8, garbage_cells =
      live_bytes * (size_t)garbage_factor / 16;
  gh_proc *p = spawn(rt, (live_words_est + garbage_cells * 2) * 5 / 4 + 4096);
  size_t live = new_slot(p), junk = new_slot(p);
  build_live(p, live, live_bytes, SHAPE_TUPLES);
  build_int_list(p, junk, (long)garbage_cells);
  CHECK(gh_slot_set(p, junk, GH_NIL));
  gh_gc_info info;
  CHECK(gh_proc_info(p, &info));
  if (info.minor_gcs + info.full_sweeps != 0)
    fprintf(stderr, "bench-genheap: garbage series: %" PRIu64
                    " GCs before the timed one\n",
            info.minor_gcs + info.full_sweeps);
  *young_words = info.heap_block_size;
  uint64_t t0 = bench_now_ns();
  CHECK(gh_gc(p, GH_GC_MAJOR));
  uint64_t ns = bench_now_ns() - t0;
  CHECK(gh_exit(p));
  return ns;
}

/* Series B: the same live set beside 0x, 1x and 10x garbage. */
static void pause_vs_garbage(gh_runtime *rt, double scale) {
  size_t live_bytes = (size_t)(10e6 * scale);
  static const int factors[] = {0, 1, 10};
  uint64_t base = 0;
  printf("\n#### Full-sweep pause vs garbage: %.1f MB live (%s), median of "
         "%d fresh processes\n\n| garbage / live | young heap words | pause "
         "ms | pause / pause without garbage |\n|---:|---:|---:|---:|\n",
         live_bytes / 1e6, shape_name(SHAPE_TUPLES), PAUSE_REPS);
  for (size_t f = 0; f < sizeof factors / sizeof *factors; f++) {
    uint64_t t[PAUSE_REPS];
    size_t young = 0;
    for (int r = 0; r < PAUSE_REPS; r++)
      t[r] = pause_with_garbage(rt, live_bytes, factors[f], &young);
    uint64_t med = median(t, PAUSE_REPS);
    if (f == 0)
      base = med;
    printf("| %dx | %zu | %.2f | %.2f |\n", factors[f], young, med / 1e6,
           (double)med / (double)base);
  }
}

/* which: "pause" (both series), "pause-live" or "pause-garbage" (one, to
 * profile it alone). */
static void run_pause(const char *which, double scale) {
  /* A full sweep takes a new block from malloc and frees the old one.  If
   * glibc unmaps it, the next sweep copies into fresh pages and the pause
   * measures the kernel's page faults (very slow on VMs), not the collector;
   * with all blocks on the brk heap and no trimming, pages are reused. */
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
  gh_runtime *rt = runtime_new();
  bool live = strcmp(which, "pause-garbage") != 0;
  bool garbage = strcmp(which, "pause-live") != 0;
  printf("\n### pause: genheap full sweep (gh_gc GH_GC_MAJOR) vs memcpy\n");
  printf("\nglibc malloc kept from returning memory to the kernel "
         "(M_MMAP_MAX 0, M_TRIM_THRESHOLD max): to-spaces are reused pages; "
         "the 'new pages' column shows what fresh pages cost here.\n");
  if (live) {
    pause_vs_live(rt, scale, SHAPE_CONS);
    pause_vs_live(rt, scale, SHAPE_TUPLES);
  }
  if (garbage)
    pause_vs_garbage(rt, scale);
  gh_runtime_free(rt);
}

/* ---- Workload 5: census against a full sweep of the same heap ------------- */

/* A process whose old heap holds a live list of `bytes` and a dropped one
 * as large: two minor GCs after each build promote it. */
static gh_proc *idle_heap(gh_runtime *rt, size_t bytes, live_shape sh,
                          size_t *words) {
  gh_proc *p = spawn(rt, 0);
  size_t live = new_slot(p), junk = new_slot(p);
  *words = build_live(p, live, bytes, sh);
  build_live(p, junk, bytes, sh);
  CHECK(gh_gc(p, GH_GC_MINOR));
  CHECK(gh_gc(p, GH_GC_MINOR));
  CHECK(gh_slot_set(p, junk, GH_NIL));
  return p;
}

static void census_row(gh_runtime *rt, size_t bytes, live_shape sh) {
  uint64_t census[PAUSE_REPS], sweep[PAUSE_REPS];
  size_t words = 0;
  gh_census_info c = {0};
  for (int r = 0; r < PAUSE_REPS; r++) {
    gh_proc *p = idle_heap(rt, bytes, sh, &words);
    uint64_t t0 = bench_now_ns();
    CHECK(gh_census(p, &c));
    uint64_t t1 = bench_now_ns();
    CHECK(gh_gc(p, GH_GC_MAJOR));
    sweep[r] = bench_now_ns() - t1;
    census[r] = t1 - t0;
    CHECK(gh_exit(p));
  }
  uint64_t cm = median(census, PAUSE_REPS), sm = median(sweep, PAUSE_REPS);
  printf("| %.3f | %zu | %zu | %.3f | %.3f | %.2f |\n", words * 8 / 1048576.0,
         c.old_live + c.young_live, c.old_size + c.young_size - c.old_live -
         c.young_live, cm / 1e6, sm / 1e6, (double)cm / (double)sm);
}

static void run_census(double scale) {
  mallopt(M_MMAP_MAX, 0); /* as run_pause: reused pages, not page faults */
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
  gh_runtime *rt = runtime_new();
  printf("\n### census: gh_census vs a full sweep of the same heap (median of "
         "%d fresh processes)\n", PAUSE_REPS);
  for (int sh = SHAPE_CONS; sh <= SHAPE_TUPLES; sh++) {
    printf("\n#### %s, live and as much garbage on the old heap\n\n"
           "| live MB | live words | garbage words | census ms | full sweep ms "
           "| census / sweep |\n|---:|---:|---:|---:|---:|---:|\n",
           shape_name((live_shape)sh));
    size_t largest = (size_t)(100e6 * scale);
    for (size_t bytes = 1000000; bytes <= 100000000; bytes *= 10)
      if (bytes <= largest || bytes == 1000000)
        census_row(rt, bytes, (live_shape)sh);
  }
  gh_runtime_free(rt);
}

int main(int argc, char **argv) {
  const char *w = argc > 1 ? argv[1] : "";
  double scale = bench_scale(argc, argv);
  if (strcmp(w, "lists") == 0)
    run_lists(scale);
  else if (strcmp(w, "lists-slots") == 0)
    run_lists_slots(scale);
  else if (strcmp(w, "lists-args") == 0)
    run_lists_args(scale);
  else if (strcmp(w, "tuples") == 0)
    run_tuples(scale);
  else if (strcmp(w, "tuples-slots") == 0)
    run_tuples_slots(scale);
  else if (strcmp(w, "growing") == 0)
    run_growing(scale);
  else if (strcmp(w, "growing-slots") == 0)
    run_growing_slots(scale);
  else if (strcmp(w, "messages") == 0)
    run_messages(scale);
  else if (strncmp(w, "pause", 5) == 0)
    run_pause(w, scale);
  else if (strcmp(w, "census") == 0)
    run_census(scale);
  else {
    fprintf(stderr, "usage: %s lists[-slots|-args]|tuples[-slots]|growing[-slots]|"
            "messages|pause[-live|-garbage]|census [scale]\n",
            argv[0]);
    return 2;
  }
  return 0;
}
