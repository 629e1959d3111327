/* heap.c -- the young heap: bump allocation, reservations and the put
 * builders, the stack of root slots, and which terms belong to a process.
 *
 * One block holds both: terms grow up from `heap` at `htop`, the stack grows
 * down from `hend` at `stop` (erl_process.h).  The word at hend[-1] is the
 * bottom frame, so a fresh process reports stack_size 1 as BEAM does; slot i
 * is hend[-2 - i], a position that the collector preserves when it moves the
 * stack to a new block, so slot numbers stay valid across collections.
 * A negative slot counts from the top (stop[-1 - slot]), as Lua's indices.
 *
 * Reservations (genheap.h, "Reserve, then build") are BEAM's test_heap:
 * gh_reserve collects, if it must, so that `words` fit below stop -
 * S_RESERVED; the put builders then bump htop with plain stores and never
 * collect.  That is why a term built inside a reservation, or held in a C
 * variable, stays valid: nothing moves until the next [GC] call.  The inline
 * put builders bump up to `limit`; in GC-stress mode (limit = heap) they
 * come here, to gh_put_slow, which takes the same room out of line without
 * collecting, so that stress mode still collects at every allocation that
 * may collect, and only there.  Past the room, gh_put_slow allocates heap
 * fragments (BEAM's HAlloc does the same), young generation like received
 * messages, which the next collection merges.
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

/* The word of slot `slot` (negative: from the top), or NULL when it is not
 * in use. */
static gh_term *slot_addr(const gh_proc *p, ptrdiff_t slot) {
  size_t depth = gh_depth(p), back = (size_t)0 - (size_t)slot; /* -slot */
  size_t i = slot >= 0 ? (size_t)slot : back <= depth ? depth - back : depth;
  return i < depth ? p->fast.hend - 2 - i : NULL;
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
  gh__push_in_room(p, t);
  return GH_OK;
}

void gh__push_in_room(gh_proc *p, gh_term t) {
  GH_ASSERT(p->fast.stop > p->fast.htop);
  *--p->fast.stop = t;
  set_limit(p);
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
gh_status gh_slot_get_slow(const gh_proc *p, ptrdiff_t slot, gh_term *out) {
  if (!p || !out)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  gh_term *w = slot_addr(p, slot);
  if (!w)
    return GH_ERR_RANGE;
  *out = *w;
  return GH_OK;
}

gh_status gh_slot_set_slow(gh_proc *p, ptrdiff_t slot, gh_term t) {
  if (!p)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  gh_term *w = slot_addr(p, slot);
  if (!w)
    return GH_ERR_RANGE;
  gh_status s = check_term(p, t);
  if (s != GH_OK)
    return s;
  if (*w != t) /* writing what it holds drops nothing */
    gh__count_root_write(&p->fast);
  *w = t;
  return GH_OK;
}

/* ---- Reservations and the put builders ----------------------------------- */

/* Behind genheap.h's inline gh_reserve: every check, the collection (always
 * one in GC-stress mode: a reservation is an allocation that may collect),
 * and the end of a put failure. */
gh_status gh_reserve_slow(gh_proc *p, size_t words, gh_term *terms, size_t n) {
  if (!p || (n && !terms))
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  gh_status s = GH_OK;
  for (size_t i = 0; s == GH_OK && i < n; i++)
    s = check_term(p, terms[i]);
  if (s != GH_OK)
    return s;
  if (!gh_next_heap_size(words, 0))
    return GH_ERR_TOO_LARGE;
  if (p->rt->gc_stress || !has_put_room(p, words))
    s = gh__collect(p, words, terms, n, GH_REQ_NEED);
  if (s != GH_OK)
    return s; /* a failed put, if any, still fails its successors */
  GH_ASSERT(has_put_room(p, words));
  p->put_status = GH_OK;
  set_limit(p);
  return GH_OK;
}

/* Words this many a put overflow fragment has at least: a host that builds
 * far past its reservation gets few, growing fragments, not one per term. */
#define GH_PUT_FRAG_MIN 256

/* `words` in the current overflow fragment, or in a new one twice as large
 * on mbuf (young generation: the next collection merges what is live). */
static gh_term *put_in_fragment(gh_proc *p, size_t words) {
  gh_frag *f = p->put_frag;
  if (!f || f->alloc_size - f->used_size < words) {
    size_t size = f ? 2 * f->alloc_size : GH_PUT_FRAG_MIN;
    if (size < words)
      size = words;
    f = gh__alloc(p->rt, sizeof(gh_frag) + size * sizeof(gh_term));
    if (!f)
      return NULL;
    *f = (gh_frag){.next = p->mbuf, .msg = GH_NIL, .alloc_size = size};
    p->mbuf = f;
    p->put_frag = f;
  }
  gh_term *w = f->mem + f->used_size;
  f->used_size += words;
  p->mbuf_sz += words;
  GH_ASSERT(put_frag_on_mbuf(p) && mbuf_size_matches(p));
  return w;
}

gh_term *gh_put_slow(gh_proc *p, size_t words) {
  if (!p || !p->alive || p->put_status != GH_OK)
    return NULL;
  GH_ASSERT(young_block_ordered(p));
  if (has_put_room(p, words)) { /* GC-stress mode, or limit short of it */
    gh_term *w = p->fast.htop;
    p->fast.htop += words;
    return w;
  }
  gh_term *w = gh_next_heap_size(words, 0) ? put_in_fragment(p, words) : NULL;
  if (!w) {
    p->put_status = gh_next_heap_size(words, 0) ? GH_ERR_NOMEM : GH_ERR_TOO_LARGE;
    set_limit(p); /* every later put comes here, and fails */
  }
  return w;
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

