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
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  assert_int_equal(0, flat_size(p, gh_small(5)));
  assert_int_equal(0, flat_size(p, GH_NIL));
  assert_int_equal(0, flat_size(p, gh_pid_term(gh_self(p))));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void boxed_terms_take_beams_word_sizes(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  gh_term t, c, f, b;
  OK(gh_cons(p, gh_small(1), GH_NIL, &c));
  assert_int_equal(2, flat_size(p, c));
  OK(gh_tuple(p, 3, NULL, &t));
  assert_int_equal(4, flat_size(p, t));
  OK(gh_tuple(p, 0, NULL, &t));
  assert_int_equal(1, flat_size(p, t));
  OK(gh_float(p, 1.5, &f));
  assert_int_equal(2, flat_size(p, f));
  OK(gh_binary(p, "abc", 3, &b));
  assert_int_equal(3, flat_size(p, b));
  OK(gh_binary(p, NULL, 64, &b));
  assert_int_equal(10, flat_size(p, b));
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
  assert_true(terms_equal(p, slot(p, 0), slot(p, 1)));
  build_list_in_slot(p, 1, 2, 1000);
  assert_false(terms_equal(p, slot(p, 0), slot(p, 1)));
  gh_term a, b;
  OK(gh_binary(p, "xyz", 3, &a));
  OK(gh_push(p, a));
  OK(gh_binary(p, "xyz", 3, &b));
  OK(gh_slot_get(p, 2, &a));
  assert_true(terms_equal(p, a, b));
  assert_false(terms_equal(p, gh_small(1), gh_atom(1)));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* Their work stack grows through the runtime's allocator (every byte comes
 * from it), and when it cannot grow the answer is GH_ERR_NOMEM, not a false
 * "different" or a size of 0. */
static void equal_and_flat_size_use_the_runtime_allocator_and_say_nomem(void **state) {
  counting_alloc c = {0};
  gh_allocator a = counting_allocator(&c);
  gh_runtime *rt = new_runtime_on(&a);
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 1000); /* size: a car per cell on the stack */
  gh_term elems[200], t;
  for (int i = 0; i < 200; i++)
    elems[i] = gh_small(i);
  OK(gh_tuple(p, 200, elems, &t)); /* equality: an element pair each */
  OK(gh_push(p, t));
  OK(gh_tuple(p, 200, elems, &t));
  OK(gh_push(p, t));

  long before = c.calls;
  assert_int_equal(2000, flat_size(p, slot(p, 0)));
  assert_true(terms_equal(p, slot(p, 1), slot(p, 2)));
  assert_true(c.calls > before); /* the stacks grew through the allocator */

  c.fail_from = c.calls + 1;
  size_t words = 12345;
  bool eq = true;
  assert_int_equal(GH_ERR_NOMEM, gh_flat_size(p, slot(p, 0), &words));
  assert_int_equal(GH_ERR_NOMEM, gh_equal(p, slot(p, 1), slot(p, 2), &eq));
  assert_int_equal(12345, words); /* untouched on failure */
  assert_true(eq);
  c.fail_from = 0;
  assert_int_equal(2000, flat_size(p, slot(p, 0)));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void equal_and_flat_size_check_their_arguments(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  gh_term mine, theirs;
  OK(gh_tuple(q, 1, NULL, &theirs));
  OK(gh_tuple(p, 1, NULL, &mine));
  bool eq;
  size_t words;
  assert_int_equal(GH_ERR_NULL, gh_equal(NULL, GH_NIL, GH_NIL, &eq));
  assert_int_equal(GH_ERR_NULL, gh_equal(p, GH_NIL, GH_NIL, NULL));
  assert_int_equal(GH_ERR_NULL, gh_flat_size(NULL, GH_NIL, &words));
  assert_int_equal(GH_ERR_NULL, gh_flat_size(p, GH_NIL, NULL));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_equal(p, mine, theirs, &eq));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_flat_size(p, theirs, &words));
  assert_int_equal(GH_ERR_BADARG, gh_flat_size(p, (gh_term)0, &words)); /* a header */
  OK(gh_flat_size(q, theirs, &words));
  assert_int_equal(2, words);
  OK(gh_exit(q));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(immediates_round_trip_and_take_no_heap),
      cmocka_unit_test(boxed_terms_take_beams_word_sizes),
      cmocka_unit_test(readers_return_what_was_built),
      cmocka_unit_test(equality_is_structural),
      cmocka_unit_test(equal_and_flat_size_use_the_runtime_allocator_and_say_nomem),
      cmocka_unit_test(equal_and_flat_size_check_their_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
