/* test_binaries.c -- refc binaries: freed exactly when the last reference
 * dies (minor GC, full sweep, exit, hibernate), the router leak, the virtual
 * binary heap, slices (oracle: tests/oracle/t4.out, t6.out). */
#include "common.h"

static uint64_t binaries_alive(gh_runtime *rt) {
  gh_runtime_stats s;
  gh_runtime_stats_get(rt, &s);
  return s.binaries_alive;
}

static gh_term push_binary(gh_proc *p, size_t size, uint8_t fill) {
  uint8_t *buf = malloc(size);
  assert_non_null(buf);
  memset(buf, fill, size);
  gh_term b;
  OK(gh_binary(p, buf, size, &b));
  free(buf);
  OK(gh_push(p, b));
  return b;
}

static void binary_of_64_bytes_is_on_heap_65_is_refc(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  push_binary(p, 64, 1);
  assert_int_equal(10, flat_size(p, slot(p, 0))); /* 2 + 64/8, as BEAM */
  assert_int_equal(0, binaries_alive(rt));
  push_binary(p, 65, 2);
  assert_int_equal(6, flat_size(p, slot(p, 1))); /* a ProcBin */
  assert_int_equal(1, binaries_alive(rt));
  const uint8_t *d;
  size_t n;
  OK(gh_binary_data(slot(p, 1), &d, &n));
  assert_int_equal(65, n);
  assert_int_equal(2, d[64]);
  OK(gh_exit(p));
  assert_int_equal(0, binaries_alive(rt));
  gh_runtime_free(rt);
}

/* Gives the process an old heap, so the next GC can be a minor one. */
static void make_old_heap(gh_proc *p) {
  gh_term t;
  OK(gh_tuple(p, 1, NULL, &t));
  OK(gh_push(p, t));
  OK(gh_gc(p, GH_GC_MAJOR));
  OK(gh_gc(p, GH_GC_MINOR));
  assert_true(info_of(p).old_heap_block_size > 0);
}

static void young_binary_is_freed_by_a_minor_gc(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  make_old_heap(p);
  push_binary(p, 1000, 3);
  assert_int_equal(1, binaries_alive(rt));
  OK(gh_pop(p, 1));
  gh_gc_info before = info_of(p);
  OK(gh_gc(p, GH_GC_MINOR));
  assert_int_equal(before.full_sweeps, info_of(p).full_sweeps);
  assert_int_equal(0, binaries_alive(rt));
  assert_int_equal(0, info_of(p).bin_vheap_size);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void promoted_binary_is_freed_only_by_a_full_sweep(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  make_old_heap(p);
  push_binary(p, 8000, 4);
  OK(gh_gc(p, GH_GC_MINOR)); /* survives: mature */
  OK(gh_gc(p, GH_GC_MINOR)); /* promoted */
  assert_int_equal(1000, info_of(p).bin_old_vheap_size);
  OK(gh_pop(p, 1));
  OK(gh_gc(p, GH_GC_MINOR));
  assert_int_equal(1, binaries_alive(rt)); /* dead, but on the old heap */
  OK(gh_gc(p, GH_GC_MAJOR));
  assert_int_equal(0, binaries_alive(rt));
  assert_int_equal(0, info_of(p).refc_binaries);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void shared_binary_is_freed_when_the_last_holder_exits(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *ps[3];
  for (int i = 0; i < 3; i++)
    ps[i] = spawn_default(rt);
  push_binary(ps[0], 5000, 5);
  for (int i = 1; i < 3; i++) {
    gh_term m;
    OK(gh_send(ps[0], gh_self(ps[i]), slot(ps[0], 0)));
    OK(gh_receive(ps[i], &m));
    OK(gh_push(ps[i], m));
  }
  assert_int_equal(1, binaries_alive(rt)); /* shared, not copied */
  for (int i = 0; i < 3; i++) {
    assert_int_equal(1, binaries_alive(rt));
    OK(gh_exit(ps[i]));
  }
  assert_int_equal(0, binaries_alive(rt));
  gh_runtime_free(rt);
}

static void hibernate_frees_dead_binaries_on_the_old_heap(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  make_old_heap(p);
  push_binary(p, 8000, 6);
  OK(gh_gc(p, GH_GC_MINOR));
  OK(gh_gc(p, GH_GC_MINOR));
  OK(gh_pop(p, 1));
  assert_int_equal(1, binaries_alive(rt));
  OK(gh_hibernate(p));
  assert_int_equal(0, binaries_alive(rt));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* The router leak (t6): a long-lived middleman keeps a short window of recent
 * binaries; those that lived through two GCs are promoted, and when they leave
 * the window they stay pinned on its old heap until a full sweep. */
static void run_router(gh_runtime *rt, gh_proc *router, gh_proc *producer,
                       gh_proc *worker, int n) {
  enum { WINDOW = 16 };
  OK(gh_push(router, GH_NIL)); /* slot 0: window (a list) */
  OK(gh_push(worker, GH_NIL));
  for (int i = 0; i < n; i++) {
    gh_term b, m, cell;
    OK(gh_binary(producer, NULL, 100000, &b));
    OK(gh_send(producer, gh_self(router), b));
    OK(gh_receive(router, &m));
    OK(gh_send(router, gh_self(worker), m));
    OK(gh_cons(router, m, slot(router, 0), &cell));
    /* keep only the first WINDOW elements */
    gh_term elems[WINDOW];
    size_t k = 0;
    for (gh_term t = cell; t != GH_NIL && k < WINDOW; t = gh_cdr(t))
      elems[k++] = gh_car(t);
    OK(gh_list(router, k, elems, &cell));
    OK(gh_slot_set(router, 0, cell));
    gh_term log_entry; /* per-message bookkeeping: word-heap garbage */
    OK(gh_tuple(router, 40, NULL, &log_entry));
    OK(gh_receive(worker, &m)); /* the worker drops it */
    OK(gh_gc(producer, GH_GC_MAJOR));
  }
  OK(gh_gc(worker, GH_GC_MAJOR));
  OK(gh_slot_set(router, 0, GH_NIL)); /* burst over: router clears its state */
}

static void router_keeps_forwarded_binaries_until_a_full_sweep(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *router = spawn_default(rt), *producer = spawn_default(rt),
          *worker = spawn_default(rt);
  run_router(rt, router, producer, worker, 200);
  gh_gc_info i = info_of(router);
  print_message("router idle: %llu binaries alive, %zu old vheap words, %llu handles\n",
                (unsigned long long)binaries_alive(rt), i.bin_old_vheap_size,
                (unsigned long long)i.refc_binaries);
  if (!stress(rt)) {
    assert_true(binaries_alive(rt) > 16); /* more than the (now empty) window */
    assert_true(i.bin_old_vheap_size > 0);
  }
  assert_int_equal(binaries_alive(rt), i.refc_binaries);
  OK(gh_hibernate(router));
  assert_int_equal(0, binaries_alive(rt));
  assert_int_equal(0, info_of(router).bin_old_vheap_size);
  gh_runtime_stats s;
  gh_runtime_stats_get(rt, &s);
  assert_int_equal(0, s.binary_bytes);
  gh_runtime_free(rt);
}

static void vheap_overflow_forces_a_gc(void **state) {
  gh_runtime *rt = new_runtime();
  SKIP_UNDER_STRESS(rt);
  gh_proc *p = spawn_default(rt);
  gh_term b;
  /* 100,000-byte binaries are 12,500 vheap words; the block is 46422. */
  for (int i = 0; i < 3; i++)
    OK(gh_binary(p, NULL, 100000, &b));
  gh_gc_info i = info_of(p);
  assert_int_equal(0, i.minor_gcs + i.full_sweeps);
  assert_int_equal(37500, i.bin_vheap_size);
  OK(gh_binary(p, NULL, 100000, &b)); /* 50000 >= 46422: collect first */
  i = info_of(p);
  assert_int_equal(1, i.minor_gcs + i.full_sweeps);
  assert_true(i.heap_size < 50); /* the word heap was nearly empty */
  assert_int_equal(12500, i.bin_vheap_size);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void slice_keeps_the_whole_binary_alive(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  uint8_t *big = malloc(1 << 20);
  for (int i = 0; i < (1 << 20); i++)
    big[i] = (uint8_t)i;
  gh_term b, s, m;
  OK(gh_binary(p, big, 1 << 20, &b));
  OK(gh_sub_binary(p, b, 1000, 100, &s));
  const uint8_t *d;
  size_t n;
  OK(gh_binary_data(s, &d, &n));
  assert_int_equal(100, n);
  assert_memory_equal(big + 1000, d, 100);
  OK(gh_send(p, gh_self(q), s));
  OK(gh_gc(p, GH_GC_MAJOR)); /* p holds nothing now */
  OK(gh_receive(q, &m));
  OK(gh_push(q, m));
  OK(gh_gc(q, GH_GC_MAJOR));
  assert_int_equal(1, binaries_alive(rt)); /* all 1 MiB, for 100 bytes */
  gh_runtime_stats st;
  gh_runtime_stats_get(rt, &st);
  assert_int_equal(1 << 20, st.binary_bytes);
  assert_int_equal(12, info_of(q).bin_vheap_size); /* 100 / 8 */
  OK(gh_binary_data(slot(q, 0), &d, &n));
  assert_int_equal(100, n);
  assert_memory_equal(big + 1000, d, 100);
  OK(gh_pop(q, 1));
  OK(gh_gc(q, GH_GC_MAJOR));
  assert_int_equal(0, binaries_alive(rt));
  free(big);
  gh_runtime_free(rt);
}

static void slice_of_a_slice_and_bad_ranges(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  const char *text = "the quick brown fox jumps over the lazy dog";
  gh_term b, s1, s2;
  OK(gh_binary(p, text, strlen(text), &b));
  OK(gh_sub_binary(p, b, 4, 15, &s1)); /* "quick brown fox" */
  OK(gh_push(p, s1));
  OK(gh_sub_binary(p, slot(p, 0), 6, 5, &s2)); /* "brown" */
  const uint8_t *d;
  size_t n;
  OK(gh_binary_data(s2, &d, &n));
  assert_int_equal(5, n);
  assert_memory_equal("brown", d, 5);
  assert_int_equal(GH_ERR_RANGE, gh_sub_binary(p, slot(p, 0), 10, 6, &s2));
  assert_int_equal(GH_ERR_NOT_A_BINARY, gh_sub_binary(p, gh_small(1), 0, 0, &s2));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* gh_binary copies from bytes that may be the process's own: a heap
 * binary's (in the young block the collection frees) or a refc binary's
 * whose only handle is an unrooted term (the collection drops it and frees
 * the bytes).  The copy must read them before anything can free them. */
static void fill_pattern(uint8_t *buf, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    buf[i] = (uint8_t)(seed + 7 * i);
}

static void copy_own_bytes(gh_proc *p, gh_term from, size_t n, unsigned seed) {
  const uint8_t *d;
  size_t size;
  gh_term copy;
  OK(gh_binary_data(from, &d, &size));
  assert_int_equal(n, size);
  OK(gh_binary(p, d, size, &copy)); /* collects: gc_stress */
  uint8_t want[1000];
  fill_pattern(want, n, seed);
  OK(gh_binary_data(copy, &d, &size));
  assert_int_equal(n, size);
  assert_memory_equal(want, d, n);
}

static void copy_of_a_heap_binarys_own_bytes_is_exact(void **state) {
  gh_runtime *rt = new_poisoning_runtime(true);
  gh_proc *p = spawn_default(rt);
  for (unsigned round = 0; round < 50; round++) {
    size_t n = 1 + round % 64;
    uint8_t buf[64];
    fill_pattern(buf, n, round);
    gh_term b;
    OK(gh_binary(p, buf, n, &b));
    if (round % 2)
      OK(gh_push(p, b)), OK(gh_slot_get(p, gh_depth(p) - 1, &b)); /* rooted or not */
    copy_own_bytes(p, b, n, round);
  }
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void copy_of_a_dying_refc_binarys_bytes_is_exact(void **state) {
  gh_runtime *rt = new_poisoning_runtime(true);
  gh_proc *p = spawn_default(rt);
  uint8_t buf[1000];
  fill_pattern(buf, sizeof buf, 3);
  gh_term b;
  OK(gh_binary(p, buf, sizeof buf, &b)); /* only handle: this C variable */
  copy_own_bytes(p, b, sizeof buf, 3);
  OK(gh_gc(p, GH_GC_MAJOR));
  assert_int_equal(0, binaries_alive(rt)); /* neither was rooted */
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void copy_of_a_dying_slices_bytes_is_exact(void **state) {
  gh_runtime *rt = new_poisoning_runtime(true);
  gh_proc *p = spawn_default(rt);
  uint8_t buf[1000];
  fill_pattern(buf, sizeof buf, 5);
  gh_term b, s;
  OK(gh_binary(p, buf, sizeof buf, &b));
  OK(gh_sub_binary(p, b, 100, 300, &s)); /* b is an argument: safe */
  copy_own_bytes(p, s, 300, 5 + 7 * 100);
  OK(gh_binary(p, buf, 40, &b));
  OK(gh_sub_binary(p, b, 8, 20, &s)); /* a slice of a heap binary */
  copy_own_bytes(p, s, 20, 5 + 7 * 8);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(binary_of_64_bytes_is_on_heap_65_is_refc),
      cmocka_unit_test(young_binary_is_freed_by_a_minor_gc),
      cmocka_unit_test(promoted_binary_is_freed_only_by_a_full_sweep),
      cmocka_unit_test(shared_binary_is_freed_when_the_last_holder_exits),
      cmocka_unit_test(hibernate_frees_dead_binaries_on_the_old_heap),
      cmocka_unit_test(router_keeps_forwarded_binaries_until_a_full_sweep),
      cmocka_unit_test(vheap_overflow_forces_a_gc),
      cmocka_unit_test(slice_keeps_the_whole_binary_alive),
      cmocka_unit_test(slice_of_a_slice_and_bad_ranges),
      cmocka_unit_test(copy_of_a_heap_binarys_own_bytes_is_exact),
      cmocka_unit_test(copy_of_a_dying_refc_binarys_bytes_is_exact),
      cmocka_unit_test(copy_of_a_dying_slices_bytes_is_exact),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
