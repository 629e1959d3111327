/* test_errors.c -- bad input gets a status with a message, never a crash. */
#include "common.h"

static void null_arguments_are_reported(void **state) {
  gh_term t;
  assert_int_equal(GH_ERR_NULL, gh_runtime_new(NULL, NULL));
  assert_int_equal(GH_ERR_NULL, gh_spawn(NULL, NULL, NULL));
  assert_int_equal(GH_ERR_NULL, gh_cons(NULL, GH_NIL, GH_NIL, &t));
  assert_int_equal(GH_ERR_NULL, gh_push(NULL, GH_NIL));
  assert_int_equal(GH_ERR_NULL, gh_gc(NULL, GH_GC_MAJOR));
  assert_int_equal(GH_ERR_NULL, gh_hibernate(NULL));
  assert_int_equal(GH_ERR_NULL, gh_send(NULL, 1, GH_NIL));
  assert_int_equal(GH_ERR_NULL, gh_receive(NULL, &t));
  assert_int_equal(GH_ERR_NULL, gh_proc_info(NULL, NULL));
  assert_int_equal(GH_ERR_NULL, gh_exit(NULL));
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  assert_int_equal(GH_ERR_NULL, gh_cons(p, GH_NIL, GH_NIL, NULL));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void a_term_from_another_heap_is_refused(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  gh_term t, c;
  OK(gh_tuple(q, 2, NULL, &t));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_cons(p, t, GH_NIL, &c));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_push(p, t));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_send(p, gh_self(q), t));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_tuple(p, 1, &t, &c));
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

static void bad_values_and_ranges_are_refused(void **state) {
  gh_runtime *rt = new_runtime();
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.fullsweep_after = 70000; /* BEAM would wrap it to 4464: refuse instead */
  gh_proc *p;
  assert_int_equal(GH_ERR_BADARG, gh_spawn(rt, &so, &p));
  gh_spawn_options_init(&so);
  so.max_heap_size = 100; /* below min_heap_size: badarg, as BEAM */
  assert_int_equal(GH_ERR_BADARG, gh_spawn(rt, &so, &p));
  p = spawn_default(rt);
  gh_term t;
  assert_int_equal(GH_ERR_RANGE, gh_slot_get(p, 0, &t));
  assert_int_equal(GH_ERR_RANGE, gh_pop(p, 1));
  assert_int_equal(GH_ERR_BADARG, gh_push(p, (gh_term)0)); /* a header */
  assert_int_equal(GH_ERR_BADARG, gh_gc(p, (gh_gc_kind)9));
  assert_int_equal(GH_ERR_EMPTY, gh_receive(p, &t));
  assert_int_equal(GH_ERR_NOT_A_BINARY, gh_sub_binary(p, GH_NIL, 0, 0, &t));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void every_status_has_a_message(void **state) {
  for (int s = GH_OK; s <= GH_ERR_BUSY; s++) {
    const char *m = gh_strerror((gh_status)s);
    assert_non_null(m);
    assert_true(strlen(m) > 5);
    assert_string_not_equal("unknown status", m);
  }
  assert_string_equal("unknown status", gh_strerror((gh_status)999));
  assert_string_equal("hibernate", gh_sweep_reason_name(GH_SWEEP_HIBERNATE));
  assert_string_equal("0.1.0", gh_version());
}

static void verify_accepts_a_healthy_heap(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 3000);
  char why[128];
  OK(gh_verify(p, why, sizeof why));
  assert_string_equal("", why);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* gh_verify must be able to fail: plant an old-to-young pointer by hand. */
static void verify_detects_an_old_term_pointing_to_a_young_one(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 10);
  OK(gh_gc(p, GH_GC_MAJOR));
  OK(gh_gc(p, GH_GC_MINOR)); /* the list is on the old heap now */
  assert_int_equal(20, info_of(p).old_heap_size);
  gh_term young;
  OK(gh_tuple(p, 1, NULL, &young));
  gh_term *old_cell = (gh_term *)(uintptr_t)(slot(p, 0) & ~(gh_term)3);
  gh_term saved = old_cell[0];
  old_cell[0] = young;
  char why[160];
  assert_int_equal(GH_ERR_BADARG, gh_verify(p, why, sizeof why));
  assert_non_null(strstr(why, "young generation"));
  old_cell[0] = saved;
  OK(gh_verify(p, why, sizeof why));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(null_arguments_are_reported),
      cmocka_unit_test(a_term_from_another_heap_is_refused),
      cmocka_unit_test(bad_values_and_ranges_are_refused),
      cmocka_unit_test(every_status_has_a_message),
      cmocka_unit_test(verify_accepts_a_healthy_heap),
      cmocka_unit_test(verify_detects_an_old_term_pointing_to_a_young_one),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
