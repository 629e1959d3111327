/* test_threads.c -- four threads, each owning a process, send each other
 * small terms and shared binaries while a fifth hibernates idle ones.  At the
 * end every reference count is zero and the runtime shows nothing alive.
 * Run under TSan by .ci/run. */
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(threads_share_binaries_and_leave_nothing_behind),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
