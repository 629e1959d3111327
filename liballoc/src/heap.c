/* heap.c -- the young heap: bump allocation, the stack of root slots, and
 * which terms belong to a process.
 *
 * One block holds both: terms grow up from `heap` at `htop`, the stack grows
 * down from `hend` at `stop` (erl_process.h).  The word at hend[-1] is the
 * bottom frame, so a fresh process reports stack_size 1 as BEAM does; slot i
 * is hend[-2 - i], a position that the collector preserves when it moves the
 * stack to a new block, so slot numbers stay valid across collections.
 */
#include "term.h"

/* The allocation slow path: collect (or, in GC-stress mode, collect at every
 * allocation), then bump.  The collector guarantees need + S_RESERVED words
 * of room when it returns GH_OK. */
gh_status gh__alloc_slow(gh_proc *p, size_t words, gh_term *roots,
                         size_t nroots, gh_term **out) {
  if (!p->alive)
    return GH_ERR_DEAD;
  gh_status s = gh__collect(p, words, roots, nroots, GH_REQ_NEED);
  if (s != GH_OK)
    return s;
  GH_ASSERT((size_t)(p->fast.stop - p->fast.htop) >= words + GH_S_RESERVED);
  *out = p->fast.htop;
  p->fast.htop += words;
  return GH_OK;
}

size_t gh__stack_words(const gh_proc *p) { return (size_t)(p->fast.hend - p->fast.stop); }

size_t gh_depth(const gh_proc *p) {
  return p && p->alive ? gh__stack_words(p) - 1 : 0;
}

static gh_term *slot_addr(const gh_proc *p, size_t slot) {
  return p->fast.hend - 2 - slot;
}

gh_status gh_push(gh_proc *p, gh_term t) {
  if (!p)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  gh_status s = check_term(p, t);
  if (s != GH_OK)
    return s;
  /* A stack word is room taken from the heap: same test, same collector. */
  if (!has_room(p, 1) && (s = gh__collect(p, 1, &t, 1, GH_REQ_NEED)) != GH_OK)
    return s;
  GH_ASSERT(p->fast.stop > p->fast.htop);
  *--p->fast.stop = t;
  set_limit(p);
  return GH_OK;
}

gh_status gh_pop(gh_proc *p, size_t n) {
  if (!p)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  if (n > gh_depth(p))
    return GH_ERR_RANGE;
  p->fast.stop += n;
  gh__count_root_write(&p->fast);
  set_limit(p);
  return GH_OK;
}

/* The checked paths behind genheap.h's inline gh_slot_get/gh_slot_set. */
gh_status gh_slot_get_slow(const gh_proc *p, size_t slot, gh_term *out) {
  if (!p || !out)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  if (slot >= gh_depth(p))
    return GH_ERR_RANGE;
  *out = *slot_addr(p, slot);
  return GH_OK;
}

gh_status gh_slot_set_slow(gh_proc *p, size_t slot, gh_term t) {
  if (!p)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  if (slot >= gh_depth(p))
    return GH_ERR_RANGE;
  gh_status s = check_term(p, t);
  if (s != GH_OK)
    return s;
  *slot_addr(p, slot) = t;
  gh__count_root_write(&p->fast);
  return GH_OK;
}

static bool in_range(const gh_term *x, const gh_term *lo, const gh_term *hi) {
  return x >= lo && x < hi;
}

/* Does a pointer term point into this process's heaps or fragments?  Young
 * heap first: that is where nearly every argument lives. */
bool gh__term_is_local(const gh_proc *p, gh_term t) {
  const gh_term *x = term_ptr(t);
  if (in_range(x, p->fast.heap, p->fast.htop))
    return true;
  if (p->old_heap && in_range(x, p->old_heap, p->old_htop))
    return true;
  for (const gh_frag *f = p->mbuf; f; f = f->next)
    if (in_range(x, f->mem, f->mem + f->used_size))
      return true;
  return false;
}

