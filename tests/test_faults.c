/* test_faults.c -- fault injection: an allocator that fails the k-th
 * allocation, for every k over a workload that touches every allocating
 * path.  Each run must end with GH_ERR_NOMEM (never another error, never a
 * crash), consistent heaps, and, once the runtime is freed, no byte held
 * and every resource that was made destroyed exactly once (one that could
 * not be made: never). */
#include "common.h"

/* The workload's resources: made[i] once gh_*resource said GH_OK. */
enum { NRES = 2 };
static int destroyed[NRES];
static bool made[NRES];

static void destroy(void *ctx, void *obj) { (*(int *)obj)++; }
static const gh_resource_type res_type = {"fault", destroy, NULL};


/* Runs the workload until its first failure; returns that status. */
#define STEP(expr)                                                              \
  do {                                                                          \
    gh_status s_ = (expr);                                                      \
    if (s_ != GH_OK)                                                            \
      return s_;                                                                \
  } while (0)

static gh_status check_consistent(gh_proc *p) {
  char why[160];
  if (gh_is_alive(p) && gh_verify(p, why, sizeof why) != GH_OK) {
    print_error("inconsistent after a failure: %s\n", why);
    return GH_ERR_BADARG;
  }
  return GH_OK;
}

static gh_status workload(gh_runtime *rt, gh_proc **ps) {
  gh_proc *p, *q;
  STEP(gh_spawn(rt, NULL, &p));
  ps[0] = p;
  STEP(gh_spawn(rt, NULL, &q));
  ps[1] = q;
  STEP(gh_push(p, GH_NIL));
  for (int i = 0; i < 300; i++) {
    gh_term c, l;
    STEP(gh_slot_get(p, 0, &l));
    STEP(gh_cons(p, gh_small(i), l, &c));
    STEP(gh_slot_set(p, 0, c));
  }
  gh_term b, sub, t, m, f, l;
  size_t words; /* a 300-cell list: the size's work stack grows three times */
  bool eq;
  STEP(gh_slot_get(p, 0, &l));
  STEP(gh_flat_size(p, l, &words));
  STEP(gh_equal(p, l, l, &eq));
  STEP(gh_binary(p, NULL, 1000, &b));
  STEP(gh_push(p, b));
  STEP(gh_slot_get(p, 1, &b));
  STEP(gh_sub_binary(p, b, 10, 100, &sub));
  STEP(gh_push(p, sub));
  STEP(gh_float(p, 1.0, &f));
  gh_term elems[3];
  STEP(gh_slot_get(p, 0, &elems[0]));
  STEP(gh_slot_get(p, 2, &elems[1]));
  elems[2] = f;
  STEP(gh_tuple(p, 3, elems, &t));
  STEP(gh_send(p, gh_self(q), t));
  STEP(gh_receive(q, &m));
  STEP(gh_push(q, m));
  /* Resources: made, shared with a message, and one pushed. */
  gh_term r;
  STEP(gh_resource(p, &res_type, &destroyed[0], 800, &r));
  made[0] = true;
  STEP(gh_send(p, gh_self(q), r));
  STEP(gh_push_resource(q, &res_type, &destroyed[1], 80));
  made[1] = true;
  /* A reservation, then put builders far past it: heap fragments. */
  gh_term live[1];
  STEP(gh_slot_get(q, 0, &live[0]));
  STEP(gh_reserve(q, 8, live, 1));
  gh_term list = live[0];
  for (int i = 0; i < 2000; i++)
    list = gh_put_cons(q, gh_small(i), list);
  STEP(gh_push(q, list)); /* GH_NONE, if a put failed: the reason */
  STEP(gh_receive(q, &m));
  STEP(gh_gc(p, GH_GC_MAJOR));
  STEP(gh_gc(p, GH_GC_MINOR));
  STEP(gh_gc(q, GH_GC_MINOR));
  STEP(gh_hibernate(q));
  STEP(gh_exit(p));
  ps[0] = NULL;
  return GH_OK;
}

static void every_allocation_failure_is_clean(void **state) {
  long total = -1, nomem = 0;
  for (long k = 0;; k++) {
    counting_alloc f = {.fail_at = k};
    memset(destroyed, 0, sizeof destroyed);
    memset(made, 0, sizeof made);
    gh_allocator a = counting_allocator(&f);
    gh_runtime_options o;
    gh_runtime_options_init(&o);
    o.allocator = &a;
    o.verify = true;
    gh_runtime *rt = NULL;
    gh_status s = gh_runtime_new(&o, &rt);
    gh_proc *ps[2] = {NULL, NULL};
    if (s == GH_OK)
      s = workload(rt, ps);
    if (k == 0) {
      assert_int_equal(GH_OK, s);
      total = f.calls;
    } else if (k <= total) {
      /* A failed heap resize after a GC is not an error (the heap keeps its
       * size); any other failure must say NOMEM. */
      if (s != GH_ERR_NOMEM && s != GH_OK)
        fail_msg("allocation %ld of %ld failed, but the workload said %s", k,
                 total, gh_strerror(s));
      nomem += s == GH_ERR_NOMEM;
    }
    for (int i = 0; i < 2; i++)
      if (ps[i])
        assert_int_equal(GH_OK, check_consistent(ps[i]));
    gh_runtime_free(rt);
    if (f.live_bytes != 0)
      fail_msg("allocation %ld failing leaked %lld bytes", k, f.live_bytes);
    for (int i = 0; i < NRES; i++)
      if (destroyed[i] != (made[i] ? 1 : 0))
        fail_msg("allocation %ld failing: resource %d (%s) destroyed %d times", k, i,
                 made[i] ? "made" : "not made", destroyed[i]);
    if (k > total)
      break;
  }
  print_message("%ld allocations failed one by one (%ld reported NOMEM), no leak\n",
                total, nomem);
  assert_true(total > 10);
  assert_true(nomem > total / 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_allocation_failure_is_clean),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
