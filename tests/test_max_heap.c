/* test_max_heap.c -- max_heap_size kills only the offending process, gives
 * its memory back and tells the host (oracle: tests/oracle/t4.out). */
#include "common.h"

typedef struct kills {
  int count;
  gh_pid pid;
  size_t total, limit;
} kills;

static void on_kill(void *ctx, gh_proc *p, gh_pid pid, size_t total, size_t limit) {
  kills *k = ctx;
  k->count++;
  k->pid = pid;
  k->total = total;
  k->limit = limit;
}

static gh_runtime *runtime_with_kill_callback(kills *k) {
  gh_runtime_options o;
  gh_runtime_options_init(&o);
  o.on_kill = on_kill;
  o.on_kill_ctx = k;
  o.verify = true;
  gh_runtime *rt;
  OK(gh_runtime_new(&o, &rt));
  return rt;
}

static void process_over_max_heap_size_is_killed_alone(void **state) {
  kills k = {0};
  gh_runtime *rt = runtime_with_kill_callback(&k);
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.max_heap_size = 10000;
  gh_proc *bad, *good = spawn_default(rt);
  OK(gh_spawn(rt, &so, &bad));
  OK(gh_push(good, GH_NIL));
  build_list_in_slot(good, 0, 1, 100);
  OK(gh_push(bad, GH_NIL));
  gh_status s = GH_OK;
  for (int i = 0; i < 100000 && s == GH_OK; i++) {
    gh_term c, l;
    OK(gh_slot_get(bad, 0, &l));
    if ((s = gh_cons(bad, gh_small(i), l, &c)) == GH_OK)
      OK(gh_slot_set(bad, 0, c));
  }
  assert_int_equal(GH_ERR_KILLED, s);
  assert_int_equal(1, k.count);
  assert_int_equal(gh_self(bad), k.pid);
  assert_int_equal(10000, k.limit);
  assert_true(k.total > 10000);
  assert_false(gh_is_alive(bad));
  gh_term t;
  assert_int_equal(GH_ERR_DEAD, gh_cons(bad, GH_NIL, GH_NIL, &t));
  assert_int_equal(GH_ERR_DEAD, gh_gc(bad, GH_GC_MAJOR));
  assert_int_equal(GH_ERR_NOPROC, gh_send(good, gh_self(bad), gh_small(1)));
  gh_runtime_stats st;
  gh_runtime_stats_get(rt, &st);
  assert_int_equal(1, st.processes_killed);
  assert_int_equal(1, st.processes_alive);
  assert_int_equal(info_of(good).heap_block_size + info_of(good).old_heap_block_size,
                   st.heap_words); /* the killed process's heap went back */
  assert_list(good, 0, 1, 100);  /* the bystander is untouched */
  OK(gh_gc(good, GH_GC_MAJOR));
  OK(gh_exit(bad));
  OK(gh_exit(good));
  gh_runtime_free(rt);
}

static void shared_binaries_count_only_when_asked(void **state) {
  kills k = {0};
  gh_runtime *rt = runtime_with_kill_callback(&k);
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.max_heap_size = 5000;
  gh_proc *plain, *counting;
  OK(gh_spawn(rt, &so, &plain));
  so.max_heap_include_shared_binaries = true;
  OK(gh_spawn(rt, &so, &counting));
  gh_term b;
  OK(gh_binary(plain, NULL, 100000, &b)); /* 12,500 vheap words */
  OK(gh_push(plain, b));
  OK(gh_gc(plain, GH_GC_MAJOR));
  /* The first collection with the binary alive kills `counting`: under GC
   * stress that is already gh_push's. */
  gh_status s = gh_binary(counting, NULL, 100000, &b);
  if (s == GH_OK)
    s = gh_push(counting, b);
  if (s == GH_OK)
    s = gh_gc(counting, GH_GC_MAJOR);
  assert_int_equal(GH_ERR_KILLED, s);
  assert_int_equal(1, k.count);
  assert_int_equal(gh_self(counting), k.pid);
  gh_runtime_stats st;
  gh_runtime_stats_get(rt, &st);
  assert_int_equal(1, st.binaries_alive); /* the killed one's was released */
  OK(gh_exit(plain));
  OK(gh_exit(counting));
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(process_over_max_heap_size_is_killed_alone),
      cmocka_unit_test(shared_binaries_count_only_when_asked),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
