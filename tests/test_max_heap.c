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

/* Only the call whose collection killed the process says GH_ERR_KILLED;
 * every later call on the handle says GH_ERR_DEAD (examples/actors/actors.h
 * and docs/embedding.md describe it so). */
static void after_the_kill_every_call_says_dead(void **state) {
  kills k = {0};
  gh_runtime *rt = runtime_with_kill_callback(&k);
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.max_heap_size = 1000;
  gh_proc *p, *other = spawn_default(rt);
  OK(gh_spawn(rt, &so, &p));
  OK(gh_push(p, GH_NIL));
  gh_status s = GH_OK;
  for (int i = 0; s == GH_OK; i++) {
    gh_term c;
    if ((s = gh_cons(p, gh_small(i), slot(p, 0), &c)) == GH_OK)
      OK(gh_slot_set(p, 0, c));
  }
  assert_int_equal(GH_ERR_KILLED, s);
  assert_int_equal(1, k.count);
  OK(gh_send(other, gh_self(other), gh_small(1))); /* other's mailbox: not p's */

  gh_term t, elems[1] = {GH_NIL};
  gh_gc_info info;
  bool eq;
  size_t words;
  char why[64];
  assert_int_equal(GH_ERR_DEAD, gh_cons(p, GH_NIL, GH_NIL, &t));
  assert_int_equal(GH_ERR_DEAD, gh_tuple(p, 1, elems, &t));
  assert_int_equal(GH_ERR_DEAD, gh_list(p, 1, elems, &t));
  assert_int_equal(GH_ERR_DEAD, gh_float(p, 1.0, &t));
  assert_int_equal(GH_ERR_DEAD, gh_binary(p, "x", 1, &t));
  assert_int_equal(GH_ERR_DEAD, gh_binary(p, NULL, 1000, &t));
  assert_int_equal(GH_ERR_DEAD, gh_sub_binary(p, GH_NIL, 0, 0, &t));
  assert_int_equal(GH_ERR_DEAD, gh_push(p, GH_NIL));
  assert_int_equal(GH_ERR_DEAD, gh_pop(p, 0));
  assert_int_equal(GH_ERR_DEAD, gh_slot_get(p, 0, &t));
  assert_int_equal(GH_ERR_DEAD, gh_slot_set(p, 0, GH_NIL));
  assert_int_equal(GH_ERR_DEAD, gh_gc(p, GH_GC_MINOR));
  assert_int_equal(GH_ERR_DEAD, gh_gc(p, GH_GC_MAJOR));
  assert_int_equal(GH_ERR_DEAD, gh_hibernate(p));
  assert_int_equal(GH_ERR_DEAD, gh_send(p, gh_self(other), GH_NIL));
  assert_int_equal(GH_ERR_DEAD, gh_receive(p, &t));
  assert_int_equal(GH_ERR_DEAD, gh_equal(p, GH_NIL, GH_NIL, &eq));
  assert_int_equal(GH_ERR_DEAD, gh_flat_size(p, GH_NIL, &words));
  assert_int_equal(GH_ERR_DEAD, gh_verify_term(p, GH_NIL));
  assert_int_equal(GH_ERR_DEAD, gh_verify(p, why, sizeof why));
  assert_int_equal(GH_ERR_DEAD, gh_proc_info(p, &info));
  assert_int_equal(GH_ERR_NOPROC, gh_send(other, gh_self(p), GH_NIL));
  assert_int_equal(0, gh_depth(p));
  assert_int_equal(0, gh_total_heap_size(p));
  assert_int_equal(1, k.count); /* killed once */
  OK(gh_exit(p));
  OK(gh_exit(other));
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(process_over_max_heap_size_is_killed_alone),
      cmocka_unit_test(shared_binaries_count_only_when_asked),
      cmocka_unit_test(after_the_kill_every_call_says_dead),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
