/* common.h -- helpers shared by the core tests.
 *
 * Every runtime the tests make checks the heap invariants after each
 * collection (verify), so any test doubles as an invariant test.  Under
 * GENHEAP_GC_STRESS=1 the library collects at every allocation: tests that
 * compare exact block sizes with BEAM's skip those comparisons then (the GC
 * timing, and so the sizes, differ by design), and keep every other check.
 */
#ifndef GH_TEST_COMMON_H
#define GH_TEST_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "genheap.h"

#define OK(expr) assert_int_equal(GH_OK, (expr))

/* A runtime on the host allocator a (NULL: malloc) that verifies every heap
 * after each collection. */
static inline gh_runtime *new_runtime_on(const gh_allocator *a) {
  gh_runtime_options o;
  gh_runtime_options_init(&o);
  o.allocator = a;
  o.verify = true;
  gh_runtime *rt = NULL;
  OK(gh_runtime_new(&o, &rt));
  return rt;
}

static inline gh_runtime *new_runtime(void) { return new_runtime_on(NULL); }

/* Overwrites freed memory, so that reading memory genheap has freed gives
 * POISON_BYTE instead of, nearly always, the old contents: a use after free
 * shows up as wrong data without ASan or valgrind. */
#define POISON_BYTE 0xA5

static inline void *poison_alloc(void *ctx, size_t bytes) { return malloc(bytes); }

static inline void poison_free(void *ctx, void *ptr, size_t bytes) {
  if (ptr) {
    memset(ptr, POISON_BYTE, bytes);
    /* A store just before free is dead to the compiler: keep it. */
    __asm__ __volatile__("" : : "r"(ptr) : "memory");
  }
  free(ptr);
}

/* A verifying runtime on the poisoning allocator; with `stress`, every
 * allocation collects (gc_stress), so anything an allocation may free is
 * freed. */
static inline gh_runtime *new_poisoning_runtime(bool stress) {
  static const gh_allocator poisoning = {poison_alloc, NULL, poison_free, NULL};
  gh_runtime_options o;
  gh_runtime_options_init(&o);
  o.allocator = &poisoning;
  o.verify = true;
  o.gc_stress = stress;
  gh_runtime *rt = NULL;
  OK(gh_runtime_new(&o, &rt));
  return rt;
}

static inline gh_proc *spawn_with(gh_runtime *rt, uint32_t fullsweep_after) {
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.fullsweep_after = fullsweep_after;
  gh_proc *p = NULL;
  OK(gh_spawn(rt, &so, &p));
  return p;
}

static inline gh_proc *spawn_default(gh_runtime *rt) {
  return spawn_with(rt, 65535);
}

static inline gh_gc_info info_of(gh_proc *p) {
  gh_gc_info i;
  OK(gh_proc_info(p, &i));
  return i;
}

/* gh_flat_size and gh_equal that must succeed. */
static inline size_t flat_size(gh_proc *p, gh_term t) {
  size_t words = (size_t)-1;
  OK(gh_flat_size(p, t, &words));
  return words;
}

static inline bool terms_equal(gh_proc *p, gh_term a, gh_term b) {
  bool eq = false;
  OK(gh_equal(p, a, b, &eq));
  return eq;
}

static inline gh_term slot(gh_proc *p, size_t s) {
  gh_term t;
  OK(gh_slot_get(p, s, &t));
  return t;
}

/* Builds [from, from+1, ..., from+n-1] one cell at a time (tail first, as
 * lists:seq does), keeping the partial list in slot s. */
static inline void build_list_in_slot(gh_proc *p, size_t s, int64_t from, size_t n) {
  OK(gh_slot_set(p, s, GH_NIL));
  for (size_t i = n; i-- > 0;) {
    gh_term cell;
    OK(gh_cons(p, gh_small(from + (int64_t)i), slot(p, s), &cell));
    OK(gh_slot_set(p, s, cell));
  }
}

/* Checks slot s holds [from .. from+n-1]. */
static inline void assert_list(gh_proc *p, size_t s, int64_t from, size_t n) {
  gh_term t = slot(p, s);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(GH_T_CONS, gh_typeof(t));
    assert_int_equal(from + (int64_t)i, gh_small_value(gh_car(t)));
    t = gh_cdr(t);
  }
  assert_int_equal(GH_NIL, t);
}

/* Allocates `words` of garbage (dead cons cells). */
static inline void churn(gh_proc *p, size_t words) {
  for (size_t i = 0; i < words / 2; i++) {
    gh_term c;
    OK(gh_cons(p, gh_small((int64_t)i), GH_NIL, &c));
  }
}

static inline int stress(gh_runtime *rt) { return gh_runtime_gc_stress(rt); }

/* For tests whose exact figures only hold when GC timing is the normal one. */
#define SKIP_UNDER_STRESS(rt)                                                   \
  do {                                                                          \
    if (stress(rt)) {                                                           \
      gh_runtime_free(rt);                                                      \
      skip();                                                                   \
    }                                                                           \
  } while (0)

/* A host allocator for fault injection that counts what it holds: the
 * fail_at-th call fails, or every call from fail_from on (0: never). */
typedef struct counting_alloc {
  long calls, fail_at, fail_from;
  long long live_bytes;
} counting_alloc;

static inline void *counting_alloc_fn(void *ctx, size_t n) {
  counting_alloc *f = ctx;
  ++f->calls;
  if (f->calls == f->fail_at || (f->fail_from && f->calls >= f->fail_from))
    return NULL;
  void *p = malloc(n);
  if (p)
    f->live_bytes += (long long)n;
  return p;
}

static inline void counting_free_fn(void *ctx, void *p, size_t n) {
  counting_alloc *f = ctx;
  f->live_bytes -= (long long)n;
  free(p);
}

static inline gh_allocator counting_allocator(counting_alloc *f) {
  return (gh_allocator){counting_alloc_fn, NULL, counting_free_fn, f};
}

#endif
