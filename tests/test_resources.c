/* test_resources.c -- resource terms: host objects with a destructor,
 * shared by reference like refc binaries, and destroyed exactly once on
 * every path that drops the last reference (minor GC, full sweep,
 * hibernation, exit, kill, a discarded message, the runtime's end), also
 * when threads share them.  Each test object counts its destructions. */
#include "common.h"

#include <pthread.h>

#define MAX_OBJS 4096

typedef struct tobj {
  int id;
  _Atomic int destroyed; /* destructor calls: must end at exactly 1 */
} tobj;

static tobj objs[MAX_OBJS];
static _Atomic int wrong_ctx;

static int type_ctx = 42;

static void destroy_tobj(void *ctx, void *obj) {
  if (ctx != &type_ctx)
    wrong_ctx++;
  ((tobj *)obj)->destroyed++;
}

static const gh_resource_type socket_type = {"socket", destroy_tobj, &type_ctx};
static const gh_resource_type file_type = {"file", destroy_tobj, &type_ctx};

static tobj *fresh(int id) {
  objs[id].id = id;
  objs[id].destroyed = 0;
  return &objs[id];
}

static uint64_t resources_alive(gh_runtime *rt) {
  gh_runtime_stats s;
  gh_runtime_stats_get(rt, &s);
  return s.resources_alive;
}

/* A resource on p for object id, pushed; its declared size is `size`. */
static tobj *push_resource(gh_proc *p, int id, size_t size) {
  tobj *o = fresh(id);
  OK(gh_push_resource(p, &socket_type, o, size));
  return o;
}

static void make_old_heap(gh_proc *p) {
  OK(gh_push_tuple(p, 1, NULL));
  OK(gh_gc(p, GH_GC_MAJOR));
  OK(gh_gc(p, GH_GC_MINOR));
  assert_true(info_of(p).old_heap_block_size > 0);
}

static void a_resource_reads_back_its_object_and_is_its_own_type(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  tobj *o = fresh(1);
  gh_term r, r2, bin;
  OK(gh_resource(p, &socket_type, o, 64, &r));
  OK(gh_push(p, r));
  r = slot(p, -1);
  assert_int_equal(GH_T_RESOURCE, gh_typeof(r));
  void *got = NULL;
  OK(gh_resource_get(r, &socket_type, &got));
  assert_ptr_equal(o, got);
  assert_int_equal(GH_ERR_NOT_A_RESOURCE, gh_resource_get(r, &file_type, &got));
  OK(gh_binary(p, NULL, 100, &bin)); /* [GC]: r is stale from here */
  assert_int_equal(GH_ERR_NOT_A_RESOURCE, gh_resource_get(bin, &socket_type, &got));
  r = slot(p, -1);
  assert_int_equal(GH_ERR_NOT_A_RESOURCE,
                   gh_resource_get(gh_small(1), &socket_type, &got));
  assert_int_equal(GH_ERR_NULL, gh_resource_get(r, NULL, &got));
  const uint8_t *bytes;
  size_t n;
  assert_int_equal(GH_ERR_NOT_A_BINARY, gh_binary_data(r, &bytes, &n));
  assert_int_equal(6, flat_size(p, slot(p, 0)));
  OK(gh_verify_term(p, slot(p, 0)));
  OK(gh_resource(p, &socket_type, fresh(2), 64, &r2));
  assert_false(terms_equal(p, slot(p, 0), r2)); /* identity, not contents */
  assert_true(terms_equal(p, slot(p, 0), slot(p, 0)));
  assert_int_equal(2, resources_alive(rt));
  OK(gh_exit(p));
  assert_int_equal(1, objs[1].destroyed);
  assert_int_equal(1, objs[2].destroyed);
  assert_int_equal(0, resources_alive(rt));
  assert_int_equal(0, wrong_ctx);
  gh_runtime_free(rt);
}

static void dropped_young_resource_is_destroyed_once_by_a_minor_gc(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  make_old_heap(p);
  tobj *o = push_resource(p, 3, 1000);
  OK(gh_gc(p, GH_GC_MINOR));
  assert_int_equal(0, o->destroyed); /* still held */
  OK(gh_pop(p, 1));
  gh_gc_info before = info_of(p);
  OK(gh_gc(p, GH_GC_MINOR));
  assert_int_equal(before.full_sweeps, info_of(p).full_sweeps);
  assert_int_equal(1, o->destroyed);
  assert_int_equal(0, resources_alive(rt));
  OK(gh_gc(p, GH_GC_MAJOR));
  OK(gh_exit(p));
  assert_int_equal(1, o->destroyed);
  gh_runtime_free(rt);
}

static void promoted_resource_is_destroyed_only_by_a_full_sweep(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  make_old_heap(p);
  tobj *o = push_resource(p, 4, 8000);
  OK(gh_gc(p, GH_GC_MINOR)); /* survives: mature */
  OK(gh_gc(p, GH_GC_MINOR)); /* promoted */
  assert_int_equal(1000, info_of(p).bin_old_vheap_size);
  OK(gh_pop(p, 1));
  OK(gh_gc(p, GH_GC_MINOR));
  assert_int_equal(0, o->destroyed); /* dead, but on the old heap */
  OK(gh_gc(p, GH_GC_MAJOR));
  assert_int_equal(1, o->destroyed);
  OK(gh_exit(p));
  assert_int_equal(1, o->destroyed);
  gh_runtime_free(rt);
}

static void hibernate_destroys_dead_resources_on_the_old_heap(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  make_old_heap(p);
  tobj *dead = push_resource(p, 5, 80), *kept = push_resource(p, 6, 80);
  OK(gh_gc(p, GH_GC_MINOR));
  OK(gh_gc(p, GH_GC_MINOR));
  OK(gh_slot_set(p, -2, GH_NIL));
  OK(gh_hibernate(p));
  assert_int_equal(1, dead->destroyed);
  assert_int_equal(0, kept->destroyed);
  assert_int_equal(1, resources_alive(rt));
  OK(gh_exit(p));
  assert_int_equal(1, dead->destroyed);
  assert_int_equal(1, kept->destroyed);
  gh_runtime_free(rt);
}

static void exit_destroys_every_held_resource_once(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  for (int i = 0; i < 100; i++) {
    gh_term r;
    OK(gh_resource(p, i % 2 ? &socket_type : &file_type, fresh(100 + i), 16, &r));
    if (i % 3)
      OK(gh_push(p, r));
  }
  make_old_heap(p); /* some on the old heap, some young, some garbage */
  OK(gh_exit(p));
  for (int i = 0; i < 100; i++)
    assert_int_equal(1, objs[100 + i].destroyed);
  assert_int_equal(0, resources_alive(rt));
  gh_runtime_stats s;
  gh_runtime_stats_get(rt, &s);
  assert_int_equal(0, s.resource_bytes);
  gh_runtime_free(rt);
}

static void kill_destroys_held_resources_once(void **state) {
  gh_runtime *rt = new_runtime();
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.max_heap_size = 4000;
  gh_proc *p;
  OK(gh_spawn(rt, &so, &p));
  tobj *o = push_resource(p, 7, 100);
  OK(gh_push(p, GH_NIL));
  gh_status s = GH_OK;
  for (int i = 0; s == GH_OK; i++) { /* grow until max_heap_size kills */
    gh_term c;
    if ((s = gh_cons(p, gh_small(i), slot(p, 1), &c)) == GH_OK)
      s = gh_slot_set(p, 1, c);
  }
  assert_int_equal(GH_ERR_KILLED, s);
  assert_int_equal(1, o->destroyed); /* released with the process */
  assert_int_equal(0, resources_alive(rt));
  OK(gh_exit(p));
  assert_int_equal(1, o->destroyed);
  gh_runtime_free(rt);
}

static void a_message_shares_a_resource_by_reference(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  tobj *o = push_resource(p, 8, 4096);
  OK(gh_push_tuple(p, 2, (gh_term[]){gh_atom(1), slot(p, 0)}));
  OK(gh_send(p, gh_self(q), slot(p, 1)));
  OK(gh_send(p, gh_self(q), slot(p, 0))); /* twice: left unread */
  gh_term m;
  OK(gh_receive(q, &m));
  void *got;
  OK(gh_resource_get(gh_tuple_element(m, 1), &socket_type, &got));
  assert_ptr_equal(o, got); /* the object itself, not a copy */
  OK(gh_push(q, m));
  gh_gc_info qi = info_of(q); /* declared 4096 bytes: young, or promoted */
  assert_int_equal(512, qi.bin_vheap_size + qi.bin_old_vheap_size);
  assert_int_equal(1, resources_alive(rt));
  OK(gh_pop(p, 2));
  OK(gh_gc(p, GH_GC_MAJOR)); /* the sender lets go */
  assert_int_equal(0, o->destroyed);
  OK(gh_exit(p));
  assert_int_equal(0, o->destroyed);
  OK(gh_gc(q, GH_GC_MAJOR)); /* still in q's slot, and in its mailbox */
  assert_int_equal(0, o->destroyed);
  OK(gh_exit(q)); /* the slot's and the unread message's references */
  assert_int_equal(1, o->destroyed);
  assert_int_equal(0, resources_alive(rt));
  gh_runtime_free(rt);
}

static void a_message_to_a_dead_pid_drops_its_reference(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  gh_pid gone = gh_self(q);
  OK(gh_exit(q));
  tobj *o = push_resource(p, 9, 8);
  assert_int_equal(GH_ERR_NOPROC, gh_send(p, gone, slot(p, 0)));
  assert_int_equal(0, o->destroyed);
  OK(gh_pop(p, 1));
  OK(gh_gc(p, GH_GC_MAJOR));
  assert_int_equal(1, o->destroyed); /* the discarded copy's was given back */
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void runtime_free_destroys_what_live_processes_hold(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  tobj *o = push_resource(p, 10, 8), *u = fresh(11);
  gh_term r;
  OK(gh_resource(q, &file_type, u, 8, &r));
  OK(gh_send(q, gh_self(p), r)); /* unread at the end */
  gh_runtime_free(rt);
  assert_int_equal(1, o->destroyed);
  assert_int_equal(1, u->destroyed);
}

static void declared_sizes_count_in_the_vheap_and_force_collections(void **state) {
  gh_runtime *rt = new_runtime();
  SKIP_UNDER_STRESS(rt);
  gh_proc *p = spawn_default(rt); /* bin_vheap_block_size 46422 words */
  tobj *o = push_resource(p, 12, 80000);
  assert_int_equal(10000, info_of(p).bin_vheap_size);
  assert_int_equal(1, info_of(p).refc_binaries);
  uint64_t gcs = info_of(p).minor_gcs + info_of(p).full_sweeps;
  for (int i = 0; i < 5; i++) { /* 5 x 10000 words of garbage resources */
    gh_term r;
    OK(gh_resource(p, &socket_type, fresh(13 + i), 80000, &r));
  }
  /* The heap is nearly empty, but the vheap overflowed: a collection ran
   * and destroyed the dropped ones it found. */
  assert_true(info_of(p).minor_gcs + info_of(p).full_sweeps > gcs);
  int destroyed = 0;
  for (int i = 0; i < 5; i++)
    destroyed += objs[13 + i].destroyed;
  assert_true(destroyed >= 1);
  assert_int_equal(0, o->destroyed);
  OK(gh_gc(p, GH_GC_MAJOR));
  for (int i = 0; i < 5; i++)
    assert_int_equal(1, objs[13 + i].destroyed);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void census_counts_a_reachable_resource_in_bin_words(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  push_resource(p, 20, 800);
  gh_term dropped;
  OK(gh_resource(p, &socket_type, fresh(21), 1600, &dropped));
  gh_census_info c;
  OK(gh_census(p, &c));
  assert_int_equal(300, c.bin_young_size); /* 100 + 200 words */
  assert_int_equal(100, c.bin_young_live);
  assert_true(c.young_live >= 6);
  OK(gh_gc(p, GH_GC_MAJOR)); /* the census said what the sweep keeps */
  assert_int_equal(100, info_of(p).bin_vheap_size);
  assert_int_equal(1, objs[21].destroyed);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static bool alloc_fails;
static void *switch_alloc(void *ctx, size_t bytes) {
  return alloc_fails ? NULL : malloc(bytes);
}
static void switch_free(void *ctx, void *ptr, size_t bytes) { free(ptr); }

static void a_failed_creation_leaves_the_object_with_the_host(void **state) {
  static const gh_allocator a = {switch_alloc, NULL, switch_free, NULL};
  gh_runtime_options o;
  gh_runtime_options_init(&o);
  o.allocator = &a;
  gh_runtime *rt;
  OK(gh_runtime_new(&o, &rt));
  gh_proc *p = spawn_default(rt);
  tobj *x = fresh(30);
  alloc_fails = true;
  gh_term r;
  assert_int_equal(GH_ERR_NOMEM, gh_resource(p, &socket_type, x, 8, &r));
  assert_int_equal(GH_ERR_NOMEM, gh_push_resource(p, &socket_type, x, 8));
  alloc_fails = false;
  assert_int_equal(0, gh_depth(p));
  assert_int_equal(0, resources_alive(rt));
  assert_int_equal(GH_ERR_NULL, gh_resource(p, NULL, x, 8, &r));
  OK(gh_exit(p));
  gh_spawn_options so; /* a process killed by max_heap_size: GH_ERR_DEAD */
  gh_spawn_options_init(&so);
  so.max_heap_size = 1000;
  OK(gh_spawn(rt, &so, &p));
  OK(gh_reserve(p, 5000, NULL, 0));
  assert_int_equal(GH_ERR_KILLED, gh_gc(p, GH_GC_MINOR));
  assert_int_equal(GH_ERR_DEAD, gh_resource(p, &socket_type, x, 8, &r));
  assert_int_equal(GH_ERR_DEAD, gh_push_resource(p, &socket_type, x, 8));
  OK(gh_exit(p));
  gh_runtime_free(rt);
  assert_int_equal(0, x->destroyed); /* never the library's */
}

/* ---- Threads ------------------------------------------------------------- */

#define NTHREADS   4
#define PER_THREAD 500

typedef struct worker {
  gh_proc *p;
  gh_pid peers[NTHREADS];
  int index;
  int failed_line;
} worker;

static _Atomic int workers_left;

#define WCHECK(w, expr)                                                                  \
  do {                                                                                   \
    if ((expr) != GH_OK) {                                                               \
      (w)->failed_line = __LINE__;                                                       \
      return;                                                                            \
    }                                                                                    \
  } while (0)

/* Takes whatever arrived; keeps the newest in slot 0, forwards some. */
static void drain(worker *w) {
  gh_term m;
  while (!w->failed_line && gh_receive(w->p, &m) == GH_OK) {
    WCHECK(w, gh_slot_set(w->p, 0, m));
    if (gh_small_value(gh_tuple_element(m, 0)) % 7 == 0)
      WCHECK(w,
             gh_send(w->p, w->peers[(w->index + 2) % NTHREADS], gh_tuple_element(m, 1)));
  }
}

static void work(worker *w) {
  WCHECK(w, gh_push(w->p, GH_NIL));
  for (int i = 0; i < PER_THREAD && !w->failed_line; i++) {
    int id = 1000 + w->index * PER_THREAD + i;
    gh_term r;
    WCHECK(w, gh_resource(w->p, &socket_type, fresh(id), 64, &r));
    gh_term live[1] = {r};
    WCHECK(w, gh_reserve(w->p, 3, live, 1));
    gh_term msg = gh_put_tuple(w->p, 2, (gh_term[]){gh_small(i), live[0]});
    WCHECK(w, gh_send(w->p, w->peers[(w->index + 1) % NTHREADS], msg));
    drain(w);
    if (i % 50 == 0) {
      WCHECK(w, gh_wait(w->p));
      WCHECK(w, gh_resume(w->p));
    }
  }
}

static void *worker_main(void *arg) {
  work(arg);
  workers_left--;
  return NULL;
}

static void *hibernator_main(void *arg) {
  while (workers_left > 0)
    gh_runtime_hibernate_idle(arg, NULL);
  return NULL;
}

static void threads_share_resources_and_destroy_each_once(void **state) {
  gh_runtime *rt = new_runtime();
  worker w[NTHREADS];
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.hibernate_after_ms = 1;
  for (int i = 0; i < NTHREADS; i++) {
    w[i] = (worker){.index = i};
    OK(gh_spawn(rt, &so, &w[i].p));
  }
  for (int i = 0; i < NTHREADS; i++)
    for (int j = 0; j < NTHREADS; j++)
      w[i].peers[j] = gh_self(w[j].p);
  workers_left = NTHREADS;
  pthread_t th[NTHREADS], hib;
  for (int i = 0; i < NTHREADS; i++)
    assert_int_equal(0, pthread_create(&th[i], NULL, worker_main, &w[i]));
  assert_int_equal(0, pthread_create(&hib, NULL, hibernator_main, rt));
  for (int i = 0; i < NTHREADS; i++)
    pthread_join(th[i], NULL);
  pthread_join(hib, NULL);
  for (int i = 0; i < NTHREADS; i++) {
    if (w[i].failed_line)
      fail_msg("worker %d failed at line %d", i, w[i].failed_line);
    drain(&w[i]);
  }
  for (int i = 0; i < NTHREADS; i++)
    OK(gh_exit(w[i].p));
  for (int id = 1000; id < 1000 + NTHREADS * PER_THREAD; id++)
    if (objs[id].destroyed != 1)
      fail_msg("object %d destroyed %d times", id, (int)objs[id].destroyed);
  assert_int_equal(0, resources_alive(rt));
  assert_int_equal(0, wrong_ctx);
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_resource_reads_back_its_object_and_is_its_own_type),
      cmocka_unit_test(dropped_young_resource_is_destroyed_once_by_a_minor_gc),
      cmocka_unit_test(promoted_resource_is_destroyed_only_by_a_full_sweep),
      cmocka_unit_test(hibernate_destroys_dead_resources_on_the_old_heap),
      cmocka_unit_test(exit_destroys_every_held_resource_once),
      cmocka_unit_test(kill_destroys_held_resources_once),
      cmocka_unit_test(a_message_shares_a_resource_by_reference),
      cmocka_unit_test(a_message_to_a_dead_pid_drops_its_reference),
      cmocka_unit_test(runtime_free_destroys_what_live_processes_hold),
      cmocka_unit_test(declared_sizes_count_in_the_vheap_and_force_collections),
      cmocka_unit_test(census_counts_a_reachable_resource_in_bin_words),
      cmocka_unit_test(a_failed_creation_leaves_the_object_with_the_host),
      cmocka_unit_test(threads_share_resources_and_destroy_each_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
