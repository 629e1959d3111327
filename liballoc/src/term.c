/* term.c -- building and reading terms (immediates, cons, tuples, floats).
 *
 * Constructors are short: check the arguments belong to this process, bump
 * allocate (heap.c decides when to collect), fill in the words.  Binaries
 * live in binary.c.  Readers never allocate, so they never move anything.
 */
#include "term.h"
#include "wstack.h"

#include <string.h>

/* Reads memory only for an aligned boxed pointer, which must be a term. */
gh_type gh_typeof(gh_term t) {
  switch (term_tag(t)) {
  case GH_TAG_LIST:
    return is_misaligned(t) ? GH_T_INVALID : GH_T_CONS;
  case GH_TAG_BOXED:
    if (is_misaligned(t))
      return GH_T_INVALID;
    switch (header_subtag(*term_ptr(t))) {
    case GH_SUB_TUPLE:
      return GH_T_TUPLE;
    case GH_SUB_FLOAT:
      return GH_T_FLOAT;
    case GH_SUB_REFC_BIN:
    case GH_SUB_HEAP_BIN:
    case GH_SUB_SUB_BIN:
      return GH_T_BINARY;
    default:
      return GH_T_INVALID;
    }
  case GH_TAG_IMMED:
    if ((t & 0xF) == GH_IMM_SMALL)
      return GH_T_SMALL;
    if ((t & 0xF) == GH_IMM_PID)
      return GH_T_PID;
    if (t == GH_NIL)
      return GH_T_NIL;
    if ((t & 0x3F) == GH_IMM2_ATOM)
      return GH_T_ATOM;
    return GH_T_INVALID;
  default:
    return GH_T_INVALID;
  }
}

double gh_float_value(gh_term f) {
  double d;
  memcpy(&d, term_ptr(f) + 1, sizeof d);
  return d;
}

static gh_status check_proc(const gh_proc *p) {
  if (!p)
    return GH_ERR_NULL;
  return p->alive ? GH_OK : GH_ERR_DEAD;
}

/* Behind genheap.h's inline gh_cons: every check, and the collector. */
gh_status gh_cons_slow(gh_proc *p, gh_term head, gh_term tail, gh_term *out) {
  if (GH_UNLIKELY(!p || !out))
    return GH_ERR_NULL;
  if (GH_UNLIKELY(!p->alive))
    return GH_ERR_DEAD;
  gh_status s = check_term(p, head);
  if (GH_LIKELY(s == GH_OK))
    s = check_term(p, tail);
  if (GH_UNLIKELY(s != GH_OK))
    return s;
  gh_term args[2] = {head, tail};
  gh_term *cell;
  if (GH_UNLIKELY((s = gh__alloc_heap(p, 2, args, 2, &cell)) != GH_OK))
    return s;
  cell[0] = args[0];
  cell[1] = args[1];
  *out = make_list(cell);
  return GH_OK;
}

/* A copy of caller-provided terms, rooted while an allocation may collect:
 * elems may be C memory the collector does not know about. */
typedef struct rooted {
  gh_term *terms;
  size_t n;
  gh_term inline_terms[16];
} rooted;

static gh_status rooted_init(gh_proc *p, rooted *r, const gh_term *elems, size_t n) {
  r->n = elems ? n : 0;
  r->terms = r->inline_terms;
  if (r->n > 16 && !(r->terms = gh__alloc(p->rt, r->n * sizeof(gh_term))))
    return GH_ERR_NOMEM;
  if (r->n)
    memcpy(r->terms, elems, r->n * sizeof(gh_term));
  return GH_OK;
}

static void rooted_free(gh_proc *p, rooted *r) {
  if (r->terms != r->inline_terms)
    gh__free(p->rt, r->terms, r->n * sizeof(gh_term));
}

gh_status gh_list(gh_proc *p, size_t n, const gh_term *elems, gh_term *out) {
  gh_status s = check_proc(p);
  if (s == GH_OK && (!out || (n && !elems)))
    s = GH_ERR_NULL;
  for (size_t i = 0; s == GH_OK && i < n; i++)
    s = check_term(p, elems[i]);
  if (s != GH_OK)
    return s;
  if (n > SIZE_MAX / 4)
    return GH_ERR_TOO_LARGE;
  if (n == 0) {
    *out = GH_NIL;
    return GH_OK;
  }
  rooted r;
  gh_term *cells;
  if ((s = rooted_init(p, &r, elems, n)) != GH_OK)
    return s;
  s = gh__alloc_heap(p, 2 * n, r.terms, n, &cells);
  if (s == GH_OK) {
    for (size_t i = 0; i < n; i++) {
      cells[2 * i] = r.terms[i];
      cells[2 * i + 1] = i + 1 < n ? make_list(cells + 2 * i + 2) : GH_NIL;
    }
    *out = make_list(cells);
  }
  rooted_free(p, &r);
  return s;
}

gh_status gh_tuple(gh_proc *p, size_t arity, const gh_term *elems,
                   gh_term *out) {
  gh_status s = check_proc(p);
  if (s == GH_OK && !out)
    s = GH_ERR_NULL;
  for (size_t i = 0; s == GH_OK && elems && i < arity; i++)
    s = check_term(p, elems[i]);
  if (s != GH_OK)
    return s;
  if (arity > ((size_t)1 << 40))
    return GH_ERR_TOO_LARGE;
  rooted r;
  gh_term *obj;
  if ((s = rooted_init(p, &r, elems, arity)) != GH_OK)
    return s;
  s = gh__alloc_heap(p, arity + 1, r.terms, r.n, &obj);
  if (s == GH_OK) {
    obj[0] = make_header(GH_SUB_TUPLE, arity);
    for (size_t i = 0; i < arity; i++)
      obj[1 + i] = elems ? r.terms[i] : GH_NIL;
    *out = make_boxed(obj);
  }
  rooted_free(p, &r);
  return s;
}

gh_status gh_float(gh_proc *p, double value, gh_term *out) {
  gh_status s = check_proc(p);
  if (s == GH_OK && !out)
    s = GH_ERR_NULL;
  if (s != GH_OK)
    return s;
  gh_term *obj;
  if ((s = gh__alloc_heap(p, 2, NULL, 0, &obj)) != GH_OK)
    return s;
  obj[0] = make_header(GH_SUB_FLOAT, 1);
  memcpy(obj + 1, &value, sizeof value);
  *out = make_boxed(obj);
  return GH_OK;
}

/* ---- Equality and size: iterative (wstack.h), so deep terms cannot
 * overflow the C stack; the work stack grows through the runtime's
 * allocator, and running out of it is GH_ERR_NOMEM, not an answer. */

static bool binary_equal(gh_term a, gh_term b) {
  const uint8_t *da, *db;
  size_t na, nb;
  gh_binary_data(a, &da, &na);
  gh_binary_data(b, &db, &nb);
  return na == nb && memcmp(da, db, na) == 0;
}

/* Compares the tops of a and b; pushes their children pairwise. */
static bool equal_step(wstack *ws, gh_term a, gh_term b) {
  if (a == b)
    return true;
  gh_type ta = gh_typeof(a);
  if (ta != gh_typeof(b))
    return false;
  switch (ta) {
  case GH_T_CONS:
    ws_push(ws, gh_cdr(a));
    ws_push(ws, gh_cdr(b));
    ws_push(ws, gh_car(a));
    ws_push(ws, gh_car(b));
    return true;
  case GH_T_TUPLE: {
    size_t n = gh_tuple_arity(a);
    if (n != gh_tuple_arity(b))
      return false;
    for (size_t i = 0; i < n; i++) {
      ws_push(ws, gh_tuple_element(a, i));
      ws_push(ws, gh_tuple_element(b, i));
    }
    return true;
  }
  case GH_T_FLOAT:
    return gh_float_value(a) == gh_float_value(b);
  case GH_T_BINARY:
    return binary_equal(a, b);
  default:
    return false; /* distinct immediates */
  }
}

/* The checks of the readers that take the process: it is alive, and each
 * term argument passes check_term. */
static gh_status check_read(const gh_proc *p, gh_term a, gh_term b, const void *out) {
  gh_status s = check_proc(p);
  if (s == GH_OK && !out)
    s = GH_ERR_NULL;
  if (s == GH_OK)
    s = check_term(p, a);
  if (s == GH_OK)
    s = check_term(p, b);
  return s;
}

gh_status gh_equal(const gh_proc *p, gh_term a, gh_term b, bool *equal) {
  gh_status s = check_read(p, a, b, equal);
  if (s != GH_OK)
    return s;
  wstack ws;
  ws_init(&ws, p->rt);
  bool eq = true;
  ws_push(&ws, a);
  ws_push(&ws, b);
  while (eq && !ws_empty(&ws) && !ws.failed) {
    gh_term y = ws_pop(&ws), x = ws_pop(&ws);
    eq = equal_step(&ws, x, y);
  }
  bool failed = ws.failed;
  ws_release(&ws);
  if (failed)
    return GH_ERR_NOMEM; /* the answer is not known */
  *equal = eq;
  return GH_OK;
}

/* Words a term takes on a heap, counted as a message copy would lay it out:
 * shared subterms count each time, a refc slice becomes a ProcBin. */
size_t gh__size_object(gh_runtime *rt, gh_term t, bool *failed) {
  wstack ws;
  ws_init(&ws, rt);
  size_t words = 0;
  ws_push(&ws, t);
  while (!ws_empty(&ws) && !ws.failed) {
    gh_term x = ws_pop(&ws);
    for (;;) {
      if (is_list(x)) {
        words += 2;
        ws_push(&ws, gh_car(x));
        x = gh_cdr(x);
        continue;
      }
      if (is_boxed(x))
        words += gh__boxed_copy_words(term_ptr(x), &ws);
      break;
    }
  }
  *failed = ws.failed;
  ws_release(&ws);
  return words;
}

gh_status gh_flat_size(const gh_proc *p, gh_term t, size_t *words) {
  gh_status s = check_read(p, t, GH_NIL, words);
  if (s != GH_OK)
    return s;
  bool failed;
  size_t n = gh__size_object(p->rt, t, &failed);
  if (failed)
    return GH_ERR_NOMEM;
  *words = n;
  return GH_OK;
}
