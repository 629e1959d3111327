/* test_reserve.c -- reservations, the put builders, relative slots and the
 * push forms (genheap.h, "Reserve, then build without collections").
 *
 * The promise under test: after gh_reserve(p, N, ...), building up to N
 * words with the gh_put_* builders never collects, so terms held in C
 * variables stay valid until the next [GC] call -- also in GC-stress mode,
 * where every other allocation collects.  The runtimes here poison what
 * they free, so a term that went stale reads as garbage even without ASan,
 * and verify every collection. */
#include "common.h"

static uint64_t collections(gh_proc *p) {
  gh_gc_info i = info_of(p);
  return i.minor_gcs + i.full_sweeps;
}

static void assert_verified(gh_proc *p) {
  char why[200] = "";
  if (gh_verify(p, why, sizeof why) != GH_OK)
    fail_msg("gh_verify: %s", why);
}

/* t is [from + n - 1, ..., from + 1, from]: a list consed from `from` up. */
static void assert_countdown(gh_term t, int64_t from, size_t n) {
  for (size_t i = n; i-- > 0;) {
    assert_int_equal(GH_T_CONS, gh_typeof(t));
    assert_int_equal(from + (int64_t)i, gh_small_value(gh_car(t)));
    t = gh_cdr(t);
  }
  assert_int_equal(GH_NIL, t);
}

static gh_term put_countdown(gh_proc *p, int64_t from, size_t n, gh_term tail) {
  for (size_t i = 0; i < n; i++)
    tail = gh_put_cons(p, gh_small(from + (int64_t)i), tail);
  return tail;
}

static void
put_builders_never_collect_inside_a_reservation_even_under_stress(void **state) {
  gh_runtime *rt = new_poisoning_runtime(true);
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 50); /* live data the collections would move */
  OK(gh_reserve(p, 3 * 1000 + 4 + 2 + 2 * 3, NULL, 0));
  uint64_t before = collections(p);
  gh_term list = put_countdown(p, 0, 1000, GH_NIL);       /* 2000 words */
  gh_term inner = put_countdown(p, 100, 500, GH_NIL);     /* 1000 words */
  gh_term three[3] = {list, inner, gh_put_float(p, 2.5)}; /* 2 words */
  gh_term tuple = gh_put_tuple(p, 3, three);              /* 4 words */
  gh_term listed = gh_put_list(p, 3, three);              /* 6 words */
  assert_int_equal(before, collections(p));               /* nothing collected */
  assert_countdown(list, 0, 1000); /* and nothing moved or was freed */
  assert_countdown(gh_tuple_element(tuple, 1), 100, 500);
  assert_true(gh_float_value(gh_tuple_element(tuple, 2)) == 2.5);
  assert_true(terms_equal(p, gh_car(gh_cdr(listed)), inner));
  assert_verified(p);
  OK(gh_push(p, tuple)); /* [GC]: keep it, as a slot */
  OK(gh_gc(p, GH_GC_MAJOR));
  assert_countdown(gh_tuple_element(slot(p, 1), 0), 0, 1000);
  assert_list(p, 0, 1, 50);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void checked_builders_do_collect_under_stress(void **state) {
  /* The contrast that makes the test above meaningful: the same work through
   * a [GC] builder collects at every call in stress mode. */
  gh_runtime *rt = new_poisoning_runtime(true);
  gh_proc *p = spawn_default(rt);
  OK(gh_reserve(p, 100, NULL, 0));
  uint64_t before = collections(p);
  gh_term c;
  OK(gh_cons(p, gh_small(1), GH_NIL, &c));
  assert_int_equal(before + 1, collections(p));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void reserve_collects_once_under_stress_with_its_terms_as_roots(void **state) {
  gh_runtime *rt = new_poisoning_runtime(true);
  gh_proc *p = spawn_default(rt);
  OK(gh_reserve(p, 2 * 300 + 3 + 100, NULL, 0));
  gh_term live[2] = {put_countdown(p, 7, 300, GH_NIL), GH_NIL};
  live[1] = gh_put_tuple(p, 2, (gh_term[]){gh_small(1), live[0]});
  gh_term where_before = live[0];
  uint64_t before = collections(p);
  const gh_proc_fast *f = (const gh_proc_fast *)p;
  assert_true(f->stop - f->htop >= 10 + 4); /* the room is there... */
  /* ...but GC-stress mode collects at every reservation.  Nothing roots
   * the terms but the call: they are its arguments. */
  OK(gh_reserve(p, 10, live, 2));
  assert_int_equal(before + 1, collections(p));
  assert_true(live[0] != where_before); /* moved, and updated in place */
  assert_countdown(live[0], 7, 300);
  assert_true(gh_tuple_element(live[1], 1) == live[0]); /* sharing kept */
  assert_verified(p);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void reserve_collects_only_when_the_room_is_short(void **state) {
  gh_runtime *rt = new_poisoning_runtime(false);
  SKIP_UNDER_STRESS(rt);
  gh_proc *p = spawn_default(rt); /* 233 words */
  uint64_t before = collections(p);
  OK(gh_reserve(p, 100, NULL, 0));
  assert_int_equal(before, collections(p)); /* it fits: no collection */
  gh_term kept = put_countdown(p, 0, 50, GH_NIL);
  OK(gh_reserve(p, 5000, &kept, 1)); /* it does not: one, which grows the heap */
  assert_int_equal(before + 1, collections(p));
  assert_true(info_of(p).heap_block_size >= 5000);
  gh_term list = put_countdown(p, 50, 2500, kept); /* exactly the 5000 words */
  assert_int_equal(before + 1, collections(p));
  assert_int_equal(0, info_of(p).mbuf_size); /* all in the young heap */
  assert_countdown(list, 0, 2550);
  assert_verified(p);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void building_past_the_reservation_still_never_collects(void **state) {
  gh_runtime *rt = new_poisoning_runtime(false);
  gh_proc *p = spawn_default(rt);
  OK(gh_reserve(p, 10, NULL, 0));
  uint64_t before = collections(p);
  gh_term list = put_countdown(p, 0, 20000, GH_NIL); /* 40000 words: far past */
  assert_int_equal(before, collections(p));
  assert_true(info_of(p).mbuf_size > 0); /* the rest went to heap fragments */
  assert_countdown(list, 0, 20000);
  assert_verified(p);
  OK(gh_push(p, list));
  OK(gh_gc(p, GH_GC_MINOR)); /* merges the fragments like received messages */
  assert_int_equal(0, info_of(p).mbuf_size);
  assert_countdown(slot(p, 0), 0, 20000);
  assert_verified(p);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* An allocator that fails every call while `failing` is set. */
static bool failing;
static void *maybe_alloc(void *ctx, size_t bytes) {
  return failing ? NULL : malloc(bytes);
}
static void plain_free(void *ctx, void *ptr, size_t bytes) { free(ptr); }

static void a_failed_put_fails_every_put_until_the_next_reserve(void **state) {
  static const gh_allocator a = {maybe_alloc, NULL, plain_free, NULL};
  gh_runtime *rt = new_runtime_on(&a);
  gh_proc *p = spawn_default(rt);
  OK(gh_reserve(p, 4, NULL, 0));
  gh_term good = gh_put_cons(p, gh_small(1), GH_NIL);
  failing = true;
  gh_term t = put_countdown(p, 0, 5000, good); /* past the room: no fragment */
  assert_int_equal(GH_NONE, t);
  assert_int_equal(GH_NONE, gh_put_cons(p, gh_small(2), GH_NIL)); /* sticky */
  assert_int_equal(GH_T_INVALID, gh_typeof(t));
  /* The checked calls refuse it, with the reason. */
  assert_int_equal(GH_ERR_NOMEM, gh_push(p, t));
  assert_int_equal(GH_ERR_NOMEM, gh_send(p, gh_self(p), t));
  assert_int_equal(GH_ERR_NOMEM, gh_reserve(p, 1, &t, 1));
  failing = false;
  assert_verified(p); /* what was built before the failure is intact */
  assert_int_equal(1, gh_small_value(gh_car(good)));
  OK(gh_reserve(p, 2, NULL, 0)); /* clears it */
  gh_term ok = gh_put_cons(p, gh_small(3), GH_NIL);
  assert_int_equal(GH_T_CONS, gh_typeof(ok));
  assert_int_equal(GH_ERR_BADARG, gh_push(p, GH_NONE)); /* no failure now */
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void put_builders_on_a_dead_or_missing_process_return_none(void **state) {
  gh_runtime *rt = new_runtime();
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.max_heap_size = 1000;
  gh_proc *p;
  OK(gh_spawn(rt, &so, &p));
  OK(gh_reserve(p, 5000, NULL, 0)); /* grows the heap past the limit */
  assert_int_equal(GH_ERR_KILLED, gh_gc(p, GH_GC_MINOR));
  assert_int_equal(GH_NONE, gh_put_cons(p, gh_small(1), GH_NIL));
  assert_int_equal(GH_NONE, gh_put_tuple(p, 0, NULL));
  assert_int_equal(GH_NONE, gh_put_float(p, 1.0));
  assert_int_equal(GH_ERR_DEAD, gh_reserve(p, 1, NULL, 0));
  assert_int_equal(GH_NONE, gh_put_cons(NULL, gh_small(1), GH_NIL));
  assert_int_equal(GH_ERR_NULL, gh_reserve(NULL, 1, NULL, 0));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void reserve_checks_its_terms(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  gh_term foreign;
  OK(gh_cons(q, gh_small(1), GH_NIL, &foreign));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_reserve(p, 1, &foreign, 1));
  gh_term header = 0x40; /* a tuple header word: never a term */
  assert_int_equal(GH_ERR_BADARG, gh_reserve(p, 1, &header, 1));
  assert_int_equal(GH_ERR_NULL, gh_reserve(p, 1, NULL, 1));
  assert_int_equal(GH_ERR_TOO_LARGE, gh_reserve(p, SIZE_MAX / 2, NULL, 0));
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

static void put_terms_equal_the_checked_builders(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  gh_term elems[4] = {gh_small(1), gh_atom(7), GH_NIL, gh_pid_term(gh_self(p))};
  OK(gh_push_tuple(p, 4, elems));
  OK(gh_push_list(p, 4, elems));
  OK(gh_float(p, -0.5, &elems[2]));
  OK(gh_push(p, elems[2]));
  elems[2] = GH_NIL;
  OK(gh_reserve(p, 5 + 8 + 2 + 1, NULL, 0));
  gh_term t = gh_put_tuple(p, 4, elems), l = gh_put_list(p, 4, elems);
  gh_term f = gh_put_float(p, -0.5), e = gh_put_tuple(p, 0, NULL);
  assert_true(terms_equal(p, t, slot(p, -3)));
  assert_true(terms_equal(p, l, slot(p, -2)));
  assert_true(terms_equal(p, f, slot(p, -1)));
  assert_int_equal(5, flat_size(p, t));
  assert_int_equal(8, flat_size(p, l));
  assert_int_equal(0, gh_tuple_arity(e));
  assert_int_equal(GH_NIL, gh_put_list(p, 0, NULL));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void negative_slots_count_from_the_top(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, gh_small(10)));
  OK(gh_push(p, gh_small(11)));
  OK(gh_push(p, gh_small(12)));
  assert_int_equal(gh_small(12), slot(p, -1));
  assert_int_equal(gh_small(10), slot(p, -3));
  gh_term t;
  assert_int_equal(GH_ERR_RANGE, gh_slot_get(p, -4, &t));
  assert_int_equal(GH_ERR_RANGE, gh_slot_set(p, -4, GH_NIL));
  assert_int_equal(GH_ERR_RANGE, gh_slot_get(p, PTRDIFF_MIN, &t));
  uint64_t writes = ((const gh_proc_fast *)p)->root_writes;
  OK(gh_slot_set(p, -2, gh_small(21)));
  assert_int_equal(writes + 1, ((const gh_proc_fast *)p)->root_writes); /* counted */
  assert_int_equal(gh_small(21), slot(p, 1));
  OK(gh_pop(p, 1));
  assert_int_equal(gh_small(21), slot(p, -1)); /* the top moved down */
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void push_forms_root_their_results(void **state) {
  gh_runtime *rt = new_poisoning_runtime(true);
  gh_proc *p = spawn_default(rt);
  OK(gh_push_cons(p, gh_small(1), GH_NIL));
  OK(gh_push_cons(p, gh_small(2), slot(p, -1)));
  OK(gh_push_binary(p, "a heap binary", 13));
  OK(gh_push_list(p, 2, (gh_term[]){slot(p, -1), slot(p, -2)}));
  churn(p, 2000); /* collections: the pushed results move with their slots */
  assert_int_equal(4, gh_depth(p));
  assert_int_equal(2, gh_small_value(gh_car(slot(p, 1))));
  const uint8_t *bytes;
  size_t n;
  OK(gh_binary_data(gh_car(slot(p, -1)), &bytes, &n));
  assert_int_equal(13, n);
  assert_memory_equal("a heap binary", bytes, 13);
  assert_int_equal(GH_ERR_FOREIGN_TERM,
                   gh_push_cons(p, (gh_term)(uintptr_t)&n + 1, GH_NIL));
  assert_int_equal(4, gh_depth(p));
  assert_verified(p);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(put_builders_never_collect_inside_a_reservation_even_under_stress),
      cmocka_unit_test(checked_builders_do_collect_under_stress),
      cmocka_unit_test(reserve_collects_once_under_stress_with_its_terms_as_roots),
      cmocka_unit_test(reserve_collects_only_when_the_room_is_short),
      cmocka_unit_test(building_past_the_reservation_still_never_collects),
      cmocka_unit_test(a_failed_put_fails_every_put_until_the_next_reserve),
      cmocka_unit_test(put_builders_on_a_dead_or_missing_process_return_none),
      cmocka_unit_test(reserve_checks_its_terms),
      cmocka_unit_test(put_terms_equal_the_checked_builders),
      cmocka_unit_test(negative_slots_count_from_the_top),
      cmocka_unit_test(push_forms_root_their_results),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
