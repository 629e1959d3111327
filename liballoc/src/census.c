/* census.c -- what is live, counted without collecting (gh_census).
 *
 * Design: docs/memory-model.md, "Census".  A full sweep frees exactly what
 * is not reachable from the roots; BEAM can only learn that amount by
 * collecting, which changes the heap it measures.  genheap owns the heap, so
 * it can mark instead: a depth-first walk from the stack slots sets one bit
 * per object start in a side bitmap (the heap itself is never written) and
 * adds the object's words to the live count of the generation it lives in.
 * Objects are counted as the collector copies them (object_words), so
 * young_size + old_size - young_live - old_live is exactly what a full sweep
 * started now would reclaim, and a ProcBin that is reached is one the sweep
 * would keep; so is a resource handle, counted in bin words with its
 * declared size.
 *
 * The walk visits what the collector's scan visits: both words of a cons
 * cell, a tuple's elements, a sub-binary's orig; every other payload is raw.
 * The areas are the young heap, the old heap and each received fragment, in
 * one table sorted by address with one bitmap across them.
 *
 * Who calls it (docs/trace-events.md, genheap:census): the host (gh_census,
 * gh_runtime_census_idle), gh_exit and gh_runtime_free while the event is
 * recorded, and the runtime's census thread (process.c).
 */
#include "term.h"
#include "trace.h"
#include "wstack.h"

#include <stdlib.h>
#include <string.h>

typedef struct census_area {
  const gh_term *lo, *hi;
  size_t first_bit; /* of this area in the bitmap */
  bool old;
  size_t live, bin_live; /* words reached here */
} census_area;

typedef struct census_ctx {
  gh_runtime *rt;
  census_area *areas;
  size_t nareas;
  const census_area *hint; /* the last area found: the next object is
                              nearly always in it */
  uint64_t *bits;
  size_t nbits;
  wstack ws;
} census_ctx;

static int area_order(const void *a, const void *b) {
  const census_area *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static size_t fragment_count(const gh_proc *p) {
  size_t n = 0;
  for (const gh_frag *f = p->mbuf; f; f = f->next)
    n++;
  return n;
}

static void add_area(census_ctx *c, const gh_term *lo, const gh_term *hi, bool old) {
  if (lo == hi)
    return; /* nothing can point into an empty area */
  c->areas[c->nareas++] = (census_area){lo, hi, c->nbits, old, 0, 0};
  c->nbits += (size_t)(hi - lo);
}

/* The area table and a cleared bitmap; false when the allocator fails. */
static bool census_setup(census_ctx *c, const gh_proc *p) {
  size_t cap = 2 + fragment_count(p);
  c->areas = gh__alloc(c->rt, cap * sizeof *c->areas);
  if (!c->areas)
    return false;
  add_area(c, p->fast.heap, p->fast.htop, false);
  if (p->old_heap)
    add_area(c, p->old_heap, p->old_htop, true);
  for (const gh_frag *f = p->mbuf; f; f = f->next)
    add_area(c, f->mem, f->mem + f->used_size, false);
  if (c->nareas > 1)
    qsort(c->areas, c->nareas, sizeof *c->areas, area_order);
  size_t bytes = ((c->nbits + 63) / 64) * sizeof(uint64_t);
  c->bits = bytes ? gh__alloc(c->rt, bytes) : NULL;
  if (bytes && !c->bits)
    return false;
  if (bytes)
    memset(c->bits, 0, bytes);
  return true;
}

static void census_teardown(census_ctx *c, size_t area_cap) {
  ws_release(&c->ws);
  if (c->bits)
    gh__free(c->rt, c->bits, ((c->nbits + 63) / 64) * sizeof(uint64_t));
  if (c->areas)
    gh__free(c->rt, c->areas, area_cap * sizeof *c->areas);
}

static const census_area *search_area(const census_ctx *c, const gh_term *x) {
  size_t lo = 0, hi = c->nareas;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (x < c->areas[mid].lo)
      hi = mid;
    else if (x >= c->areas[mid].hi)
      lo = mid + 1;
    else
      return &c->areas[mid];
  }
  return NULL;
}

static inline census_area *area_of(census_ctx *c, const gh_term *x) {
  const census_area *a = c->hint;
  if (!a || x < a->lo || x >= a->hi)
    c->hint = a = search_area(c, x);
  return (census_area *)a;
}

/* Sets the mark of the object at x; false when it was already marked. */
static inline bool mark(census_ctx *c, const census_area *a, const gh_term *x) {
  size_t bit = a->first_bit + (size_t)(x - a->lo);
  uint64_t mask = (uint64_t)1 << (bit % 64);
  if (c->bits[bit / 64] & mask)
    return false;
  c->bits[bit / 64] |= mask;
  return true;
}

static inline void push_if_pointer(census_ctx *c, gh_term t) {
  if (is_pointer(t))
    ws_push(&c->ws, t);
}

/* Marks t and what it reaches.  One term inside each object is followed at
 * once rather than stacked (a cell's element, else its tail; a tuple's last
 * element), so chains are walked as loops and the stack holds only the
 * branches still to visit.
 * Counted as the collector copies: a cons cell 2 words, a boxed object its
 * object_words; what the scan visits is a tuple's elements and a
 * sub-binary's orig, other payloads are raw. */
/* The commonest shape, a run of cells whose elements are immediates (a list
 * of integers or atoms) in the area of the last object found, walked with
 * the bitmap and the count in registers.  Returns where the run stops: the
 * next term to mark, or GH_NIL when it met a cell already marked. */
static gh_term mark_spine(census_ctx *c, gh_term t) {
  census_area *a = (census_area *)c->hint;
  if (!a)
    return t;
  const gh_term *lo = a->lo, *hi = a->hi;
  uint64_t *bits = c->bits;
  size_t base = a->first_bit, cells = 0;
  while (is_list(t)) {
    const gh_term *obj = term_ptr(t);
    if (obj < lo || obj >= hi || is_pointer(obj[0]))
      break;
    size_t bit = base + (size_t)(obj - lo);
    uint64_t m = (uint64_t)1 << (bit % 64);
    if (bits[bit / 64] & m) {
      t = GH_NIL;
      break;
    }
    bits[bit / 64] |= m;
    cells++;
    t = obj[1];
  }
  a->live += 2 * cells;
  return t;
}

static void mark_term(census_ctx *c, gh_term t) {
  while (is_pointer(t)) {
    if (is_list(t) && !is_pointer(t = mark_spine(c, t)))
      return;
    const gh_term *obj = term_ptr(t);
    census_area *a = area_of(c, obj);
    /* A pointer outside every area cannot happen (gh_verify checks it);
     * count nothing for it rather than read foreign memory. */
    if (!a || !mark(c, a, obj))
      return;
    if (is_list(t)) {
      a->live += 2;
      /* the element first, the rest of the list later: a list of tuples
       * then keeps one entry on the stack, not one per element */
      if (is_pointer(obj[0])) {
        push_if_pointer(c, obj[1]);
        t = obj[0];
      } else {
        t = obj[1];
      }
      continue;
    }
    gh_term h = obj[0];
    size_t arity = header_arity(h);
    a->live += object_words(h);
    switch (header_subtag(h)) {
    case GH_SUB_TUPLE:
      if (arity == 0)
        return;
      for (size_t i = 1; i < arity; i++)
        push_if_pointer(c, obj[i]);
      t = obj[arity];
      break;
    case GH_SUB_SUB_BIN:
      t = obj[arity + 1]; /* orig */
      break;
    case GH_SUB_REFC_BIN:
    case GH_SUB_RESOURCE: /* live like a ProcBin, its declared size */
      a->bin_live += ((const gh_procbin *)obj)->size / sizeof(gh_term);
      return;
    default:
      return; /* floats, heap binaries: raw payload */
    }
  }
}

static void mark_from_roots(census_ctx *c, const gh_proc *p) {
  for (const gh_term *s = p->fast.stop; s < p->fast.hend; s++)
    mark_term(c, *s);
  while (!ws_empty(&c->ws) && !c->ws.failed)
    mark_term(c, ws_pop(&c->ws));
}

static void add_up(const census_ctx *c, gh_census_info *out) {
  for (size_t i = 0; i < c->nareas; i++) {
    const census_area *a = &c->areas[i];
    *(a->old ? &out->old_live : &out->young_live) += a->live;
    *(a->old ? &out->bin_old_live : &out->bin_young_live) += a->bin_live;
  }
}

gh_status gh__census(gh_proc *p, gh_census_info *out) {
  memset(out, 0, sizeof *out);
  out->young_size = (size_t)(p->fast.htop - p->fast.heap) + p->mbuf_sz;
  out->old_size = p->old_heap ? (size_t)(p->old_htop - p->old_heap) : 0;
  out->bin_young_size = (size_t)p->overhead;
  out->bin_old_size = (size_t)p->bin_old_vheap;
  census_ctx c = {.rt = p->rt};
  size_t area_cap = 2 + fragment_count(p);
  ws_init(&c.ws, p->rt);
  gh_status s = GH_OK;
  if (!census_setup(&c, p))
    s = GH_ERR_NOMEM;
  else
    mark_from_roots(&c, p);
  if (s == GH_OK && c.ws.failed)
    s = GH_ERR_NOMEM;
  if (s == GH_OK)
    add_up(&c, out);
  census_teardown(&c, area_cap);
  return s;
}

/* Roots of a process: its stack slots.  Terms are immutable, so while the
 * slots hold the same words the live set is the same; the collector records
 * this fingerprint after every collection, and a census that finds it
 * unchanged knows the waste it measures was already there at that GC. */
uint64_t gh__roots_fingerprint(const gh_proc *p) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)(p->fast.hend - p->fast.stop);
  for (const gh_term *s = p->fast.stop; s < p->fast.hend; s++) {
    h ^= *s;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  return h;
}

bool gh__roots_unchanged(const gh_proc *p) {
  return gh__roots_fingerprint(p) == p->roots_at_gc;
}

/* Counts, and records the result when somebody is recording censuses. */
gh_status gh__census_traced(gh_proc *p, gh_census_trigger trigger,
                            uint64_t waiting_ms, gh_census_info *out) {
  gh_status s = gh__census(p, out);
  if (s == GH_OK)
    trace_census(p, trigger, waiting_ms, gh__roots_quiet_ms(p),
                 gh__roots_unchanged(p), out);
  return s;
}

gh_status gh_census(gh_proc *p, gh_census_info *out) {
  if (!p || !out)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  return gh__census_traced(p, GH_CENSUS_EXPLICIT, 0, out);
}

/* gh_exit and gh_runtime_free, while censuses are recorded: the last word on
 * what a process wasted.  At exit only a process with something on its old
 * heap can have kept garbage there; the runtime's end counts everyone. */
void gh__census_at_end(gh_proc *p, gh_census_trigger trigger) {
  if (!trace_census_enabled())
    return;
  if (trigger == GH_CENSUS_EXIT && !p->old_heap && p->bin_old_vheap == 0)
    return;
  gh_census_info info;
  gh__census_traced(p, trigger, gh__waiting_ms(p), &info);
}
