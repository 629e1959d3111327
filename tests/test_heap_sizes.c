/* test_heap_sizes.c -- BEAM's heap-size table and the sizes of fresh processes. */
#include "common.h"

/* lists:sublist(erlang:system_info(heap_sizes), 40) on OTP 25, x86-64. */
static const size_t beam_first_40[40] = {
    12, 38, 51, 90, 142, 233, 376, 610, 987, 1598, 2586, 4185, 6772, 10958,
    17731, 28690, 46422, 75113, 121536, 196650, 318187, 514838, 833026, 999631,
    1199557, 1439468, 1727361, 2072833, 2487399, 2984878, 3581853, 4298223,
    5157867, 6189440, 7427328, 8912793, 10695351, 12834421, 15401305, 18481566};

static void table_starts_with_beams_first_40_sizes(void **state) {
  for (size_t i = 0; i < 40; i++)
    assert_int_equal(beam_first_40[i], gh_heap_size_at(i));
}

static void table_has_137_entries_ending_where_beams_does(void **state) {
  assert_int_equal(137, gh_heap_sizes_count());
  assert_int_equal(885767171276247ULL, gh_heap_size_at(136));
  assert_int_equal(0, gh_heap_size_at(137));
}

static void next_heap_size_is_the_first_entry_at_or_above(void **state) {
  assert_int_equal(12, gh_next_heap_size(0, 0));
  assert_int_equal(12, gh_next_heap_size(7, 1)); /* below h[0]: offset ignored */
  assert_int_equal(233, gh_next_heap_size(233, 0));
  assert_int_equal(376, gh_next_heap_size(234, 0));
  /* Old heaps are created one step above young usage (t2.out). */
  assert_int_equal(376, gh_next_heap_size(224, 1));
  assert_int_equal(987, gh_next_heap_size(600, 1));
  assert_int_equal(0, gh_next_heap_size(885767171276247ULL, 1));
}

static void fresh_process_matches_beam(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  gh_gc_info i = info_of(p);
  assert_int_equal(233, i.heap_block_size);
  assert_int_equal(1, i.stack_size);
  assert_int_equal(0, i.old_heap_block_size);
  assert_int_equal(46422, i.bin_vheap_block_size);
  assert_int_equal(46422, i.bin_old_vheap_block_size);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void spawn_options_round_up_to_the_table(void **state) {
  gh_runtime *rt = new_runtime();
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.min_heap_size = 1000;      /* BEAM: 1598 */
  so.min_bin_vheap_size = 50000; /* BEAM: 75113 */
  gh_proc *p;
  OK(gh_spawn(rt, &so, &p));
  assert_int_equal(1598, info_of(p).heap_block_size);
  assert_int_equal(75113, info_of(p).bin_vheap_block_size);
  OK(gh_exit(p));
  so.min_heap_size = 10; /* BEAM: stays 233 */
  so.min_bin_vheap_size = 0;
  OK(gh_spawn(rt, &so, &p));
  assert_int_equal(233, info_of(p).heap_block_size);
  assert_int_equal(46422, info_of(p).bin_vheap_block_size);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(table_starts_with_beams_first_40_sizes),
      cmocka_unit_test(table_has_137_entries_ending_where_beams_does),
      cmocka_unit_test(next_heap_size_is_the_first_entry_at_or_above),
      cmocka_unit_test(fresh_process_matches_beam),
      cmocka_unit_test(spawn_options_round_up_to_the_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
