/* test_errors.c -- bad input gets a status with a message, never a crash. */
#include "common.h"

static void null_arguments_are_reported(void **state) {
  gh_term t;
  assert_int_equal(GH_ERR_NULL, gh_runtime_new(NULL, NULL));
  assert_int_equal(GH_ERR_NULL, gh_spawn(NULL, NULL, NULL));
  assert_int_equal(GH_ERR_NULL, gh_cons(NULL, GH_NIL, GH_NIL, &t));
  assert_int_equal(GH_ERR_NULL, gh_push(NULL, GH_NIL));
  assert_int_equal(GH_ERR_NULL, gh_gc(NULL, GH_GC_MAJOR));
  assert_int_equal(GH_ERR_NULL, gh_hibernate(NULL));
  assert_int_equal(GH_ERR_NULL, gh_send(NULL, 1, GH_NIL));
  assert_int_equal(GH_ERR_NULL, gh_receive(NULL, &t));
  assert_int_equal(GH_ERR_NULL, gh_proc_info(NULL, NULL));
  assert_int_equal(GH_ERR_NULL, gh_exit(NULL));
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  assert_int_equal(GH_ERR_NULL, gh_cons(p, GH_NIL, GH_NIL, NULL));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void a_term_from_another_heap_is_refused(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  gh_term t, c;
  OK(gh_tuple(q, 2, NULL, &t));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_cons(p, t, GH_NIL, &c));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_push(p, t));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_send(p, gh_self(q), t));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_tuple(p, 1, &t, &c));
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

static void bad_values_and_ranges_are_refused(void **state) {
  gh_runtime *rt = new_runtime();
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.fullsweep_after = 70000; /* BEAM would wrap it to 4464: refuse instead */
  gh_proc *p;
  assert_int_equal(GH_ERR_BADARG, gh_spawn(rt, &so, &p));
  gh_spawn_options_init(&so);
  so.max_heap_size = 100; /* below min_heap_size: badarg, as BEAM */
  assert_int_equal(GH_ERR_BADARG, gh_spawn(rt, &so, &p));
  p = spawn_default(rt);
  gh_term t;
  assert_int_equal(GH_ERR_RANGE, gh_slot_get(p, 0, &t));
  assert_int_equal(GH_ERR_RANGE, gh_pop(p, 1));
  assert_int_equal(GH_ERR_BADARG, gh_push(p, (gh_term)0)); /* a header */
  assert_int_equal(GH_ERR_BADARG, gh_gc(p, (gh_gc_kind)9));
  assert_int_equal(GH_ERR_EMPTY, gh_receive(p, &t));
  assert_int_equal(GH_ERR_NOT_A_BINARY, gh_sub_binary(p, GH_NIL, 0, 0, &t));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void every_status_has_a_message(void **state) {
  for (int s = GH_OK; s <= GH_ERR_BUSY; s++) {
    const char *m = gh_strerror((gh_status)s);
    assert_non_null(m);
    assert_true(strlen(m) > 5);
    assert_string_not_equal("unknown status", m);
  }
  assert_string_equal("unknown status", gh_strerror((gh_status)999));
  assert_string_equal("hibernate", gh_sweep_reason_name(GH_SWEEP_HIBERNATE));
  assert_string_equal("0.1.0", gh_version());
}

static void verify_accepts_a_healthy_heap(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 3000);
  char why[128];
  OK(gh_verify(p, why, sizeof why));
  assert_string_equal("", why);
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* gh_verify must be able to fail: plant an old-to-young pointer by hand. */
static void verify_detects_an_old_term_pointing_to_a_young_one(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  build_list_in_slot(p, 0, 1, 10);
  OK(gh_gc(p, GH_GC_MAJOR));
  OK(gh_gc(p, GH_GC_MINOR)); /* the list is on the old heap now */
  assert_int_equal(20, info_of(p).old_heap_size);
  gh_term young;
  OK(gh_tuple(p, 1, NULL, &young));
  gh_term *old_cell = (gh_term *)(uintptr_t)(slot(p, 0) & ~(gh_term)3);
  gh_term saved = old_cell[0];
  old_cell[0] = young;
  char why[160];
  assert_int_equal(GH_ERR_BADARG, gh_verify(p, why, sizeof why));
  assert_non_null(strstr(why, "young generation"));
  old_cell[0] = saved;
  OK(gh_verify(p, why, sizeof why));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

/* ---- Words that are not terms --------------------------------------------
 * The contract (genheap.h, "What a term argument may be"): calls that take
 * the process check each term argument in O(1) -- an immediate that is not
 * a value or a misaligned pointer is GH_ERR_BADARG, a pointer outside the
 * process's heaps GH_ERR_FOREIGN_TERM -- and gh_verify_term checks any word
 * completely.  gh_typeof reads no memory for an immediate or a misaligned
 * pointer word. */

/* The objects reachable from a process's slots: where each starts, how many
 * words it takes, its list/boxed tag and its type, as the encoding says. */
typedef struct object {
  const gh_term *start;
  size_t words;
  unsigned tag; /* 1 list, 2 boxed */
  gh_type type;
} object;

typedef struct objects {
  object items[256];
  size_t n;
} objects;

static const gh_term *word_ptr(gh_term t) {
  return (const gh_term *)(uintptr_t)(t & ~(gh_term)3);
}

/* Words of the boxed object at obj, from its header (term.h's rule, written
 * again here so that the test does not trust the library's). */
static size_t boxed_words(const gh_term *obj, gh_type *type) {
  gh_term h = obj[0];
  unsigned subtag = (unsigned)((h >> 2) & 0xF);
  size_t words = (size_t)(h >> 6) + 1;
  *type = subtag == 0 ? GH_T_TUPLE : subtag == 6 ? GH_T_FLOAT : GH_T_BINARY;
  return subtag == 10 ? words + 1 : words; /* a sub-binary's orig word */
}

static void collect_objects(objects *o, gh_term t) {
  while ((t & 3) == 1 || (t & 3) == 2) {
    const gh_term *x = word_ptr(t);
    for (size_t i = 0; i < o->n; i++)
      if (o->items[i].start == x)
        return;
    assert_true(o->n < 256);
    object *ob = &o->items[o->n++];
    ob->start = x;
    ob->tag = (unsigned)(t & 3);
    if (ob->tag == 1) {
      ob->words = 2;
      ob->type = GH_T_CONS;
      collect_objects(o, x[0]);
      t = x[1];
      continue;
    }
    ob->words = boxed_words(x, &ob->type);
    unsigned subtag = (unsigned)((x[0] >> 2) & 0xF);
    if (subtag == 0)
      for (size_t i = 1; i < ob->words; i++)
        collect_objects(o, x[i]);
    if (subtag == 10)
      collect_objects(o, x[4]); /* the original binary */
    return;
  }
}

/* Terms of every kind, on the old heap, the young heap and (outside GC
 * stress) in a received fragment, each kept in a slot. */
static void build_every_kind(gh_proc *p, gh_proc *q) {
  uint8_t big[100] = {1, 2, 3};
  gh_term t, items[4];
  OK(gh_binary(p, big, sizeof big, &t));
  OK(gh_push(p, t));                                      /* slot 0: refc */
  OK(gh_sub_binary(p, slot(p, 0), 10, 20, &t));
  OK(gh_push(p, t));                                      /* slot 1: its slice */
  OK(gh_float(p, 4.5, &items[2]));
  OK(gh_push(p, items[2]));
  OK(gh_binary(p, "abc", 3, &items[3]));
  OK(gh_push(p, items[3]));
  items[0] = gh_small(1);
  OK(gh_tuple(p, 2, NULL, &items[1]));
  OK(gh_slot_get(p, 2, &items[2]));
  OK(gh_slot_get(p, 3, &items[3]));
  OK(gh_list(p, 4, items, &t));
  OK(gh_slot_set(p, 2, t));                               /* slot 2: a list */
  OK(gh_pop(p, 1));
  OK(gh_gc(p, GH_GC_MAJOR));
  OK(gh_gc(p, GH_GC_MINOR)); /* all of the above is old now */
  OK(gh_binary(p, "young heap binary", 17, &t));
  OK(gh_push(p, t));                                      /* slot 3 */
  OK(gh_sub_binary(p, slot(p, 3), 6, 4, &t));
  OK(gh_push(p, t));                                      /* slot 4 */
  OK(gh_tuple(p, 3, NULL, &t));
  OK(gh_push(p, t));                                      /* slot 5 */
  OK(gh_tuple(q, 2, NULL, &t));
  OK(gh_send(q, gh_self(p), t));
  OK(gh_receive(p, &t));
  OK(gh_push(p, t));                                      /* slot 6: a message */
}

/* Every call that checks a term argument, given w: all must say `want`. */
static void assert_refused(gh_proc *p, gh_term w, gh_status want) {
  gh_term out, pair[2] = {w, GH_NIL};
  assert_int_equal(want, gh_push(p, w));
  assert_int_equal(want, gh_slot_set(p, 0, w));
  assert_int_equal(want, gh_cons(p, w, GH_NIL, &out));
  assert_int_equal(want, gh_cons(p, GH_NIL, w, &out));
  assert_int_equal(want, gh_tuple(p, 2, pair, &out));
  assert_int_equal(want, gh_list(p, 2, pair, &out));
  assert_int_equal(want, gh_sub_binary(p, w, 0, 0, &out));
  assert_int_equal(want, gh_send(p, gh_self(p), w));
}

/* Every object of every kind, word by word and with both pointer tags:
 * gh_verify_term accepts exactly the object starts with the right tag,
 * gh_typeof names what it accepted, and misaligned pointers are refused
 * by everything. */
static void verify_term_accepts_exactly_the_starts_of_terms(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  build_every_kind(p, q);
  objects o = {.n = 0};
  for (size_t s = 0; s < gh_depth(p); s++)
    collect_objects(&o, slot(p, s));
  size_t accepted = 0;
  for (size_t i = 0; i < o.n; i++) {
    const object *ob = &o.items[i];
    for (size_t k = 0; k < ob->words; k++)
      for (unsigned tag = 1; tag <= 2; tag++) {
        gh_term w = (gh_term)(uintptr_t)(ob->start + k) | tag;
        bool start = k == 0 && tag == ob->tag;
        assert_int_equal(start ? GH_OK : GH_ERR_BADARG, gh_verify_term(p, w));
        if (start) {
          assert_int_equal(ob->type, gh_typeof(w));
          accepted++;
        }
        gh_term mis = ((gh_term)(uintptr_t)(ob->start + k) + 4) | tag;
        assert_int_equal(GH_ERR_BADARG, gh_verify_term(p, mis));
        bool eq;
        size_t words;
        assert_int_equal(GH_ERR_BADARG, gh_equal(p, mis, GH_NIL, &eq));
        assert_int_equal(GH_ERR_BADARG, gh_equal(p, GH_NIL, mis, &eq));
        assert_int_equal(GH_ERR_BADARG, gh_flat_size(p, mis, &words));
      }
  }
  assert_int_equal(o.n, accepted);
  /* Inside the young block but not on its heap: the stack, the free gap. */
  const gh_proc_fast *f = (const gh_proc_fast *)p;
  gh_term in_stack = (gh_term)(uintptr_t)f->stop | 2, in_gap = (gh_term)(uintptr_t)f->htop | 1;
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_verify_term(p, in_stack));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_verify_term(p, in_gap));
  assert_refused(p, in_stack, GH_ERR_FOREIGN_TERM);
  assert_refused(p, in_gap, GH_ERR_FOREIGN_TERM);
  /* Another process's terms are foreign to p, its own to q. */
  gh_term theirs;
  OK(gh_tuple(q, 1, NULL, &theirs));
  assert_int_equal(GH_ERR_FOREIGN_TERM, gh_verify_term(p, theirs));
  OK(gh_verify_term(q, theirs));
  char why[160];
  OK(gh_verify(p, why, sizeof why));
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

/* splitmix64: a seeded stream of random words; the seed is printed and can
 * be set with GENHEAP_TEST_SEED to replay a failure. */
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

/* What the bits of a non-pointer word say it is (the test's own reading of
 * the encoding in genheap.h). */
static gh_type immediate_type(gh_term w) {
  if ((w & 3) == 0)
    return GH_T_INVALID; /* a header */
  if ((w & 0xF) == 0xF)
    return GH_T_SMALL;
  if ((w & 0xF) == 0x7)
    return GH_T_PID;
  if (w == GH_NIL)
    return GH_T_NIL;
  return (w & 0x3F) == 0x0B ? GH_T_ATOM : GH_T_INVALID;
}

/* Random words, and words near immediates, through every checking call:
 * each gets the status the contract promises, and nothing crashes.  (A
 * word that happens to point into p's young block is left out: the
 * contract promises nothing for interior pointers; a fresh process has no
 * other area.) */
static void random_words_get_a_status_never_a_crash(void **state) {
  const char *env = getenv("GENHEAP_TEST_SEED");
  uint64_t seed = env ? strtoull(env, NULL, 0) : 20250101, rng = seed;
  print_message("seed %llu (GENHEAP_TEST_SEED to replay)\n", (unsigned long long)seed);
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt);
  OK(gh_push(p, GH_NIL));
  size_t counts[3] = {0, 0, 0}; /* values, other immediates, pointers */
  for (int i = 0; i < 20000; i++) {
    gh_term w = next_random(&rng);
    if (i % 4 == 1)
      w = (w << 6) | 0x0B; /* an atom */
    else if (i % 4 == 2)
      w |= 0x3; /* an immediate, maybe not a value */
    const gh_proc_fast *f = (const gh_proc_fast *)p;
    uintptr_t x = (uintptr_t)(w & ~(gh_term)3);
    bool pointer = (w & 3) == 1 || (w & 3) == 2;
    if (pointer && x >= (uintptr_t)f->heap && x < (uintptr_t)f->hend)
      continue;
    gh_status want;
    if (!pointer) {
      gh_type ty = immediate_type(w);
      assert_int_equal(ty, gh_typeof(w));
      want = ty == GH_T_INVALID ? GH_ERR_BADARG : GH_OK;
      counts[ty == GH_T_INVALID]++;
    } else {
      want = (w & 4) ? GH_ERR_BADARG : GH_ERR_FOREIGN_TERM;
      if (w & 4)
        assert_int_equal(GH_T_INVALID, gh_typeof(w));
      counts[2]++;
    }
    assert_int_equal(want, gh_verify_term(p, w));
    bool eq = false;
    size_t words = 1;
    assert_int_equal(want, gh_equal(p, w, w, &eq));
    assert_int_equal(want, gh_flat_size(p, w, &words));
    if (want == GH_OK) {
      assert_true(eq);
      assert_int_equal(0, words);
    }
    gh_term out, pair[2] = {w, GH_NIL};
    assert_int_equal(want, gh_slot_set(p, 0, w));
    assert_int_equal(want, gh_cons(p, w, GH_NIL, &out));
    assert_int_equal(want, gh_tuple(p, 2, pair, &out));
    assert_int_equal(want, gh_list(p, 2, pair, &out));
    assert_int_equal(want == GH_OK ? GH_ERR_NOT_A_BINARY : want,
                     gh_sub_binary(p, w, 0, 0, &out));
    assert_int_equal(want == GH_OK ? GH_ERR_NOPROC : want,
                     gh_send(p, 999999999, w)); /* checked before the pid */
    assert_int_equal(want, gh_push(p, w));
    if (want == GH_OK)
      OK(gh_pop(p, 1));
  }
  print_message("%zu values, %zu other immediates, %zu pointers checked\n", counts[0],
                counts[1], counts[2]);
  assert_true(counts[0] > 1000 && counts[1] > 1000 && counts[2] > 1000);
  char why[160];
  OK(gh_verify(p, why, sizeof why));
  OK(gh_exit(p));
  gh_runtime_free(rt);
}

static void misaligned_pointers_into_the_heap_are_refused(void **state) {
  gh_runtime *rt = new_runtime();
  gh_proc *p = spawn_default(rt), *q = spawn_default(rt);
  build_every_kind(p, q);
  objects o = {.n = 0};
  for (size_t s = 0; s < gh_depth(p); s++)
    collect_objects(&o, slot(p, s));
  size_t depth = gh_depth(p), tried = 0;
  for (size_t i = 0; i < o.n; i++)
    for (size_t k = 0; k < o.items[i].words; k++)
      for (unsigned tag = 1; tag <= 2; tag++) {
        gh_term w = ((gh_term)(uintptr_t)(o.items[i].start + k) + 4) | tag;
        assert_int_equal(GH_T_INVALID, gh_typeof(w));
        assert_refused(p, w, GH_ERR_BADARG);
        tried++;
      }
  print_message("%zu misaligned pointers into %zu objects refused\n", tried, o.n);
  assert_int_equal(depth, gh_depth(p));
  char why[160];
  OK(gh_verify(p, why, sizeof why));
  OK(gh_exit(p));
  OK(gh_exit(q));
  gh_runtime_free(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(null_arguments_are_reported),
      cmocka_unit_test(a_term_from_another_heap_is_refused),
      cmocka_unit_test(bad_values_and_ranges_are_refused),
      cmocka_unit_test(every_status_has_a_message),
      cmocka_unit_test(verify_accepts_a_healthy_heap),
      cmocka_unit_test(verify_detects_an_old_term_pointing_to_a_young_one),
      cmocka_unit_test(misaligned_pointers_into_the_heap_are_refused),
      cmocka_unit_test(verify_term_accepts_exactly_the_starts_of_terms),
      cmocka_unit_test(random_words_get_a_status_never_a_crash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
