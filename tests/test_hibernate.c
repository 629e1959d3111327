/* test_hibernate.c -- the seed scenario, hibernate and hibernate_after
 * (oracle: tests/oracle/t3.out; docs/memory-model.md). */
#include "common.h"

/* The seed scenario: a process builds and drops twenty 20,000-element lists,
 * then idles.  It keeps a bloated young and old heap until it hibernates,
 * when its heap shrinks to exactly its live data.  Built one cons cell at a
 * time, OTP 25 idles with a 28,690-word young and a 75,113-word old block
 * (tests/oracle/seed_build.erl; beam-seed.sh checks it live).  The doc's
 * 75,113/121,536 come from lists:seq, which allocates four cells per heap
 * test: a different allocation pattern, so different GC points. */
static void seed_scenario_keeps_old_heap_until_hibernate(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  gh_term st, elems[3] = {gh_atom(1), gh_small(2), gh_small(3)};
  OK(gh_tuple(p, 3, elems, &st));
  OK(gh_push(p, st));     /* slot 0: the process state, 4 live words */
  OK(gh_push(p, GH_NIL)); /* slot 1: the list being built */
  size_t rounds = stress(rt) ? 2 : 20, len = stress(rt) ? 2000 : 20000;
  for (size_t r = 0; r < rounds; r++) {
    build_list_in_slot(p, 1, 1, len);
    assert_list(p, 1, 1, len);
    OK(gh_slot_set(p, 1, GH_NIL));
  }
  OK(gh_pop(p, 1));
  gh_gc_info idle = info_of(p);
  print_message("idle: young block %zu (BEAM 28690), old block %zu (BEAM 75113), "
                "old used %zu (BEAM 74728)\n", idle.heap_block_size,
                idle.old_heap_block_size, idle.old_heap_size);
  if (!stress(rt)) {
    assert_int_equal(28690, idle.heap_block_size);
    assert_int_equal(75113, idle.old_heap_block_size);
    assert_in_range(idle.old_heap_size, 74728 - 16, 74728 + 16);
  }
  assert_true(idle.old_heap_size > 1000); /* garbage promoted, never swept */
  OK(gh_hibernate(p));
  gh_gc_info h = info_of(p);
  print_message("hibernated: block %zu (BEAM 8 + 1 slot word)\n", h.heap_block_size);
  assert_int_equal(0, h.old_heap_block_size);
  assert_int_equal(4, h.heap_size);
  /* live + stack + reserve - the bottom frame: BEAM's live + 4, plus the slot */
  assert_int_equal(4 + 1 + 4, h.heap_block_size);
  assert_int_equal(9, gh_total_heap_size(p));
  gh_term kept = slot(p, 0);
  assert_int_equal(3, gh_small_value(gh_tuple_element(kept, 2)));
  assert_int_equal(1, h.hibernations);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void empty_process_hibernates_to_four_words(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_hibernate(p));
  gh_gc_info i = info_of(p);
  assert_int_equal(4, i.heap_block_size); /* OTP 25: live 0 -> 4 */
  assert_int_equal(0, i.heap_size);
  assert_int_equal(1, i.stack_size);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void hibernate_keeps_live_data_in_an_exact_block(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 5005); /* 10010 words, as t3.out */
  OK(gh_hibernate(p));
  gh_gc_info i = info_of(p);
  assert_int_equal(10010, i.heap_size);
  assert_int_equal(10010 + 1 + 4, i.heap_block_size); /* OTP 25: 10014 + slot */
  assert_int_equal(i.heap_size, i.recent_size);      /* all mature */
  assert_list(p, 0, 1, 5005);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* t3.out "small woken": the first GC after hibernation is a minor one that
 * creates a 12-word old heap, and the young heap returns to min_heap_size. */
static void first_gc_after_hibernate_is_a_minor_back_to_min_heap(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  gh_term t;
  OK(gh_tuple(p, 3, NULL, &t));
  OK(gh_push(p, t));
  OK(gh_hibernate(p));
  OK(gh_slot_set(p, 0, GH_NIL)); /* the mature words die */
  gh_gc_info before = info_of(p);
  OK(gh_gc(p, GH_GC_MINOR));
  gh_gc_info i = info_of(p);
  assert_int_equal(before.minor_gcs + 1, i.minor_gcs);
  assert_int_equal(12, i.old_heap_block_size);
  assert_int_equal(0, i.old_heap_size);
  assert_int_equal(233, i.heap_block_size);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void hibernate_is_skipped_while_a_message_waits(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  OK(gh_send(q, gh_self(p), gh_small(1)));
  assert_int_equal(GH_ERR_PENDING, gh_hibernate(p));
  assert_int_equal(0, info_of(p).hibernations);
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

/* A clock the test moves by hand: hibernate_after without sleeping. */
static uint64_t fake_now;
static uint64_t fake_clock(void *ctx) { return fake_now; }

static void idle_process_hibernates_after_its_setting(void **state) {
  gh_runtime_options o;
  gh_runtime_options_init(&o);
  o.clock = fake_clock;
  o.verify = true;
  gh_runtime *rt;
  OK(gh_runtime_new(&o, &rt));
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.hibernate_after_ms = 100;
  gh_proc *idle, *busy, *never;
  OK(gh_spawn(rt, &so, &idle));
  OK(gh_spawn(rt, &so, &busy));
  so.hibernate_after_ms = 0;
  OK(gh_spawn(rt, &so, &never));
  fake_now = 1000;
  OK(gh_wait(idle));
  OK(gh_wait(never));
  size_t n;
  fake_now += 99;
  OK(gh_runtime_hibernate_idle(rt, &n));
  assert_int_equal(0, n);
  fake_now += 1;
  OK(gh_runtime_hibernate_idle(rt, &n));
  assert_int_equal(1, n); /* only `idle`: busy is not waiting, never is off */
  OK(gh_runtime_hibernate_idle(rt, &n));
  assert_int_equal(0, n); /* already hibernated */
  OK(gh_resume(idle));
  OK(gh_resume(never));
  assert_int_equal(1, info_of(idle).hibernations);
  assert_int_equal(0, info_of(busy).hibernations);
  assert_int_equal(0, info_of(never).hibernations);
  assert_int_equal(4, info_of(idle).heap_block_size);
  /* Waiting again after work: hibernates again. */
  OK(gh_wait(idle));
  fake_now += 100;
  OK(gh_runtime_hibernate_idle(rt, &n));
  assert_int_equal(1, n);
  OK(gh_resume(idle));
  assert_int_equal(2, info_of(idle).hibernations);
  assert_int_equal(GH_ERR_BUSY, gh_resume(idle)); /* not waiting */
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(seed_scenario_keeps_old_heap_until_hibernate),
      cmocka_unit_test(empty_process_hibernates_to_four_words),
      cmocka_unit_test(hibernate_keeps_live_data_in_an_exact_block),
      cmocka_unit_test(first_gc_after_hibernate_is_a_minor_back_to_min_heap),
      cmocka_unit_test(hibernate_is_skipped_while_a_message_waits),
      cmocka_unit_test(idle_process_hibernates_after_its_setting),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
