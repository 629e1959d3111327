/* test_threads.c -- four threads, each owning a process, send each other
 * small terms and shared binaries while a fifth hibernates idle ones.  At the
 * end every reference count is zero and the runtime shows nothing alive.
 * Then the mailbox and the send gate under concurrency: order per sender
 * with several senders, sends racing the receiver's exit, sends racing
 * spawns that grow the pid table.  Run under TSan by .ci/run. */
#include "common.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#define NTHREADS 4
#define ROUNDS 5000

typedef struct worker {
  gh_runtime *rt;
  gh_proc *p;
  gh_pid peers[NTHREADS];
  int index;
  long received;
  int failed_line; /* cmocka asserts belong to the main thread */
  gh_status failed_status;
} worker;

/* Records the first failure in a worker and stops it. */
#define CHECK(w, expr)                                                          \
  do {                                                                          \
    gh_status s_ = (expr);                                                      \
    if (s_ != GH_OK) {                                                          \
      (w)->failed_line = __LINE__;                                              \
      (w)->failed_status = s_;                                                  \
      return;                                                                   \
    }                                                                           \
  } while (0)

static atomic_int workers_running;
static int hibernator_failures;

/* Takes every waiting message, keeps the latest in slot 0 and forwards the
 * binary of every tenth tuple on (it arrives bare). */
static void drain(worker *w) {
  gh_term m;
  while (!w->failed_line && gh_receive(w->p, &m) == GH_OK) {
    w->received++;
    gh_type t = gh_typeof(m);
    CHECK(w, t == GH_T_TUPLE || t == GH_T_BINARY ? GH_OK : GH_ERR_BADARG);
    CHECK(w, gh_slot_set(w->p, 0, m));
    if (t == GH_T_TUPLE && w->received % 10 == 0)
      CHECK(w, gh_send(w->p, w->peers[(w->index + 3) % NTHREADS],
                       gh_tuple_element(m, 2)));
  }
}

static void work(worker *w) {
  CHECK(w, gh_push(w->p, GH_NIL));
  for (int r = 0; r < ROUNDS && !w->failed_line; r++) {
    gh_term b, t;
    CHECK(w, gh_binary(w->p, NULL, 200 + (size_t)r % 100, &b));
    gh_term elems[3] = {gh_small(w->index), gh_small(r), b};
    CHECK(w, gh_tuple(w->p, 3, elems, &t));
    CHECK(w, gh_send(w->p, w->peers[(w->index + 1) % NTHREADS], t));
    CHECK(w, gh_send(w->p, w->peers[(w->index + 2) % NTHREADS], t));
    drain(w);
    if (r % 500 == 0) { /* idle for a moment: the hibernator may act */
      CHECK(w, gh_wait(w->p));
      sched_yield();
      CHECK(w, gh_resume(w->p));
    }
  }
}

static void *worker_main(void *arg) {
  work(arg);
  atomic_fetch_sub(&workers_running, 1);
  return NULL;
}

static void *hibernator_main(void *arg) {
  gh_runtime *rt = arg;
  while (atomic_load(&workers_running) > 0) {
    size_t n;
    if (gh_runtime_hibernate_idle(rt, &n) != GH_OK)
      hibernator_failures++;
    sched_yield();
  }
  return NULL;
}

static void threads_share_binaries_and_leave_nothing_behind(void **state) {
  gh_runtime *rt = new_runtime();
  gh_runtime_stats base;
  gh_runtime_stats_get(rt, &base);
  worker w[NTHREADS];
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.hibernate_after_ms = 1;
  for (int i = 0; i < NTHREADS; i++) {
    w[i].rt = rt;
    w[i].index = i;
    w[i].received = 0;
    w[i].failed_line = 0;
    OK(gh_spawn(rt, &so, &w[i].p));
  }
  for (int i = 0; i < NTHREADS; i++)
    for (int j = 0; j < NTHREADS; j++)
      w[i].peers[j] = gh_self(w[j].p);
  atomic_store(&workers_running, NTHREADS);
  pthread_t th[NTHREADS], hib;
  for (int i = 0; i < NTHREADS; i++)
    assert_int_equal(0, pthread_create(&th[i], NULL, worker_main, &w[i]));
  assert_int_equal(0, pthread_create(&hib, NULL, hibernator_main, rt));
  for (int i = 0; i < NTHREADS; i++)
    pthread_join(th[i], NULL);
  pthread_join(hib, NULL);
  long received = 0;
  for (int i = 0; i < NTHREADS; i++) {
    drain(&w[i]);
    if (w[i].failed_line)
      fail_msg("worker %d failed at line %d: %s", i, w[i].failed_line,
               gh_strerror(w[i].failed_status));
    received += w[i].received;
  }
  assert_int_equal(0, hibernator_failures);
  assert_true(received >= 2L * NTHREADS * ROUNDS);
  for (int i = 0; i < NTHREADS; i++)
    OK(gh_exit(w[i].p));
  gh_runtime_stats s;
  gh_runtime_stats_get(rt, &s);
  assert_int_equal(0, s.processes_alive);
  assert_int_equal(0, s.binaries_alive);
  assert_int_equal(0, s.binary_bytes);
  assert_int_equal(0, s.heap_words);
  assert_int_equal(base.bytes_allocated, s.bytes_allocated);
  gh_runtime_free(rt);
}

/* ---- Exits racing the idle passes ------------------------------------------ */

#define EXIT_CYCLES 3000

/* Spawns, waits and exits processes one after the other while
 * hibernator_main runs idle passes: a pass that claims a process its owner
 * is exiting must be done with it before gh_exit frees the handle (an idle
 * pass once read a freed handle; the poisoning allocator, ASan and TSan
 * check). */
static void *exiter_main(void *arg) {
  worker *w = arg;
  gh_spawn_options o;
  gh_spawn_options_init(&o);
  o.hibernate_after_ms = 1;
  for (int i = 0; i < EXIT_CYCLES && !w->failed_line; i++) {
    gh_proc *p;
    gh_status s = gh_spawn(w->rt, &o, &p);
    if (s == GH_OK && (s = gh_wait(p)) == GH_OK) {
      if (i % 4 == 0)
        sched_yield(); /* some wait long enough to be claimed */
      s = gh_exit(p);
    }
    if (s != GH_OK) {
      w->failed_line = __LINE__;
      w->failed_status = s;
    }
  }
  atomic_fetch_sub(&workers_running, 1);
  return NULL;
}

static void exits_racing_idle_passes_leave_nothing_behind(void **state) {
  gh_runtime *rt = new_poisoning_runtime(false);
  gh_runtime_stats base;
  gh_runtime_stats_get(rt, &base);
  worker w[2];
  pthread_t th[2], hib;
  hibernator_failures = 0;
  atomic_store(&workers_running, 2);
  for (int i = 0; i < 2; i++) {
    w[i] = (worker){.rt = rt, .index = i};
    assert_int_equal(0, pthread_create(&th[i], NULL, exiter_main, &w[i]));
  }
  assert_int_equal(0, pthread_create(&hib, NULL, hibernator_main, rt));
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);
  pthread_join(hib, NULL);
  for (int i = 0; i < 2; i++)
    if (w[i].failed_line)
      fail_msg("exiter %d failed at line %d: %s", i, w[i].failed_line,
               gh_strerror(w[i].failed_status));
  assert_int_equal(0, hibernator_failures);
  gh_runtime_stats s;
  gh_runtime_stats_get(rt, &s);
  assert_int_equal(0, s.processes_alive);
  assert_int_equal(base.bytes_allocated, s.bytes_allocated);
  gh_runtime_free(rt);
}

/* ---- The mailbox under concurrent senders --------------------------------- */

#define FIFO_SENDERS 4
#define FIFO_MSGS 20000

typedef struct fifo_sender {
  gh_runtime *rt;
  gh_pid to;
  int index;
  int failed_line;
  gh_status failed_status;
} fifo_sender;

/* Sends {index, 0}, {index, 1}, ... from a process of its own. */
static void fifo_send_all(fifo_sender *w) {
  gh_proc *p;
  CHECK(w, gh_spawn(w->rt, NULL, &p));
  for (int i = 0; i < FIFO_MSGS && !w->failed_line; i++) {
    gh_term t, elems[2] = {gh_small(w->index), gh_small(i)};
    CHECK(w, gh_tuple(p, 2, elems, &t));
    CHECK(w, gh_send(p, w->to, t));
  }
  CHECK(w, gh_exit(p)); /* its fragments outlive it in the mailbox */
}

static void *fifo_sender_main(void *arg) {
  fifo_send_all(arg);
  return NULL;
}

/* Several threads send to one process while its owner receives: each
 * sender's messages arrive complete, in the order sent, none lost or
 * doubled, and the queue length never counts fewer than can be received. */
static void concurrent_senders_keep_their_order(void **state) {
  gh_runtime *rt = new_runtime();
  gh_runtime_stats base;
  gh_runtime_stats_get(rt, &base);
  gh_proc *q;
  OK(gh_spawn(rt, NULL, &q));
  fifo_sender w[FIFO_SENDERS];
  pthread_t th[FIFO_SENDERS];
  for (int i = 0; i < FIFO_SENDERS; i++) {
    w[i] = (fifo_sender){rt, gh_self(q), i, 0, GH_OK};
    assert_int_equal(0, pthread_create(&th[i], NULL, fifo_sender_main, &w[i]));
  }
  long next[FIFO_SENDERS] = {0}, received = 0;
  while (received < (long)FIFO_SENDERS * FIFO_MSGS) {
    /* Never more than can still arrive: a negative count would wrap. */
    assert_true(gh_message_queue_len(q) <= (size_t)(FIFO_SENDERS * FIFO_MSGS - received));
    gh_term m;
    gh_status s = gh_receive(q, &m);
    if (s == GH_ERR_EMPTY) {
      sched_yield();
      continue;
    }
    OK(s);
    int from = (int)gh_small_value(gh_tuple_element(m, 0));
    assert_true(from >= 0 && from < FIFO_SENDERS);
    assert_int_equal(next[from], gh_small_value(gh_tuple_element(m, 1)));
    next[from]++;
    received++;
    assert_true(gh_message_queue_len(q) <= (size_t)(FIFO_SENDERS * FIFO_MSGS - received));
  }
  for (int i = 0; i < FIFO_SENDERS; i++) {
    pthread_join(th[i], NULL);
    if (w[i].failed_line)
      fail_msg("sender %d failed at line %d: %s", i, w[i].failed_line,
               gh_strerror(w[i].failed_status));
  }
  gh_term m;
  assert_int_equal(GH_ERR_EMPTY, gh_receive(q, &m));
  assert_int_equal(0, gh_message_queue_len(q));
  OK(gh_exit(q));
  gh_runtime_stats s;
  gh_runtime_stats_get(rt, &s);
  assert_int_equal(base.bytes_allocated, s.bytes_allocated);
  gh_runtime_free(rt);
}

/* ---- Sends racing the receiver's exit -------------------------------------- */

#define RACE_ROUNDS 200
#define RACE_SENDERS 3

static struct {
  _Atomic gh_pid target; /* the process being sent to (0: none yet) */
  atomic_int done;
  atomic_long attempts; /* sends made, whatever they returned */
} race;

/* Waits (a bounded while) until the senders have made `n` more sends: each
 * round then races sends that are really under way, however slow the
 * senders are (GC stress, sanitizers). */
static void await_sends(long n) {
  long start = atomic_load(&race.attempts);
  for (int i = 0; i < 100000 && atomic_load(&race.attempts) - start < n; i++)
    sched_yield();
}

typedef struct race_sender {
  gh_runtime *rt;
  long ok, noproc;
  int failed_line;
  gh_status failed_status;
} race_sender;

/* Sends a tuple holding a refc binary to whatever the target is, until the
 * main thread is done: every send succeeds or says GH_ERR_NOPROC. */
static void race_send(race_sender *w) {
  gh_proc *p;
  CHECK(w, gh_spawn(w->rt, NULL, &p));
  CHECK(w, gh_push(p, GH_NIL));
  gh_term b;
  CHECK(w, gh_binary(p, NULL, 500, &b));
  CHECK(w, gh_slot_set(p, 0, b));
  while (!atomic_load(&race.done) && !w->failed_line) {
    gh_term t, elems[2];
    CHECK(w, gh_slot_get(p, 0, &elems[0]));
    elems[1] = gh_small(w->ok);
    CHECK(w, gh_tuple(p, 2, elems, &t));
    gh_status s = gh_send(p, atomic_load(&race.target), t);
    atomic_fetch_add(&race.attempts, 1);
    if (s == GH_OK)
      w->ok++;
    else if (s == GH_ERR_NOPROC)
      w->noproc++;
    else
      CHECK(w, s);
  }
  CHECK(w, gh_exit(p));
}

static void *race_sender_main(void *arg) {
  race_send(arg);
  return NULL;
}

/* Receivers are spawned, receive a little and exit (or are killed by
 * max_heap_size) while other threads send to them: a send to a process
 * being torn down fails with GH_ERR_NOPROC, never touches freed memory (the
 * poisoning allocator, ASan and TSan check), and nothing is left over. */
static void sends_racing_exit_fail_cleanly(void **state) {
  gh_runtime *rt = new_poisoning_runtime(false);
  gh_runtime_stats base;
  gh_runtime_stats_get(rt, &base);
  atomic_store(&race.done, 0);
  atomic_store(&race.target, 0);
  race_sender w[RACE_SENDERS];
  pthread_t th[RACE_SENDERS];
  for (int i = 0; i < RACE_SENDERS; i++) {
    w[i] = (race_sender){rt, 0, 0, 0, GH_OK};
    assert_int_equal(0, pthread_create(&th[i], NULL, race_sender_main, &w[i]));
  }
  gh_spawn_options small;
  gh_spawn_options_init(&small);
  small.max_heap_size = 2000; /* some receivers die of what they receive */
  for (int r = 0; r < RACE_ROUNDS; r++) {
    gh_proc *q;
    OK(gh_spawn(rt, r % 3 == 0 ? &small : NULL, &q));
    atomic_store(&race.target, gh_self(q));
    await_sends(RACE_SENDERS);
    OK(gh_push(q, GH_NIL));
    for (int k = 0; k < r % 7 && gh_is_alive(q); k++) {
      gh_term m, c;
      gh_status s = gh_receive(q, &m);
      if (s == GH_ERR_EMPTY) {
        sched_yield();
        continue;
      }
      if (s == GH_ERR_KILLED)
        break;
      OK(s);
      s = gh_cons(q, m, slot(q, 0), &c); /* keep it: the heap grows */
      if (s == GH_ERR_KILLED)
        break;
      OK(s);
      OK(gh_slot_set(q, 0, c));
    }
    OK(gh_exit(q)); /* with whatever is still queued */
  }
  atomic_store(&race.done, 1);
  long ok = 0, noproc = 0;
  for (int i = 0; i < RACE_SENDERS; i++) {
    pthread_join(th[i], NULL);
    if (w[i].failed_line)
      fail_msg("sender %d failed at line %d: %s", i, w[i].failed_line,
               gh_strerror(w[i].failed_status));
    ok += w[i].ok;
    noproc += w[i].noproc;
  }
  assert_true(ok > 0);
  assert_true(noproc > 0); /* the last target, at least, is gone */
  gh_runtime_stats s;
  gh_runtime_stats_get(rt, &s);
  assert_int_equal(0, s.processes_alive);
  assert_int_equal(0, s.binaries_alive);
  assert_int_equal(base.bytes_allocated, s.bytes_allocated);
  gh_runtime_free(rt);
}

/* ---- Sends racing spawns (the pid table grows under the senders) ---------- */

typedef struct spawn_race {
  gh_runtime *rt;
  gh_pid to;
  long sent;
  int failed_line;
  gh_status failed_status;
} spawn_race;

static void spawn_race_send(spawn_race *w) {
  gh_proc *p;
  CHECK(w, gh_spawn(w->rt, NULL, &p));
  while (!atomic_load(&race.done) && w->sent < 100000 && !w->failed_line) {
    CHECK(w, gh_send(p, w->to, gh_small(w->sent)));
    w->sent++;
  }
  CHECK(w, gh_exit(p));
}

static void *spawn_race_main(void *arg) {
  spawn_race_send(arg);
  return NULL;
}

/* While another thread sends to one process, the main thread spawns enough
 * processes to grow the pid table several times, and exits them: no send
 * fails and none is lost. */
static void sends_find_their_receiver_while_the_table_grows(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *q;
  OK(gh_spawn(rt, NULL, &q));
  atomic_store(&race.done, 0);
  spawn_race w = {rt, gh_self(q), 0, 0, GH_OK};
  pthread_t th;
  assert_int_equal(0, pthread_create(&th, NULL, spawn_race_main, &w));
  enum { N = 600 };
  gh_proc *ps[N];
  long received = 0;
  gh_term m;
  for (int i = 0; i < N; i++) {
    OK(gh_spawn(rt, NULL, &ps[i]));
    if (gh_receive(q, &m) == GH_OK)
      assert_int_equal(received++, gh_small_value(m));
  }
  for (int i = 0; i < N; i++)
    OK(gh_exit(ps[i]));
  atomic_store(&race.done, 1);
  pthread_join(th, NULL);
  if (w.failed_line)
    fail_msg("sender failed at line %d: %s", w.failed_line, gh_strerror(w.failed_status));
  while (gh_receive(q, &m) == GH_OK)
    assert_int_equal(received++, gh_small_value(m));
  assert_int_equal(w.sent, received);
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(threads_share_binaries_and_leave_nothing_behind),
      cmocka_unit_test(exits_racing_idle_passes_leave_nothing_behind),
      cmocka_unit_test(concurrent_senders_keep_their_order),
      cmocka_unit_test(sends_racing_exit_fail_cleanly),
      cmocka_unit_test(sends_find_their_receiver_while_the_table_grows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
