/* test_gc.c -- promotion, reclamation, roots, full-sweep triggers and BEAM's
 * sizing rules (oracle: tests/oracle/t2.out, t3.out). */
#include "common.h"

static void term_survives_one_gc_young_and_is_promoted_at_the_second(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 100); /* 200 words */
  OK(gh_gc(p, GH_GC_MAJOR));        /* survives: young, now mature */
  gh_gc_info i = info_of(p);
  assert_int_equal(200, i.heap_size);
  assert_int_equal(200, i.recent_size);
  assert_int_equal(0, i.old_heap_size);
  OK(gh_gc(p, GH_GC_MINOR)); /* second GC: promoted */
  gh_gc_info before = i;
  i = info_of(p);
  assert_int_equal(200, i.old_heap_size);
  assert_int_equal(0, i.heap_size);
  assert_int_equal(200, i.words_promoted - before.words_promoted);
  assert_list(p, 0, 1, 100);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void data_younger_than_the_last_gc_stays_young(void **state) {
  gh_runtime *rt = new_runtime();
  SKIP_UNDER_STRESS(rt); /* building collects at every cell: no "young" list */
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.min_heap_size = 1000; /* room for both lists without a collection */
  gh_proc *p;
  OK(gh_spawn(rt, &so, &p));
  OK(gh_push(p, GH_NIL));
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 100);
  OK(gh_gc(p, GH_GC_MAJOR));
  build_list_in_slot(p, 1, 1000, 50); /* allocated after the GC */
  assert_int_equal(1, info_of(p).full_sweeps + info_of(p).minor_gcs);
  OK(gh_gc(p, GH_GC_MINOR));
  gh_gc_info i = info_of(p);
  assert_int_equal(200, i.old_heap_size); /* first list promoted */
  assert_int_equal(100, i.heap_size);      /* second one kept young */
  assert_int_equal(100, i.recent_size);
  OK(gh_gc(p, GH_GC_MINOR));
  assert_int_equal(300, info_of(p).old_heap_size);
  assert_list(p, 0, 1, 100);
  assert_list(p, 1, 1000, 50);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void unreachable_data_is_reclaimed(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 100);
  OK(gh_slot_set(p, 0, GH_NIL));
  uint64_t before = info_of(p).words_reclaimed;
  OK(gh_gc(p, GH_GC_MAJOR));
  gh_gc_info i = info_of(p);
  assert_int_equal(0, i.heap_size);
  assert_true(i.words_reclaimed >= before + 200);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void roots_are_updated_when_terms_move(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  gh_term elems[3] = {gh_small(1), gh_atom(7), GH_NIL}, t, f;
  OK(gh_float(p, 2.5, &f));
  elems[2] = f;
  OK(gh_tuple(p, 3, elems, &t));
  OK(gh_push(p, t));
  OK(gh_gc(p, GH_GC_MAJOR));
  gh_term moved = slot(p, 0);
  assert_int_not_equal(t, moved);
  assert_int_equal(3, gh_tuple_arity(moved));
  assert_int_equal(1, gh_small_value(gh_tuple_element(moved, 0)));
  assert_int_equal(7, gh_atom_index(gh_tuple_element(moved, 1)));
  assert_true(gh_float_value(gh_tuple_element(moved, 2)) == 2.5);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void arguments_of_an_allocating_call_survive_its_gc(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 50);
  gh_term l = slot(p, 0);
  OK(gh_pop(p, 1)); /* the list is now held only by the C variable */
  if (!stress(rt)) {
    /* Fill the young heap to its reserve without collecting, so that the
     * next allocation must collect while `l` is only an argument. */
    gh_gc_info i = info_of(p);
    size_t room = i.heap_block_size - i.heap_size - i.stack_size - 4;
    churn(p, room & ~(size_t)1);
    assert_int_equal(i.minor_gcs + i.full_sweeps,
                     info_of(p).minor_gcs + info_of(p).full_sweeps);
  }
  gh_gc_info before = info_of(p);
  gh_term c;
  OK(gh_cons(p, gh_small(0), l, &c));
  gh_gc_info after = info_of(p);
  assert_true(after.minor_gcs + after.full_sweeps > before.minor_gcs + before.full_sweeps);
  OK(gh_push(p, gh_cdr(c)));
  assert_list(p, 0, 1, 50);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void first_gc_of_a_process_is_a_full_sweep(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_gc(p, GH_GC_MINOR)); /* no old heap, nothing mature: minor impossible */
  gh_gc_info i = info_of(p);
  assert_int_equal(1, i.full_sweeps);
  assert_int_equal(0, i.minor_gcs);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* Old heap created one table step above young usage: 224 -> 376 (t2.out). */
static void old_heap_is_created_one_step_above_young_usage(void **state) {
  gh_runtime *rt = new_runtime();
  SKIP_UNDER_STRESS(rt);
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 108); /* 216 words */
  OK(gh_gc(p, GH_GC_MAJOR));
  churn(p, 8); /* young usage 224, as in t2.out */
  assert_int_equal(224, info_of(p).heap_size);
  OK(gh_gc(p, GH_GC_MINOR));
  gh_gc_info i = info_of(p);
  assert_int_equal(376, i.old_heap_block_size);
  assert_int_equal(216, i.old_heap_size);
  assert_int_equal(233, i.heap_block_size);
  assert_int_equal(1, i.minor_gcs);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* gen_gcs counts minors since the last sweep; a sweep comes every
 * fullsweep_after minors (t3.out: 0 -> MMMM, 3 -> mMmmmMmmm). */
static void fullsweep_after_n_sweeps_every_n_minors(uint32_t fsa) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_with(rt, fsa);
  gh_term t;
  OK(gh_tuple(p, 2, NULL, &t));
  OK(gh_push(p, t)); /* a constant small live set: the old heap never fills */
  for (int i = 0; i < 40; i++) {
    churn(p, 300);
    OK(gh_gc(p, GH_GC_MINOR));
  }
  gh_gc_info i = info_of(p);
  assert_true(i.full_sweeps >= 1);
  /* Under GC stress the first collections find no old heap and nothing
   * mature, so they are sweeps too (BEAM's rule): the bound still holds. */
  uint64_t early = stress(rt) ? 2 : 1;
  if (fsa == 0)
    assert_int_equal(0, i.minor_gcs);
  else if (!stress(rt))
    assert_int_equal(i.minor_gcs, (uint64_t)fsa * (i.full_sweeps - 1) + i.gen_gcs);
  else
    assert_true(i.minor_gcs <= (uint64_t)fsa * i.full_sweeps + i.gen_gcs);
  if (fsa == 65535)
    assert_in_range(i.full_sweeps, 1, early);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void fullsweep_after_0_makes_every_gc_a_full_sweep(void **state) {
  fullsweep_after_n_sweeps_every_n_minors(0);
}
static void fullsweep_after_3_sweeps_after_three_minors(void **state) {
  fullsweep_after_n_sweeps_every_n_minors(3);
}
static void default_fullsweep_after_never_sweeps_again(void **state) {
  fullsweep_after_n_sweeps_every_n_minors(65535);
}

static void full_sweep_when_the_old_heap_has_no_room(void **state) {
  gh_runtime *rt = new_runtime();
  SKIP_UNDER_STRESS(rt);
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 100);
  OK(gh_gc(p, GH_GC_MAJOR));
  OK(gh_gc(p, GH_GC_MINOR)); /* old heap of next(200,1) = 376, 200 used */
  assert_int_equal(376, info_of(p).old_heap_block_size);
  build_list_in_slot(p, 1, 500, 100);
  OK(gh_gc(p, GH_GC_MINOR)); /* second list becomes mature */
  gh_gc_info before = info_of(p);
  OK(gh_gc(p, GH_GC_MINOR)); /* 200 mature > 176 free: full sweep */
  gh_gc_info i = info_of(p);
  assert_int_equal(before.full_sweeps + 1, i.full_sweeps);
  assert_int_equal(before.minor_gcs, i.minor_gcs);
  assert_int_equal(0, i.old_heap_block_size);
  assert_int_equal(0, i.old_heap_size);
  assert_int_equal(400, i.heap_size);
  assert_list(p, 0, 1, 100);
  assert_list(p, 1, 500, 100);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void explicit_full_sweep_empties_the_old_heap(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 100);
  OK(gh_gc(p, GH_GC_MAJOR));
  OK(gh_gc(p, GH_GC_MINOR));
  assert_true(info_of(p).old_heap_size > 0);
  OK(gh_gc(p, GH_GC_MAJOR));
  gh_gc_info i = info_of(p);
  assert_int_equal(0, i.old_heap_block_size);
  assert_int_equal(0, i.gen_gcs);
  assert_int_equal(200, i.heap_size);
  assert_list(p, 0, 1, 100);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* adjust_after_fullsweep: >75% live sets HEAP_GROW, and the next sweep that
 * would keep the same size grows one step instead (t2.out: 610 -> 987). */
static void heap_grow_flag_defers_growth_to_the_next_sweep(void **state) {
  gh_runtime *rt = new_runtime();
  SKIP_UNDER_STRESS(rt);
  gh_proc *p = spawn_default(rt);
  for (int i = 0; i < 4; i++)
    OK(gh_push(p, GH_NIL)); /* stack_size 5, as the t2 worker */
  build_list_in_slot(p, 0, 1, 226); /* 452 live words */
  OK(gh_gc(p, GH_GC_MAJOR));
  assert_int_equal(610, info_of(p).heap_block_size);
  OK(gh_gc(p, GH_GC_MAJOR));
  assert_int_equal(987, info_of(p).heap_block_size);
  assert_list(p, 0, 1, 226);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* minor_collection's shrink rule: a big young heap with little live data
 * shrinks (here 3 x need, rounded to the table). */
static void big_mostly_empty_young_heap_shrinks_after_a_minor(void **state) {
  gh_runtime *rt = new_runtime();
  SKIP_UNDER_STRESS(rt);
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 5000); /* grows the young heap past 8000 */
  OK(gh_gc(p, GH_GC_MAJOR));
  assert_true(info_of(p).heap_block_size > 8000);
  OK(gh_slot_set(p, 0, GH_NIL));
  OK(gh_gc(p, GH_GC_MINOR)); /* creates the old heap, promotes nothing live */
  OK(gh_gc(p, GH_GC_MINOR));
  assert_true(info_of(p).heap_block_size < 8000);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void gc_of_a_deep_list_does_not_recurse(void **state) {
  gh_runtime *rt = new_runtime();
  SKIP_UNDER_STRESS(rt); /* a million collections of a growing list: too slow */
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  /* A list nested through the car: [[[...]]], one million deep. */
  for (int i = 0; i < 1000000; i++) {
    gh_term c;
    OK(gh_cons(p, slot(p, 0), GH_NIL, &c));
    OK(gh_slot_set(p, 0, c));
  }
  OK(gh_gc(p, GH_GC_MAJOR));
  assert_int_equal(2000000, flat_size(p, slot(p, 0)));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* Sharing survives a full sweep: lists with one tail still share it,
 * whichever reaches it first (a copying collector that lost the forwarding
 * of a cell would copy the tail twice: more words, two tails).  Here the
 * short tail is reached first, from its own slot, and the long list's
 * spine runs into it afterwards; two more lists share the long one's. */
static void full_sweep_keeps_shared_tails_shared(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL)); /* 0: L = [0..999 | T] */
  OK(gh_push(p, GH_NIL)); /* 1: [a | L] */
  OK(gh_push(p, GH_NIL)); /* 2: [b, c | L] */
  OK(gh_push(p, GH_NIL)); /* 3: T = [x, y], evacuated first (top slot) */
  gh_term c;
  OK(gh_cons(p, gh_atom(25), GH_NIL, &c));
  OK(gh_cons(p, gh_atom(24), c, &c));
  OK(gh_slot_set(p, 3, c));
  OK(gh_slot_set(p, 0, slot(p, 3)));
  for (int k = 999; k >= 0; k--) {
    OK(gh_cons(p, gh_small(k), slot(p, 0), &c));
    OK(gh_slot_set(p, 0, c));
  }
  OK(gh_cons(p, gh_atom(1), slot(p, 0), &c));
  OK(gh_slot_set(p, 1, c));
  OK(gh_cons(p, gh_atom(3), slot(p, 0), &c));
  OK(gh_cons(p, gh_atom(2), c, &c));
  OK(gh_slot_set(p, 2, c));
  for (int i = 0; i < 3; i++) { /* from the young heap, then from itself */
    OK(gh_gc(p, GH_GC_MAJOR));
    gh_term l = slot(p, 0);
    assert_int_equal(l, gh_cdr(slot(p, 1)));
    assert_int_equal(l, gh_cdr(gh_cdr(slot(p, 2))));
    for (int k = 0; k < 1000; k++, l = gh_cdr(l))
      assert_int_equal(k, gh_small_value(gh_car(l)));
    assert_int_equal(slot(p, 3), l);
    assert_int_equal(2000 + 4 + 2 + 4, info_of(p).heap_size);
  }
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* Every shape the sweep's copy loop treats apart, in one heap: a list of
 * integers that ends in a tuple, an improper list, a list whose cars are
 * tuples holding pointers at every position among integers, floats,
 * binaries and slices of both kinds.  Each full sweep keeps it equal to a
 * fresh copy built on another process (gh_verify runs after each). */
static gh_term build_shapes(gh_proc *p) {
  gh_term t, l, f, hb, rb, s1, s2, e[7];
  size_t base = gh_depth(p);
  OK(gh_float(p, 2.5, &f));
  OK(gh_push(p, f));
  OK(gh_binary(p, "0123456789", 10, &hb));
  OK(gh_push(p, hb));
  OK(gh_binary(p, NULL, 300, &rb));
  OK(gh_push(p, rb));
  OK(gh_sub_binary(p, slot(p, base + 1), 2, 5, &s1));
  OK(gh_push(p, s1));
  OK(gh_sub_binary(p, slot(p, base + 2), 100, 50, &s2));
  OK(gh_push(p, s2));
  OK(gh_push(p, GH_NIL)); /* base + 5: the result */
  for (int pos = 0; pos < 7; pos++) { /* a tuple with a pointer at pos */
    for (int k = 0; k < 7; k++)
      e[k] = gh_small(k);
    e[pos] = slot(p, base + (size_t)pos % 5);
    OK(gh_tuple(p, 7, e, &t));
    OK(gh_cons(p, t, slot(p, base + 5), &l));
    OK(gh_slot_set(p, base + 5, l));
  }
  gh_term end[2] = {gh_small(-1), gh_atom(7)};
  OK(gh_tuple(p, 2, end, &t));
  OK(gh_push(p, t)); /* base + 6 */
  OK(gh_cons(p, gh_small(99), slot(p, base + 6), &l)); /* [99 | {-1, a7}] */
  OK(gh_cons(p, l, slot(p, base + 5), &l));
  OK(gh_slot_set(p, base + 5, l));
  OK(gh_cons(p, slot(p, base + 6), GH_NIL, &l)); /* integers, then a tuple car */
  for (int k = 0; k < 300; k++)
    OK(gh_cons(p, gh_small(k), l, &l));
  OK(gh_cons(p, l, slot(p, base + 5), &l));
  gh_term out = l;
  OK(gh_pop(p, gh_depth(p) - base));
  return out;
}

static void full_sweep_copies_every_shape(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  OK(gh_push(p, build_shapes(p)));
  for (int i = 0; i < 3; i++) {
    OK(gh_gc(p, GH_GC_MAJOR));
    OK(gh_send(p, gh_self(q), slot(p, 0)));
    gh_term m;
    OK(gh_receive(q, &m));
    OK(gh_push(q, m));
    gh_term fresh = build_shapes(q);
    assert_true(terms_equal(q, slot(q, 0), fresh));
    OK(gh_pop(q, 1));
  }
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_stats st;
  gh_runtime_stats_get(rt, &st);
  assert_int_equal(0, st.binaries_alive);
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(term_survives_one_gc_young_and_is_promoted_at_the_second),
      cmocka_unit_test(data_younger_than_the_last_gc_stays_young),
      cmocka_unit_test(unreachable_data_is_reclaimed),
      cmocka_unit_test(roots_are_updated_when_terms_move),
      cmocka_unit_test(arguments_of_an_allocating_call_survive_its_gc),
      cmocka_unit_test(first_gc_of_a_process_is_a_full_sweep),
      cmocka_unit_test(old_heap_is_created_one_step_above_young_usage),
      cmocka_unit_test(fullsweep_after_0_makes_every_gc_a_full_sweep),
      cmocka_unit_test(fullsweep_after_3_sweeps_after_three_minors),
      cmocka_unit_test(default_fullsweep_after_never_sweeps_again),
      cmocka_unit_test(full_sweep_when_the_old_heap_has_no_room),
      cmocka_unit_test(explicit_full_sweep_empties_the_old_heap),
      cmocka_unit_test(heap_grow_flag_defers_growth_to_the_next_sweep),
      cmocka_unit_test(big_mostly_empty_young_heap_shrinks_after_a_minor),
      cmocka_unit_test(gc_of_a_deep_list_does_not_recurse),
      cmocka_unit_test(full_sweep_keeps_shared_tails_shared),
      cmocka_unit_test(full_sweep_copies_every_shape),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
