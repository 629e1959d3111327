/* verify.c -- the heap invariants, checked (gh_verify, GENHEAP_VERIFY).
 *
 * 1. Every pointer, on any heap, in a fragment or a stack slot, points into
 *    this process's young heap, old heap or fragments, at an object start:
 *    a boxed pointer at a header, a list pointer at a cell whose car is not
 *    a header.
 * 2. Nothing on the old heap points into the young generation (terms are
 *    immutable, so older terms only point to older ones): that is what lets
 *    a minor GC skip the old heap.
 * 3. The off-heap list holds live ProcBins of this process, each with a
 *    positive reference count, and its length and vheap sums match.
 *
 * gh_verify_term checks one word against the process's areas: a pointer is
 * a term only at an object start, which only a walk of its area from the
 * beginning can tell (a cons cell's car is never a header, so the walk knows
 * each object's size), hence the O(heap) cost.
 */
#include "term.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct vctx {
  const gh_proc *p;
  char *why;
  size_t why_size;
} vctx;

static gh_status fail(vctx *v, const char *fmt, ...) {
  if (v->why && v->why_size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->why, v->why_size, fmt, ap);
    va_end(ap);
  }
  return GH_ERR_BADARG;
}

static bool in(const gh_term *x, const gh_term *lo, const gh_term *hi) {
  return lo && x >= lo && x < hi;
}

static bool in_old(const gh_proc *p, const gh_term *x) {
  return in(x, p->old_heap, p->old_htop);
}

static bool in_young_gen(const gh_proc *p, const gh_term *x) {
  if (in(x, p->fast.heap, p->fast.htop))
    return true;
  for (const gh_frag *f = p->mbuf; f; f = f->next)
    if (in(x, f->mem, f->mem + f->used_size))
      return true;
  return false;
}

static gh_status check_pointer(vctx *v, gh_term t, bool from_old, const char *where) {
  const gh_term *x = term_ptr(t);
  bool old = in_old(v->p, x);
  if (!old && !in_young_gen(v->p, x))
    return fail(v, "%s: pointer %p outside the process's heaps", where, (void *)x);
  if (from_old && !old)
    return fail(v, "%s: old-heap term points into the young generation", where);
  if (is_boxed(t) && !is_header(*x))
    return fail(v, "%s: boxed pointer %p not at a header", where, (void *)x);
  if (is_list(t) && (is_header(x[0]) || x[0] == GH_NON_VALUE))
    return fail(v, "%s: list pointer %p at a header or a moved cell", where, (void *)x);
  return GH_OK;
}

static gh_status check_area(vctx *v, const gh_term *lo, const gh_term *hi,
                            bool old, const char *where) {
  for (const gh_term *w = lo; w < hi;) {
    if (is_header(*w)) {
      size_t skip = header_skip(*w);
      if (w + object_words(*w) > hi)
        return fail(v, "%s: object at %p runs past the area", where, (const void *)w);
      w += skip;
      continue;
    }
    if (is_pointer(*w)) {
      gh_status s = check_pointer(v, *w, old, where);
      if (s != GH_OK)
        return s;
    }
    w++;
  }
  return GH_OK;
}

static gh_status check_mso(vctx *v) {
  const gh_proc *p = v->p;
  uint64_t n = 0, young = 0, old = 0;
  for (const gh_procbin *pb = p->mso; pb; pb = pb->next) {
    const gh_term *x = (const gh_term *)pb;
    if (!in_old(p, x) && !in_young_gen(p, x))
      return fail(v, "off-heap list: ProcBin %p outside the heaps", (const void *)pb);
    if (header_subtag(pb->thing_word) != GH_SUB_REFC_BIN || !is_header(pb->thing_word))
      return fail(v, "off-heap list: entry %p is not a ProcBin", (const void *)pb);
    if (atomic_load(&pb->val->refc) == 0)
      return fail(v, "off-heap list: binary of %p has count 0", (const void *)pb);
    if (++n > p->refc_binaries)
      return fail(v, "off-heap list longer than its count %llu",
                  (unsigned long long)p->refc_binaries);
    *(in_old(p, x) ? &old : &young) += pb->size / sizeof(gh_term);
  }
  if (n != p->refc_binaries)
    return fail(v, "off-heap list has %llu entries, count says %llu",
                (unsigned long long)n, (unsigned long long)p->refc_binaries);
  if (young != p->overhead || old != p->bin_old_vheap)
    return fail(v, "vheap sums %llu/%llu differ from the list's %llu/%llu",
                (unsigned long long)p->overhead, (unsigned long long)p->bin_old_vheap,
                (unsigned long long)young, (unsigned long long)old);
  return GH_OK;
}

gh_status gh__verify(const gh_proc *p, char *why, size_t why_size) {
  vctx v = {p, why, why_size};
  if (!(p->fast.heap <= p->high_water && p->high_water <= p->fast.htop &&
        p->fast.htop <= p->fast.stop && p->fast.stop < p->fast.hend))
    return fail(&v, "young block pointers out of order");
  if (*(p->fast.hend - 1) != frame_marker())
    return fail(&v, "bottom stack frame overwritten");
  gh_status s = check_area(&v, p->fast.heap, p->fast.htop, false, "young heap");
  if (s == GH_OK && p->old_heap)
    s = check_area(&v, p->old_heap, p->old_htop, true, "old heap");
  for (const gh_frag *f = p->mbuf; s == GH_OK && f; f = f->next)
    s = check_area(&v, f->mem, f->mem + f->used_size, false, "fragment");
  if (s == GH_OK)
    s = check_area(&v, p->fast.stop, p->fast.hend, false, "stack");
  if (s == GH_OK)
    s = check_mso(&v);
  return s;
}

/* ---- One word ---------------------------------------------------------- */

/* Is x the start of an object in the parsed area [lo, hi)?  Stops at the
 * first object that does not end before x. */
static bool object_start_in(const gh_term *x, const gh_term *lo, const gh_term *hi) {
  const gh_term *w = lo;
  while (w < x) {
    size_t words = is_header(*w) ? object_words(*w) : 2;
    if (words > (size_t)(hi - w))
      return false;
    w += words;
  }
  return w == x;
}

/* The area of p's terms that holds x: young heap, old heap or a received
 * fragment; false when x is in none of them. */
static bool area_of(const gh_proc *p, const gh_term *x, const gh_term **lo,
                    const gh_term **hi) {
  if (in(x, p->fast.heap, p->fast.htop)) {
    *lo = p->fast.heap, *hi = p->fast.htop;
    return true;
  }
  if (in(x, p->old_heap, p->old_htop)) {
    *lo = p->old_heap, *hi = p->old_htop;
    return true;
  }
  for (const gh_frag *f = p->mbuf; f; f = f->next)
    if (in(x, f->mem, f->mem + f->used_size)) {
      *lo = f->mem, *hi = f->mem + f->used_size;
      return true;
    }
  return false;
}

gh_status gh_verify_term(const gh_proc *p, gh_term t) {
  if (!p)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  if (!is_pointer(t))
    return immediate_is_value(t) ? GH_OK : GH_ERR_BADARG;
  if (is_misaligned(t))
    return GH_ERR_BADARG;
  const gh_term *x = term_ptr(t), *lo, *hi;
  if (!area_of(p, x, &lo, &hi))
    return GH_ERR_FOREIGN_TERM;
  if (!object_start_in(x, lo, hi))
    return GH_ERR_BADARG; /* inside an object */
  if (is_list(t))
    return !is_header(x[0]) && hi - x >= 2 ? GH_OK : GH_ERR_BADARG;
  if (!is_header(x[0]))
    return GH_ERR_BADARG; /* a boxed pointer to a cons cell */
  switch (header_subtag(x[0])) {
  case GH_SUB_TUPLE:
  case GH_SUB_FLOAT:
  case GH_SUB_REFC_BIN:
  case GH_SUB_HEAP_BIN:
  case GH_SUB_SUB_BIN:
    return GH_OK;
  default:
    return GH_ERR_BADARG;
  }
}

#ifdef GH_DEBUG
void gh__assert_fail(const char *cond, const char *file, int line) {
  fprintf(stderr, "genheap: %s:%d: assertion failed: %s\n", file, line, cond);
  abort(); /* debug builds only: stop where the invariant broke */
}
#endif

gh_status gh_verify(const gh_proc *p, char *why, size_t why_size) {
  if (!p)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  if (why && why_size)
    why[0] = '\0';
  return gh__verify(p, why, why_size);
}
