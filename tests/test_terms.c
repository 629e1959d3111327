/* test_terms.c -- the term model: immediates, sizes equal to BEAM's
 * (erts_debug:flat_size), readers, structural equality. */
#include "common.h"

static void immediates_round_trip_and_take_no_heap(void **state) {
  assert_int_equal(GH_SMALL_MAX, gh_small_value(gh_small(GH_SMALL_MAX)));
  assert_int_equal(GH_SMALL_MIN, gh_small_value(gh_small(GH_SMALL_MIN)));
  assert_int_equal(-1, gh_small_value(gh_small(-1)));
  assert_int_equal(GH_T_SMALL, gh_typeof(gh_small(0)));
  assert_int_equal(GH_T_ATOM, gh_typeof(gh_atom(42)));
  assert_int_equal(42, gh_atom_index(gh_atom(42)));
  assert_int_equal(GH_T_PID, gh_typeof(gh_pid_term(7)));
  assert_int_equal(7, gh_pid_value(gh_pid_term(7)));
  assert_int_equal(GH_T_NIL, gh_typeof(GH_NIL));
  assert_int_equal(0, gh_flat_size(gh_small(5)));
  assert_int_equal(0, gh_flat_size(GH_NIL));
}

static void boxed_terms_take_beams_word_sizes(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  gh_term t, c, f, b;
  OK(gh_cons(p, gh_small(1), GH_NIL, &c));
  assert_int_equal(2, gh_flat_size(c));
  OK(gh_tuple(p, 3, NULL, &t));
  assert_int_equal(4, gh_flat_size(t));
  OK(gh_tuple(p, 0, NULL, &t));
  assert_int_equal(1, gh_flat_size(t));
  OK(gh_float(p, 1.5, &f));
  assert_int_equal(2, gh_flat_size(f));
  OK(gh_binary(p, "abc", 3, &b));
  assert_int_equal(3, gh_flat_size(b));
  OK(gh_binary(p, NULL, 64, &b));
  assert_int_equal(10, gh_flat_size(b));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void readers_return_what_was_built(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  gh_term elems[3] = {gh_small(1), gh_atom(2), GH_NIL}, t, l;
  OK(gh_tuple(p, 3, elems, &t));
  assert_int_equal(GH_T_TUPLE, gh_typeof(t));
  assert_int_equal(3, gh_tuple_arity(t));
  assert_int_equal(2, gh_atom_index(gh_tuple_element(t, 1)));
  OK(gh_list(p, 3, elems, &l));
  assert_int_equal(1, gh_small_value(gh_car(l)));
  assert_int_equal(GH_NIL, gh_car(gh_cdr(gh_cdr(l))));
  assert_int_equal(GH_NIL, gh_cdr(gh_cdr(gh_cdr(l))));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void equality_is_structural(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 1000);
  build_list_in_slot(p, 1, 1, 1000);
  assert_true(gh_equal(slot(p, 0), slot(p, 1)));
  build_list_in_slot(p, 1, 2, 1000);
  assert_false(gh_equal(slot(p, 0), slot(p, 1)));
  gh_term a, b;
  OK(gh_binary(p, "xyz", 3, &a));
  OK(gh_push(p, a));
  OK(gh_binary(p, "xyz", 3, &b));
  OK(gh_slot_get(p, 2, &a));
  assert_true(gh_equal(a, b));
  assert_false(gh_equal(gh_small(1), gh_atom(1)));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(immediates_round_trip_and_take_no_heap),
      cmocka_unit_test(boxed_terms_take_beams_word_sizes),
      cmocka_unit_test(readers_return_what_was_built),
      cmocka_unit_test(equality_is_structural),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
