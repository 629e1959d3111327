/* test_census.c -- gh_census counts what a full sweep would keep, exactly,
 * and changes nothing; gh_runtime_census_idle counts each wait once.
 *
 * The oracle for "exactly" is the collector itself: a full sweep right
 * after a census must reclaim young_size + old_size - young_live - old_live
 * words and keep young_live + old_live, and release exactly the refc-binary
 * words the census found unreferenced. */
#include "common.h"

#include <pthread.h>

static gh_census_info census_of(gh_proc *p) {
  gh_census_info c;
  OK(gh_census(p, &c));
  return c;
}

/* What a full sweep does after the census, against what the census said. */
static void assert_sweep_agrees(gh_proc *p, const gh_census_info *c) {
  gh_gc_info before = info_of(p);
  OK(gh_gc(p, GH_GC_MAJOR));
  gh_gc_info after = info_of(p);
  size_t garbage = c->young_size + c->old_size - c->young_live - c->old_live;
  assert_int_equal(garbage, after.words_reclaimed - before.words_reclaimed);
  assert_int_equal(c->young_live + c->old_live, after.heap_size);
  assert_int_equal(0, after.old_heap_size);
  assert_int_equal(c->bin_young_live + c->bin_old_live, after.bin_vheap_size);
}

/* Slot 0 holds a list promoted to the old heap by two minor GCs. */
static void promote_list(gh_proc *p, size_t cells) {
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, cells);
  OK(gh_gc(p, GH_GC_MINOR));
  OK(gh_gc(p, GH_GC_MINOR));
}

static void empty_process_has_nothing_live(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  gh_census_info c = census_of(p);
  assert_int_equal(0, c.young_size);
  assert_int_equal(0, c.young_live);
  assert_int_equal(0, c.old_size);
  assert_int_equal(0, c.old_live);
  assert_int_equal(0, c.bin_young_size + c.bin_old_size);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void dropped_old_list_is_all_garbage(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  promote_list(p, 5000);
  gh_census_info live = census_of(p);
  assert_true(live.old_size >= 10000);
  assert_int_equal(10000, live.old_live + live.young_live); /* the list: 2 words a cell */
  OK(gh_slot_set(p, 0, GH_NIL));
  gh_census_info c = census_of(p);
  assert_int_equal(live.old_size, c.old_size);
  assert_int_equal(0, c.old_live);
  assert_int_equal(0, c.young_live);
  assert_sweep_agrees(p, &c);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void live_cache_on_old_heap_is_all_live(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  promote_list(p, 5000);
  gh_gc_info i = info_of(p);
  gh_census_info c = census_of(p);
  if (!stress(rt)) /* normal timing: the whole list is on the old heap */
    assert_int_equal(10000, c.old_live);
  assert_int_equal(i.old_heap_size, c.old_size);
  assert_int_equal(10000, c.old_live + c.young_live);
  assert_sweep_agrees(p, &c);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* Every kind of term, shared structure counted once, and binaries. */
static void counts_each_kind_as_the_collector_copies_it(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  gh_term t, f, hb, rb, sub, pair;
  OK(gh_float(p, 1.5, &f));            /* 2 words */
  OK(gh_push(p, f));
  OK(gh_binary(p, "hello", 5, &hb));   /* 3 words */
  OK(gh_push(p, hb));
  OK(gh_binary(p, NULL, 4000, &rb));   /* ProcBin: 6 words, 500 binary words */
  OK(gh_push(p, rb));
  OK(gh_sub_binary(p, slot(p, 2), 10, 100, &sub)); /* 5 words */
  OK(gh_push(p, sub));
  gh_term elems[4] = {slot(p, 0), slot(p, 1), slot(p, 3), slot(p, 0)};
  OK(gh_tuple(p, 4, elems, &t));       /* 5 words; the float twice */
  OK(gh_push(p, t));
  OK(gh_cons(p, slot(p, 4), slot(p, 4), &pair)); /* 2 words, the tuple twice */
  OK(gh_push(p, pair));
  churn(p, 100);
  OK(gh_binary(p, NULL, 3000, &rb));   /* garbage: 6 words, 375 binary words */
  gh_census_info c = census_of(p);
  assert_int_equal(2 + 3 + 6 + 5 + 5 + 2, c.young_live + c.old_live);
  assert_int_equal(500, c.bin_young_live + c.bin_old_live);
  assert_int_equal(500 + 375, c.bin_young_size + c.bin_old_size);
  assert_sweep_agrees(p, &c);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void old_binary_kept_only_by_garbage_is_counted(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  gh_term b;
  OK(gh_binary(p, NULL, 80000, &b)); /* 10000 binary words */
  OK(gh_push(p, b));
  OK(gh_gc(p, GH_GC_MINOR));
  OK(gh_gc(p, GH_GC_MINOR));
  gh_gc_info i = info_of(p);
  if (stress(rt) || i.bin_old_vheap_size == 0) { /* sweeps moved it young */
    OK(gh_exit(p));
    gh_runtime_free(rt);
    skip();
  }
  assert_int_equal(10000, i.bin_old_vheap_size);
  OK(gh_pop(p, 1));
  gh_census_info c = census_of(p);
  assert_int_equal(10000, c.bin_old_size);
  assert_int_equal(0, c.bin_old_live);
  assert_sweep_agrees(p, &c);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void received_fragment_counts_as_young(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *a = spawn_default(rt), *b = spawn_default(rt);
  gh_term msg, elems[3] = {gh_small(1), gh_small(2), gh_small(3)};
  OK(gh_tuple(a, 3, elems, &msg));
  OK(gh_send(a, gh_self(b), msg));
  gh_term got;
  OK(gh_receive(b, &got));
  OK(gh_push(b, got));
  gh_census_info c = census_of(b);
  assert_int_equal(4, c.young_live + c.old_live); /* GC stress may promote it */
  assert_true(c.young_size + c.old_size >= 4);
  assert_sweep_agrees(b, &c);
  OK(gh_exit(a));
  OK(gh_exit(b));
  gh_runtime_free(rt);
}

/* Deep nesting: the walk has its own stack, not the C stack. */
static void deep_structure_is_walked_without_recursion(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  size_t depth = stress(rt) ? 2000 : 200000;
  for (size_t i = 0; i < depth; i++) { /* {{{...}}}: each tuple holds the last */
    gh_term t, e = slot(p, 0);
    OK(gh_tuple(p, 1, &e, &t));
    OK(gh_slot_set(p, 0, t));
  }
  gh_census_info c = census_of(p);
  assert_int_equal(2 * depth, c.young_live + c.old_live);
  assert_sweep_agrees(p, &c);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void census_moves_nothing_and_resizes_nothing(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  promote_list(p, 3000);
  gh_term b;
  OK(gh_binary(p, NULL, 1000, &b));
  OK(gh_push(p, b));
  churn(p, 500);
  gh_term s0 = slot(p, 0), s1 = slot(p, 1);
  gh_gc_info before = info_of(p);
  gh_runtime_stats rs0, rs1;
  gh_runtime_stats_get(rt, &rs0);
  gh_census_info c = census_of(p);
  gh_gc_info after = info_of(p);
  gh_runtime_stats_get(rt, &rs1);
  assert_memory_equal(&before, &after, sizeof before);
  assert_int_equal(s0, slot(p, 0)); /* the same words: nothing moved */
  assert_int_equal(s1, slot(p, 1));
  assert_int_equal(rs0.bytes_allocated, rs1.bytes_allocated);
  assert_int_equal(rs0.heap_words, rs1.heap_words);
  char why[160];
  OK(gh_verify(p, why, sizeof why));
  assert_int_equal(before.heap_size + before.mbuf_size, c.young_size);
  assert_int_equal(before.old_heap_size, c.old_size);
  assert_int_equal(before.bin_vheap_size, c.bin_young_size);
  assert_list(p, 0, 1, 3000);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void census_of_dead_process_fails(void **state) {
  gh_runtime *rt = new_runtime();
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.max_heap_size = 1000;
  gh_proc *p;
  OK(gh_spawn(rt, &so, &p));
  OK(gh_push(p, GH_NIL));
  gh_status s = GH_OK;
  for (int i = 0; i < 10000 && s == GH_OK; i++) {
    gh_term c;
    s = gh_cons(p, gh_small(i), slot(p, 0), &c);
    if (s == GH_OK)
      s = gh_slot_set(p, 0, c);
  }
  assert_int_equal(GH_ERR_KILLED, s);
  gh_census_info c;
  assert_int_equal(GH_ERR_DEAD, gh_census(p, &c));
  assert_int_equal(GH_ERR_NULL, gh_census(NULL, &c));
  assert_int_equal(GH_ERR_NULL, gh_census(p, NULL));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* ---- allocation failures ------------------------------------------------- */

static void census_without_memory_fails_cleanly(void **state) {
  counting_alloc f = {0};
  gh_allocator a = counting_allocator(&f);
  gh_runtime *rt = new_runtime_on(&a);
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  for (size_t i = 0; i < 2000; i++) { /* a deep list: the walk must grow its stack */
    gh_term t, e = slot(p, 0);
    OK(gh_tuple(p, 1, &e, &t));
    OK(gh_slot_set(p, 0, t));
  }
  gh_gc_info before = info_of(p);
  long long bytes = f.live_bytes;
  for (long k = 1; k <= 4; k++) { /* fail the census's 1st, 2nd... allocation */
    f.calls = 0;
    f.fail_from = k;
    gh_census_info c;
    gh_status s = gh_census(p, &c);
    f.fail_from = 0;
    if (s == GH_OK)
      break; /* it needed fewer allocations than k */
    assert_int_equal(GH_ERR_NOMEM, s);
    assert_int_equal(bytes, f.live_bytes);
    gh_gc_info after = info_of(p);
    assert_memory_equal(&before, &after, sizeof before);
  }
  OK(gh_exit(p));
  gh_runtime_free(rt);
  assert_int_equal(0, f.live_bytes);
}

/* ---- gh_runtime_census_idle --------------------------------------------- */

static uint64_t fake_now;
static uint64_t fake_clock(void *ctx) {
  (void)ctx;
  return fake_now;
}

static gh_runtime *runtime_with_clock(void) {
  gh_runtime_options o;
  gh_runtime_options_init(&o);
  o.verify = true;
  o.clock = fake_clock;
  gh_runtime *rt;
  OK(gh_runtime_new(&o, &rt));
  return rt;
}

static void idle_census_counts_each_wait_once(void **state) {
  fake_now = 1000;
  gh_runtime *rt = runtime_with_clock();
  gh_proc *idle = spawn_default(rt), *busy = spawn_default(rt);
  OK(gh_wait(idle));
  size_t n = 99;
  OK(gh_runtime_census_idle(rt, 500, &n));
  assert_int_equal(0, n); /* waited 0 ms */
  fake_now += 600;
  OK(gh_runtime_census_idle(rt, 500, &n));
  assert_int_equal(1, n); /* `busy` never waited */
  fake_now += 600;
  OK(gh_runtime_census_idle(rt, 500, &n));
  assert_int_equal(0, n); /* same wait: its heap cannot have changed */
  OK(gh_resume(idle));
  OK(gh_wait(idle));
  fake_now += 600;
  OK(gh_runtime_census_idle(rt, 500, &n));
  assert_int_equal(1, n); /* a new wait */
  OK(gh_resume(idle));
  assert_int_equal(GH_ERR_NULL, gh_runtime_census_idle(NULL, 0, &n));
  OK(gh_exit(idle));
  OK(gh_exit(busy));
  gh_runtime_free(rt);
}

/* A wait that begins after the pass read the clock is not "in the future":
 * hibernate_after must not fire at once (the clock is read per process). */
static void wait_begun_after_the_clock_read_is_not_long(void **state) {
  fake_now = 5000;
  gh_runtime *rt = runtime_with_clock();
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.hibernate_after_ms = 100;
  gh_proc *p;
  OK(gh_spawn(rt, &so, &p));
  fake_now = 6000;
  OK(gh_wait(p));  /* wait_since 6000 */
  fake_now = 5999; /* a clock that a pass read before the wait began */
  size_t n = 9;
  OK(gh_runtime_hibernate_idle(rt, &n));
  assert_int_equal(0, n);
  fake_now = 6100;
  OK(gh_runtime_hibernate_idle(rt, &n));
  assert_int_equal(1, n);
  OK(gh_resume(p));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* Spawn and exit go on while an idle pass works: it never holds the
 * registry lock during a sweep or a census. */
struct spawner {
  gh_runtime *rt;
  int done;
};

static void *spawn_many(void *arg) {
  struct spawner *s = arg;
  for (int i = 0; i < 200; i++) {
    gh_proc *q;
    OK(gh_spawn(s->rt, NULL, &q));
    OK(gh_exit(q));
  }
  __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

static void idle_passes_run_beside_spawn_and_exit(void **state) {
  gh_runtime *rt = new_runtime();
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.hibernate_after_ms = 1;
  enum { N = 8 };
  gh_proc *ps[N];
  for (int i = 0; i < N; i++) {
    OK(gh_spawn(rt, &so, &ps[i]));
    promote_list(ps[i], 2000);
    OK(gh_wait(ps[i]));
  }
  struct spawner s = {rt, 0};
  pthread_t t;
  assert_int_equal(0, pthread_create(&t, NULL, spawn_many, &s));
  while (!__atomic_load_n(&s.done, __ATOMIC_ACQUIRE)) {
    size_t n;
    OK(gh_runtime_census_idle(rt, 0, &n));
    OK(gh_runtime_hibernate_idle(rt, &n));
  }
  pthread_join(t, NULL);
  for (int i = 0; i < N; i++) {
    OK(gh_resume(ps[i]));
    assert_list(ps[i], 0, 1, 2000);
    OK(gh_exit(ps[i]));
  }
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(empty_process_has_nothing_live),
      cmocka_unit_test(dropped_old_list_is_all_garbage),
      cmocka_unit_test(live_cache_on_old_heap_is_all_live),
      cmocka_unit_test(counts_each_kind_as_the_collector_copies_it),
      cmocka_unit_test(old_binary_kept_only_by_garbage_is_counted),
      cmocka_unit_test(received_fragment_counts_as_young),
      cmocka_unit_test(deep_structure_is_walked_without_recursion),
      cmocka_unit_test(census_moves_nothing_and_resizes_nothing),
      cmocka_unit_test(census_of_dead_process_fails),
      cmocka_unit_test(census_without_memory_fails_cleanly),
      cmocka_unit_test(idle_census_counts_each_wait_once),
      cmocka_unit_test(wait_begun_after_the_clock_read_is_not_long),
      cmocka_unit_test(idle_passes_run_beside_spawn_and_exit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
