/* bench_peer.c -- the benchmark workloads on a general-purpose allocator.
 *
 * This file is compiled once per contender, with one of PEER_GLIBC,
 * PEER_JEMALLOC, PEER_MIMALLOC or PEER_BOEHM defined, into bench-glibc,
 * bench-jemalloc, bench-mimalloc and bench-boehm.  Each allocator is used
 * through its own API (mallocx/sdallocx, mi_malloc/mi_free, GC_MALLOC), so
 * the binaries measure the allocator and not an interposition layer.
 *
 * The data structures mirror genheap's terms: a cons cell is two words (head,
 * tail), a tuple is its elements, a large binary is one reference-counted
 * block.  The malloc peers free what they drop, as a C program must; Boehm
 * GC drops it and lets its collector reclaim it.  The logical work, and hence
 * the checksum printed, is the same as bench_genheap.c's.
 *
 * Usage: bench-<peer> lists|tuples|growing|messages [scale]
 */
#include "bench_common.h"

#include <pthread.h>
#include <stdbool.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The allocator under test ------------------------------------------ */
#if defined(PEER_BOEHM)
#define GC_THREADS /* redirects pthread_create so worker threads are scanned */
#include <gc.h>
#define PEER_FREES 0
static void peer_init(void) { GC_INIT(); }
static void *peer_alloc(size_t n) { return GC_MALLOC(n); }
/* Pointer-free blocks (binary payloads) are not scanned by the collector. */
static void *peer_alloc_data(size_t n) { return GC_MALLOC_ATOMIC(n); }
static void peer_free(void *p, size_t n) { (void)p, (void)n; }
/* Memory the collector must scan but never reclaim (the mailboxes). */
static void *peer_alloc_root(size_t n) { return GC_MALLOC_UNCOLLECTABLE(n); }
static void peer_free_root(void *p) { GC_FREE(p); }
#elif defined(PEER_JEMALLOC)
#include <jemalloc/jemalloc.h>
#define PEER_FREES 1
static void peer_init(void) {}
static void *peer_alloc(size_t n) { return mallocx(n, 0); }
static void *peer_alloc_data(size_t n) { return mallocx(n, 0); }
/* Sized deallocation: jemalloc skips the size lookup, as genheap knows sizes. */
static void peer_free(void *p, size_t n) { sdallocx(p, n, 0); }
static void *peer_alloc_root(size_t n) { return mallocx(n, 0); }
static void peer_free_root(void *p) { dallocx(p, 0); }
#elif defined(PEER_MIMALLOC)
#include <mimalloc.h>
#define PEER_FREES 1
static void peer_init(void) {}
static void *peer_alloc(size_t n) { return mi_malloc(n); }
static void *peer_alloc_data(size_t n) { return mi_malloc(n); }
static void peer_free(void *p, size_t n) { mi_free_size(p, n); }
static void *peer_alloc_root(size_t n) { return mi_malloc(n); }
static void peer_free_root(void *p) { mi_free(p); }
#elif defined(PEER_GLIBC)
#define PEER_FREES 1
static void peer_init(void) {}
static void *peer_alloc(size_t n) { return malloc(n); }
static void *peer_alloc_data(size_t n) { return malloc(n); }
static void peer_free(void *p, size_t n) { (void)n, free(p); }
static void *peer_alloc_root(size_t n) { return malloc(n); }
static void peer_free_root(void *p) { free(p); }
#else
#error "define one of PEER_GLIBC, PEER_JEMALLOC, PEER_MIMALLOC, PEER_BOEHM"
#endif

static void *checked(void *p) {
  if (p == NULL) {
    fprintf(stderr, "bench: out of memory\n");
    exit(1);
  }
  return p;
}

/* ---- Terms as plain C structures ------------------------------------------ */
typedef struct cell {
  uintptr_t head; /* a small integer, or a pointer to a tuple or a list */
  struct cell *tail;
} cell;

typedef struct tuple3 {
  int64_t elem[3];
} tuple3;

static cell *cons(uintptr_t head, cell *tail) {
  cell *c = checked(peer_alloc(sizeof *c));
  c->head = head;
  c->tail = tail;
  return c;
}

/* [n-1, ..., 1, 0], built from the tail as a functional program would. */
static cell *build_int_list(long n) {
  cell *list = NULL;
  for (long i = 0; i < n; i++)
    list = cons((uintptr_t)i, list);
  return list;
}

/* Sums the integers and frees the cells in the same walk (one pass is what a
 * careful C programmer writes). */
static uint64_t sum_and_drop_int_list(cell *list) {
  uint64_t sum = 0;
  while (list != NULL) {
    cell *next = list->tail;
    sum += list->head;
    peer_free(list, sizeof *list);
    list = next;
  }
  return sum;
}

/* ---- Workload 1: short-lived lists -------------------------------------- */
static void run_lists(double scale) {
  long lists = bench_scaled(W1_LISTS, scale);
  uint64_t sum = 0;
  uint64_t t0 = bench_now_ns();
  for (long l = 0; l < lists; l++)
    sum += sum_and_drop_int_list(build_int_list(W1_CELLS));
  bench_print_result(bench_now_ns() - t0, (uint64_t)(lists * W1_CELLS), sum);
}

/* ---- Workload 1t: short-lived lists of 3-tuples -------------------------- */
static cell *build_tuple_list(long n) {
  cell *list = NULL;
  for (long i = 0; i < n; i++) {
    tuple3 *t = checked(peer_alloc(sizeof *t));
    t->elem[0] = i, t->elem[1] = i + 1, t->elem[2] = i + 2;
    list = cons((uintptr_t)t, list);
  }
  return list;
}

static uint64_t sum_and_drop_tuple_list(cell *list) {
  uint64_t sum = 0;
  while (list != NULL) {
    cell *next = list->tail;
    tuple3 *t = (tuple3 *)list->head;
    sum += (uint64_t)(t->elem[0] + t->elem[1] + t->elem[2]);
    peer_free(t, sizeof *t);
    peer_free(list, sizeof *list);
    list = next;
  }
  return sum;
}

static void run_tuples(double scale) {
  long lists = bench_scaled(W1T_LISTS, scale);
  uint64_t sum = 0;
  uint64_t t0 = bench_now_ns();
  for (long l = 0; l < lists; l++)
    sum += sum_and_drop_tuple_list(build_tuple_list(W1T_CELLS));
  bench_print_result(bench_now_ns() - t0, (uint64_t)(lists * W1T_CELLS), sum);
}

/* ---- Workload 2: a growing live set plus garbage -------------------------- */
static void run_growing(double scale) {
  long steps = bench_scaled(W2_STEPS, scale);
  uint64_t sum = 0;
  uint64_t t0 = bench_now_ns();
  cell *live = NULL; /* a list of chunks, each a list of integers */
  for (long s = 0; s < steps; s++) {
    live = cons((uintptr_t)build_int_list(W2_CHUNK_CELLS), live);
    sum += sum_and_drop_int_list(build_int_list(W2_GARBAGE_CELLS));
  }
  while (live != NULL) {
    cell *next = live->tail;
    sum += sum_and_drop_int_list((cell *)live->head);
    peer_free(live, sizeof *live);
    live = next;
  }
  uint64_t ops = (uint64_t)(steps * (W2_CHUNK_CELLS + W2_GARBAGE_CELLS));
  bench_print_result(bench_now_ns() - t0, ops, sum);
}

/* ---- Workload 3: messages between threads --------------------------------- */
/* A large binary: one block, shared by every message that carries it. */
typedef struct shared_bin {
  atomic_long refs;
  size_t size;
  uint8_t bytes[];
} shared_bin;

typedef struct message {
  struct message *next; /* the mailbox queue link */
  long seq;
  cell *list;
  shared_bin *bin;
} message;

typedef struct peer_process {
  pthread_mutex_t lock; /* guards the mailbox */
  message *head, *tail;
  shared_bin *bin; /* the binary this process is currently sending */
  long sent;
  long received;
  uint64_t check;
} peer_process;

static struct {
  peer_process *procs;
  long msgs_per_proc;
  atomic_long in_flight[W3_THREADS]; /* messages queued for each thread */
} w3;

static shared_bin *bin_new(long seq) {
  shared_bin *b = checked(peer_alloc_data(sizeof *b + W3_BIN_BYTES));
  atomic_init(&b->refs, 1);
  b->size = W3_BIN_BYTES;
  for (long j = 0; j < W3_BIN_BYTES; j++)
    b->bytes[j] = (uint8_t)w3_bin_byte(seq, j);
  return b;
}

static shared_bin *bin_ref(shared_bin *b) {
  if (PEER_FREES)
    atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
  return b;
}

static void bin_unref(shared_bin *b) {
  if (PEER_FREES && b != NULL &&
      atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
    peer_free(b, sizeof *b + b->size);
}

static void mailbox_put(peer_process *to, message *m) {
  m->next = NULL;
  pthread_mutex_lock(&to->lock);
  if (to->tail != NULL)
    to->tail->next = m;
  else
    to->head = m;
  to->tail = m;
  pthread_mutex_unlock(&to->lock);
}

static message *mailbox_take(peer_process *p) {
  pthread_mutex_lock(&p->lock);
  message *m = p->head;
  if (m != NULL) {
    p->head = m->next;
    if (p->head == NULL)
      p->tail = NULL;
  }
  pthread_mutex_unlock(&p->lock);
  return m;
}

static int dest_thread(int thread) { return (thread + 1) % W3_THREADS; }

static long dest_index(int thread, long i, long seq) {
  return dest_thread(thread) * W3_PROCS_PER_THREAD +
         (i + seq) % W3_PROCS_PER_THREAD;
}

static void send_one(int thread, long i) {
  peer_process *p = &w3.procs[thread * W3_PROCS_PER_THREAD + i];
  long seq = p->sent++;
  if (seq % W3_BIN_EVERY == 0) {
    bin_unref(p->bin);
    p->bin = bin_new(seq);
  }
  message *m = checked(peer_alloc(sizeof *m));
  m->seq = seq;
  m->list = NULL;
  for (long j = W3_LIST_LEN - 1; j >= 0; j--)
    m->list = cons((uintptr_t)(seq + j), m->list);
  m->bin = bin_ref(p->bin);
  atomic_fetch_add(&w3.in_flight[dest_thread(thread)], 1);
  mailbox_put(&w3.procs[dest_index(thread, i, seq)], m);
}

static long drain(int thread, peer_process *p) {
  long n = 0;
  message *m;
  while ((m = mailbox_take(p)) != NULL) {
    shared_bin *b = m->bin;
    p->check += (uint64_t)m->seq + sum_and_drop_int_list(m->list) +
                b->bytes[0] + b->bytes[b->size - 1] + b->size;
    bin_unref(b);
    peer_free(m, sizeof *m);
    n++;
  }
  p->received += n;
  atomic_fetch_sub(&w3.in_flight[thread], n);
  return n;
}

/* One round over the thread's processes: each sends one message (unless the
 * receivers' thread is a full window behind) and empties its mailbox. */
static long round_of(int thread, long *received) {
  long progress = 0;
  for (long i = 0; i < W3_PROCS_PER_THREAD; i++) {
    peer_process *p = &w3.procs[thread * W3_PROCS_PER_THREAD + i];
    if (p->sent < w3.msgs_per_proc &&
        atomic_load(&w3.in_flight[dest_thread(thread)]) < W3_WINDOW) {
      send_one(thread, i);
      progress++;
    }
    long n = drain(thread, p);
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
  for (long i = 0; i < W3_PROCS_PER_THREAD; i++) {
    bin_unref(w3.procs[thread * W3_PROCS_PER_THREAD + i].bin);
    w3.procs[thread * W3_PROCS_PER_THREAD + i].bin = NULL;
  }
  return NULL;
}

static void run_messages(double scale) {
  long per = bench_scaled(W3_MSGS_PER_PROC / W3_PROCS_PER_THREAD, scale);
  w3.msgs_per_proc = per * W3_PROCS_PER_THREAD;
  long nprocs = W3_THREADS * W3_PROCS_PER_THREAD;
  uint64_t t0 = bench_now_ns();
  w3.procs = checked(peer_alloc_root(sizeof(peer_process) * nprocs));
  memset(w3.procs, 0, sizeof(peer_process) * nprocs);
  for (long i = 0; i < nprocs; i++)
    pthread_mutex_init(&w3.procs[i].lock, NULL);
  pthread_t threads[W3_THREADS];
  for (int t = 0; t < W3_THREADS; t++)
    if (pthread_create(&threads[t], NULL, messages_thread, (void *)(intptr_t)t))
      checked(NULL);
  for (int t = 0; t < W3_THREADS; t++)
    pthread_join(threads[t], NULL);
  uint64_t check = 0;
  for (long i = 0; i < nprocs; i++) {
    check += w3.procs[i].check;
    pthread_mutex_destroy(&w3.procs[i].lock);
  }
  peer_free_root(w3.procs);
  bench_print_result(bench_now_ns() - t0, (uint64_t)(nprocs * w3.msgs_per_proc),
                     check);
}

int main(int argc, char **argv) {
  peer_init();
  const char *w = argc > 1 ? argv[1] : "";
  double scale = bench_scale(argc, argv);
  if (strcmp(w, "lists") == 0)
    run_lists(scale);
  else if (strcmp(w, "tuples") == 0)
    run_tuples(scale);
  else if (strcmp(w, "growing") == 0)
    run_growing(scale);
  else if (strcmp(w, "messages") == 0)
    run_messages(scale);
  else {
    fprintf(stderr, "usage: %s lists|tuples|growing|messages [scale]\n",
            argv[0]);
    return 2;
  }
  return 0;
}
