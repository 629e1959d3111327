/* gc.c -- the per-process generational copying collector.
 *
 * Design: docs/memory-model.md; rules from OTP 25's erl_gc.c, named below.
 *
 * A process has a young block (terms up from `heap`, stack down from `hend`)
 * and, after its first promotion, an old block.  `high_water` splits the
 * young terms into those that survived the previous collection ("mature",
 * [heap, high_water)) and those allocated since.  Received message
 * fragments (mbuf) are young too.
 *
 * Minor collection (minor_collection, do_minor).  A Cheney copy from the
 * roots (stack slots and the caller's term arguments): a live mature term is
 * promoted to the old block, any other live young term goes to a new young
 * block, and pointers into the old block are left alone -- the old block is
 * not traced.  That is sound because terms are immutable: a term can only
 * point to terms older than itself, so nothing old points to anything young
 * (gh_verify checks it).  Promoted terms are then scanned in the old block so
 * that what they point to is promoted too.  A minor GC is only possible when
 * an old block exists with room for all mature data and the old binary vheap
 * is not full; otherwise the same call becomes a full sweep, as BEAM does
 * (and traces: gc_minor_start, gc_minor_end with 0 reclaimed, gc_major_*).
 *
 * Full sweep (major_collection, full_sweep_heaps).  Everything live, young,
 * old and fragments, is copied into one fresh young block; the old block is
 * freed; everything that survived counts as mature (high_water = htop).
 * Triggers: fullsweep_after minor GCs reached (gen_gcs >= max_gen_gcs), a
 * minor GC that is not possible, an explicit request, hibernation.
 *
 * Forwarding (erl_gc.h move_boxed / move_cons).  A copied boxed object's
 * header is overwritten with a boxed pointer to the copy; a copied cons
 * cell's car becomes GH_NON_VALUE and its cdr the new list pointer.
 *
 * Off-heap list (sweep_off_heap).  After the copy, a ProcBin that was moved is
 * live; one that stayed in the old block during a minor GC is old and
 * untouched; any other one is dead and its binary's count drops.  So a
 * ProcBin promoted to the old heap is only found dead by a full sweep: the
 * router leak.  Resource handles are ProcBins too (binary.c): the same sweep
 * drops their references, and the last one destroys the resource.  The
 * vheap sizes are then adjusted (next_vheap_size).
 *
 * Sizing (garbage_collect, do_minor, adjust_after_fullsweep) is BEAM's; every
 * block size is a table size, min_heap_size, or an exact hibernation size.
 */
#include "term.h"
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Copying ------------------------------------------------------------ */

typedef struct gc_space {
  bool major;
  const gh_term *mature_lo, *mature_hi; /* minor: promote from here */
  const gh_term *old_lo, *old_hi;       /* minor: leave alone */
  gh_term *ntop;                        /* new young block's top */
  gh_term *otop;                        /* old block's top (minor) */
} gc_space;

static bool in_area(const gh_term *x, const gh_term *lo, const gh_term *hi) {
  return x >= lo && x < hi;
}

/* The move itself (erl_gc.h move_cons / move_boxed): copies the object the
 * pointer in *slot refers to to *top, unless it already moved, leaves a
 * forwarding mark in the original and makes *slot point to the copy.
 * Objects are a few words: an inline word loop, no memcpy call. */
static inline void move_object(gh_term **top, gh_term *slot) {
  gh_term t = *slot;
  gh_term *obj = term_ptr(t);
  gh_term *n = *top;
  if (is_list(t)) {
    gh_term car = obj[0];
    if (car == GH_NON_VALUE) {
      *slot = obj[1];
      return;
    }
    GH_ASSERT(!is_header(car)); /* a list pointer points at a cell */
    n[0] = car;
    n[1] = obj[1];
    *top = n + 2;
    obj[0] = GH_NON_VALUE;
    *slot = obj[1] = make_list(n);
    return;
  }
  gh_term h = obj[0];
  if (is_boxed(h)) { /* already moved */
    *slot = h;
    return;
  }
  GH_ASSERT(is_header(h)); /* a boxed pointer points at a header */
  size_t sz = object_words(h);
  for (size_t i = 0; i < sz; i++)
    n[i] = obj[i];
  *top = n + sz;
  *slot = obj[0] = make_boxed(n);
}

/* A minor GC leaves the old block alone, promotes mature terms (and, when
 * `to_old`, whatever a promoted term points to) and keeps the rest young. */
static inline void evacuate_minor(gc_space *g, gh_term *slot, bool to_old) {
  gh_term *obj = term_ptr(*slot);
  if (in_area(obj, g->old_lo, g->old_hi))
    return;
  bool promote = to_old || in_area(obj, g->mature_lo, g->mature_hi);
  move_object(promote ? &g->otop : &g->ntop, slot);
}

/* A full sweep copies everything it reaches into one block, with no area
 * test: the inner loop would otherwise pay for them on every word. */
static inline void evacuate(gc_space *g, gh_term *slot, bool to_old) {
  if (!is_pointer(*slot))
    return;
  if (g->major)
    move_object(&g->ntop, slot);
  else
    evacuate_minor(g, slot, to_old);
}

/* Cheney scan of [scan, *top): headers are skipped (a tuple's elements are
 * terms and get scanned; other payloads are raw), every other word is a
 * term to evacuate.  Returns where the scan stopped. */
static gh_term *scan_area(gc_space *g, gh_term *scan, gh_term *const *top,
                          bool to_old) {
  while (scan < *top) {
    gh_term w = *scan;
    if (is_header(w)) {
      scan += header_skip(w);
      continue;
    }
    evacuate(g, scan, to_old);
    scan++;
  }
  return scan;
}

/* Roots: the stack slots (with the bottom frame, an immediate) and the
 * caller's term arguments (BEAM's live X registers, objv). */
static void evacuate_roots(gc_space *g, gh_proc *p, gh_term *roots,
                           size_t nroots) {
  for (gh_term *s = p->fast.stop; s < p->fast.hend; s++)
    evacuate(g, s, false);
  for (size_t i = 0; i < nroots; i++)
    evacuate(g, &roots[i], false);
}

/* Copies an object of sz words.  Most are small (a float, a ProcBin, a
 * small tuple): inline, two words at a time; a larger one through memcpy,
 * whose call costs less than a word loop over it. */
static inline void copy_words(gh_term *restrict to, const gh_term *restrict from,
                              size_t sz) {
  if (sz > 6) {
    memcpy(to, from, sz * sizeof(gh_term));
    return;
  }
  size_t i = 0;
  for (; i + 2 <= sz; i += 2)
    __builtin_memcpy(to + i, from + i, 2 * sizeof(gh_term));
  if (i < sz)
    to[i] = from[i];
}

/* The full sweep moves the object *slot points to, if it has not moved,
 * to top; returns the new top.  move_object without the indirection: the
 * sweep keeps its top in a register. */
static inline gh_term *sweep_move(gh_term *slot, gh_term *top) {
  gh_term w = *slot;
  if (term_tag(w) == GH_TAG_IMMED) /* most words; nothing to do */
    return top;
  gh_term *obj = term_ptr(w);
  if (is_list(w)) {
    gh_term car = obj[0];
    if (car == GH_NON_VALUE) {
      *slot = obj[1];
      return top;
    }
    GH_ASSERT(!is_header(car)); /* a list pointer points at a cell */
    top[0] = car;
    top[1] = obj[1];
    obj[0] = GH_NON_VALUE;
    *slot = obj[1] = make_list(top);
    return top + 2;
  }
  GH_ASSERT(is_boxed(w)); /* a slot never holds a header */
  gh_term h = obj[0];
  if (is_boxed(h)) { /* already moved */
    *slot = h;
    return top;
  }
  GH_ASSERT(is_header(h)); /* a boxed pointer points at a header */
  size_t sz = object_words(h);
  copy_words(top, obj, sz);
  *slot = obj[0] = make_boxed(top);
  return top + sz;
}

/* Moves what the terms in [from, to) refer to.  Most tuples hold only
 * immediates (integers, atoms, pids): the AND of all their words has the
 * immediate tag exactly then, and costs a load and an AND a word. */
static inline gh_term *sweep_terms(gh_term *from, gh_term *to, gh_term *top) {
  gh_term all = ~(gh_term)0, all2 = ~(gh_term)0;
  const gh_term *x = from;
  for (; x + 4 <= to; x += 4) {
    all &= x[0] & x[1];
    all2 &= x[2] & x[3];
  }
  for (; x < to; x++)
    all &= *x;
  if (term_tag(all & all2) == GH_TAG_IMMED)
    return top;
  for (gh_term *y = from; y < to; y++)
    top = sweep_move(y, top);
  return top;
}

/* A list of immediates met at the scan point with nothing copied beyond
 * it (top == cell + 2: the Cheney order of a lone list, such as a long
 * list's spine): its cells are copied and scanned in one go, each placed
 * right after the last, so the scan point follows the copy point and no
 * cell is read twice.  `cell` is scanned but for its cdr, a list pointer
 * not yet moved to the new block.  Returns the new scan point: top, or the
 * last cell copied when the run ends at a car that is not an immediate or
 * a cdr that is not a list (the generic scan takes that cell whole). */
static gh_term *sweep_list_run(gh_term *cell, gh_term **topp) {
  gh_term *top = *topp;
  gh_term next = cell[1]; /* the cdr being moved: a list pointer */
  for (;;) {
    GH_ASSERT(top == cell + 2 && is_list(next));
    gh_term *obj = term_ptr(next);
    gh_term car = obj[0];
    if (car == GH_NON_VALUE) { /* a shared tail, moved already */
      cell[1] = obj[1];
      *topp = top;
      return top;
    }
    GH_ASSERT(!is_header(car));
    gh_term cdr = obj[1];
    gh_term moved = make_list(top);
    top[0] = car; /* top[1] is written when it is known: next round */
    obj[0] = GH_NON_VALUE;
    obj[1] = moved;
    cell[1] = moved;
    cell = top;
    top += 2;
    if (term_tag(car) != GH_TAG_IMMED || !is_list(cdr)) {
      cell[1] = cdr; /* the generic scan takes this cell whole */
      *topp = top;
      return cell;
    }
    next = cdr;
  }
}

/* The full sweep's Cheney scan.  Everything it reaches goes to one block,
 * so nothing is decided per pointer but whether its object has moved, and
 * the scan goes object by object: a word that is not a header starts a
 * cons cell (a car is never a header), whose two words are moved without
 * a header test each; a header says which of its words are terms (a
 * tuple's elements, a sub-binary's orig after its raw words).  The top
 * lives in a register for the whole scan (through g->ntop the compiler had
 * to reload and store it at every word, as any store to the heap might
 * alias it).  Returns the new top. */
static gh_term *sweep_scan(gh_term *scan, gh_term *top) {
  while (scan < top) {
    gh_term w = *scan;
    if (GH_LIKELY(!is_header(w))) { /* a cons cell */
      if (term_tag(w) == GH_TAG_IMMED && is_list(scan[1]) && top == scan + 2) {
        scan = sweep_list_run(scan, &top);
        continue;
      }
      top = sweep_move(scan, top);
      top = sweep_move(scan + 1, top);
      scan += 2;
      continue;
    }
    size_t arity = header_arity(w);
    switch (header_subtag(w)) {
    case GH_SUB_TUPLE:
      top = sweep_terms(scan + 1, scan + 1 + arity, top);
      break;
    case GH_SUB_SUB_BIN: /* orig is the word after the raw ones */
      top = sweep_move(scan + arity + 1, top);
      scan++;
      break;
    default: /* raw payload */
      break;
    }
    scan += arity + 1;
  }
  return top;
}

/* Copies everything reachable; in a minor GC, promoted terms are scanned in
 * the old block as they arrive (they can only point to older terms). */
static void copy_live(gc_space *g, gh_proc *p, gh_term *n_heap, gh_term *roots,
                      size_t nroots) {
  gh_term *yscan = n_heap;
  gh_term *oscan = g->otop;
  evacuate_roots(g, p, roots, nroots);
  if (g->major) {
    g->ntop = sweep_scan(yscan, g->ntop);
    return;
  }
  do {
    yscan = scan_area(g, yscan, &g->ntop, false);
    oscan = scan_area(g, oscan, &g->otop, true);
  } while (yscan < g->ntop || oscan < g->otop);
}

/* ---- Off-heap list --------------------------------------------------------- */

/* sweep_off_heap: keep moved and (minor) untouched old ProcBins, release
 * the rest, re-sum the vheaps, and resize them (OTP 25 accounting: a full
 * sweep sizes the old vheap block from the pre-GC young overhead).
 * Returns the refc-binary bytes whose handles were promoted. */
static uint64_t sweep_off_heap(gh_proc *p, const gc_space *g) {
  gh_procbin *head = NULL, **tail = &head;
  uint64_t young = 0, old = 0, count = 0, promoted_bytes = 0;
  for (gh_procbin *pb = p->mso, *next; pb; pb = next) {
    next = pb->next;
    gh_procbin *keep = NULL;
    if (is_boxed(pb->thing_word))
      keep = (gh_procbin *)term_ptr(pb->thing_word);
    else if (!g->major && in_area((gh_term *)pb, g->old_lo, g->old_hi))
      keep = pb;
    else
      gh__binary_release(p->rt, pb->val);
    if (!keep)
      continue;
    *tail = keep;
    tail = &keep->next;
    count++;
    if (!g->major && in_area((gh_term *)keep, g->old_lo, g->old_hi)) {
      old += keep->size / sizeof(gh_term);
      if (keep != pb)
        promoted_bytes += keep->size;
    } else {
      young += keep->size / sizeof(gh_term);
    }
  }
  *tail = NULL;
  p->mso = head;
  p->refc_binaries = count;
  if (g->major) {
    p->bin_old_vheap_sz = gh__next_vheap_size(p, p->overhead, p->bin_old_vheap_sz);
    p->bin_old_vheap = 0;
  } else {
    p->bin_old_vheap = old;
  }
  p->bin_vheap_sz = gh__next_vheap_size(p, young, p->bin_vheap_sz);
  p->overhead = young;
  return promoted_bytes;
}

/* ---- Blocks ------------------------------------------------------------------ */

static size_t young_usage(const gh_proc *p) {
  return (size_t)(p->fast.htop - p->fast.heap) + p->mbuf_sz;
}

static size_t old_block_size(const gh_proc *p) {
  return p->old_heap ? (size_t)(p->old_hend - p->old_heap) : 0;
}

/* Used words of the old heap (no pointer arithmetic when there is none). */
static size_t old_usage(const gh_proc *p) {
  return p->old_heap ? (size_t)(p->old_htop - p->old_heap) : 0;
}

static void free_mbufs(gh_proc *p) {
  for (gh_frag *f = p->mbuf, *next; f; f = next) {
    next = f->next;
    gh__frag_free(p, f);
  }
  p->mbuf = NULL;
  p->mbuf_sz = 0;
  p->put_frag = NULL; /* it was one of them */
}

static void free_old_heap(gh_proc *p) {
  gh__free_words(p->rt, p->old_heap, old_block_size(p));
  p->old_heap = p->old_htop = p->old_hend = NULL;
}

/* Makes the copied terms in [n_heap, n_htop) and the live stack the
 * process's young block; frees the previous block and the fragments. */
static void install_young(gh_proc *p, gh_term *n_heap, size_t new_sz,
                          gh_term *n_htop) {
  size_t stack = gh__stack_words(p);
  gh_term *n_hend = n_heap + new_sz;
  GH_ASSERT(n_htop >= n_heap && (size_t)(n_htop - n_heap) + stack <= new_sz);
  memcpy(n_hend - stack, p->fast.stop, stack * sizeof(gh_term));
  gh__free_words(p->rt, p->fast.heap, p->heap_sz);
  free_mbufs(p);
  p->fast.heap = n_heap;
  p->fast.htop = n_htop;
  p->fast.hend = n_hend;
  p->fast.stop = n_hend - stack;
  p->heap_sz = new_sz;
  set_limit(p);
}

/* Adds delta to every pointer into [lo, hi) held in [from, to). */
static void offset_area(gh_term *from, gh_term *to, const gh_term *lo,
                        const gh_term *hi, ptrdiff_t delta) {
  for (gh_term *w = from; w < to;) {
    if (is_header(*w)) {
      w += header_skip(*w);
      continue;
    }
    if (is_pointer(*w) && in_area(term_ptr(*w), lo, hi))
      *w += (gh_term)(delta * (ptrdiff_t)sizeof(gh_term));
    w++;
  }
}

static void offset_mso(gh_proc *p, const gh_term *lo, const gh_term *hi,
                       ptrdiff_t delta) {
  gh_procbin **link = &p->mso;
  while (*link) {
    if (in_area((gh_term *)*link, lo, hi))
      *link = (gh_procbin *)((gh_term *)*link + delta);
    link = &(*link)->next;
  }
}

/* resize_new_heap: moves the young block to one of new_sz words (heap at
 * the start, stack at the end) and offsets every pointer into it.  Keeps
 * the current block when the allocator fails: returns false. */
static bool resize_young(gh_proc *p, size_t new_sz, gh_term *roots,
                         size_t nroots) {
  size_t used = (size_t)(p->fast.htop - p->fast.heap), stack = gh__stack_words(p);
  if (new_sz < used + stack)
    return false;
  gh_term *n = gh__alloc_words(p->rt, new_sz);
  if (!n)
    return false;
  gh_term *lo = p->fast.heap, *hi = p->fast.hend;
  ptrdiff_t delta = n - p->fast.heap;
  memcpy(n, p->fast.heap, used * sizeof(gh_term));
  size_t hw = (size_t)(p->high_water - p->fast.heap);
  install_young(p, n, new_sz, n + used);
  p->high_water = n + hw;
  offset_area(p->fast.heap, p->fast.htop, lo, hi, delta);
  offset_area(p->fast.stop, p->fast.hend, lo, hi, delta);
  if (nroots) /* roots may be NULL: no pointer arithmetic on it then */
    offset_area(roots, roots + nroots, lo, hi, delta);
  offset_mso(p, lo, hi, delta);
  return true;
}

/* ---- max_heap_size ------------------------------------------------------------ */

/* Counted before the copy, as BEAM does: the peak footprint during the GC
 * (young block, fragments, old block, and the new block).  Kills the process
 * and returns true when over the limit. */
static bool over_max_heap(gh_proc *p, size_t old_block, size_t new_sz) {
  if (!p->max_heap_size)
    return false;
  uint64_t total = p->heap_sz + p->mbuf_sz + old_block + new_sz;
  if (p->max_heap_include_bins)
    total += p->overhead + p->bin_old_vheap;
  if (total <= p->max_heap_size)
    return false;
  gh__kill(p, (size_t)total, p->max_heap_size);
  return true;
}

/* ---- Minor collection ------------------------------------------------------------ */

typedef enum minor_result { MINOR_DONE, MINOR_IMPOSSIBLE } minor_result;

/* Creates the old block if there is mature data: one table step above the
 * young usage, unclamped (erts_next_heap_size(size_before, 1)). */
static gh_status ensure_old_heap(gh_proc *p, size_t size_before) {
  if (p->old_heap || p->high_water == p->fast.heap)
    return GH_OK;
  size_t sz = gh_next_heap_size(size_before, 1);
  if (!sz)
    return GH_ERR_TOO_LARGE;
  gh_term *b = gh__alloc_words(p->rt, sz);
  if (!b)
    return GH_ERR_NOMEM;
  p->old_heap = p->old_htop = b;
  p->old_hend = b + sz;
  return GH_OK;
}

/* Why a minor GC cannot run, or -1 when it can. */
static int minor_impossible_reason(const gh_proc *p) {
  size_t mature = (size_t)(p->high_water - p->fast.heap);
  if (!p->old_heap)
    return GH_SWEEP_NO_OLD_HEAP;
  if (mature > (size_t)(p->old_hend - p->old_htop))
    return GH_SWEEP_OLD_HEAP_FULL;
  if (p->bin_old_vheap >= p->bin_old_vheap_sz)
    return GH_SWEEP_VHEAP_OVERFLOW;
  return -1;
}

/* minor_collection's resizing: shrink a big, mostly empty young block,
 * or grow one too small for what is needed now. */
static void resize_after_minor(gh_proc *p, size_t need, gh_term *roots,
                               size_t nroots) {
  size_t need_after = (size_t)(p->fast.htop - p->fast.heap) + need + GH_S_RESERVED +
                      gh__stack_words(p);
  size_t old_sz = old_block_size(p);
  if (p->heap_sz > 3000 && 4 * need_after < p->heap_sz &&
      (p->heap_sz > 8000 || p->heap_sz > old_sz)) {
    size_t wanted = 3 * need_after;
    if (wanted * 9 < old_sz && old_sz / 8 > wanted)
      wanted = old_sz / 8;
    wanted = wanted < p->min_heap_size ? p->min_heap_size
                                       : gh__next_heap_size(p, wanted, 0);
    if (wanted && wanted < p->heap_sz)
      resize_young(p, wanted, roots, nroots);
  } else if (need_after > p->heap_sz) {
    size_t grown = gh__next_heap_size(p, need_after, 0);
    if (grown)
      resize_young(p, grown, roots, nroots);
  }
}

static gh_status minor_collection(gh_proc *p, size_t need, gh_term *roots,
                                  size_t nroots, minor_result *result,
                                  int *why, size_t *reclaimed) {
  size_t size_before = young_usage(p);
  size_t stack = gh__stack_words(p);
  size_t new_sz = gh__next_heap_size(p, stack + size_before, 0);
  size_t old_after = old_block_size(p);
  if (!old_after && p->high_water != p->fast.heap)
    old_after = gh_next_heap_size(size_before, 1);
  if (!new_sz)
    return GH_ERR_TOO_LARGE;
  if (over_max_heap(p, old_after, new_sz))
    return GH_ERR_KILLED;
  gh_status s = ensure_old_heap(p, size_before);
  if (s != GH_OK)
    return s;
  *why = minor_impossible_reason(p);
  if (*why >= 0) {
    *result = MINOR_IMPOSSIBLE;
    return GH_OK;
  }
  gh_term *n_heap = gh__alloc_words(p->rt, new_sz);
  if (!n_heap)
    return GH_ERR_NOMEM;
  gc_space g = {false, p->fast.heap, p->high_water, p->old_heap, p->old_hend,
                n_heap, p->old_htop};
  gh_term *old_top_before = p->old_htop;
  copy_live(&g, p, n_heap, roots, nroots);
  GH_ASSERT(g.otop <= p->old_hend); /* mature data fit: minor_impossible_reason */
  uint64_t promoted_bin = sweep_off_heap(p, &g);
  size_t promoted = (size_t)(g.otop - old_top_before);
  install_young(p, n_heap, new_sz, g.ntop);
  p->old_htop = g.otop;
  p->high_water = p->fast.htop;
  p->gen_gcs++;
  p->minor_gcs++;
  p->words_promoted += promoted;
  *reclaimed = size_before - (size_t)(p->fast.htop - p->fast.heap) - promoted;
  if (promoted)
    trace_promotion(p, promoted, promoted_bin);
  resize_after_minor(p, need, roots, nroots);
  *result = MINOR_DONE;
  return GH_OK;
}

/* ---- Full sweep ------------------------------------------------------------------ */

/* full_sweep_heaps: copies everything live into n_heap (new_sz words) and
 * frees the old block.  Returns the words reclaimed. */
static size_t full_sweep_into(gh_proc *p, gh_term *n_heap, size_t new_sz,
                              gh_term *roots, size_t nroots) {
  size_t size_before = young_usage(p) + old_usage(p);
  gc_space g = {true, NULL, NULL, NULL, NULL, n_heap, NULL};
  copy_live(&g, p, n_heap, roots, nroots);
  sweep_off_heap(p, &g);
  install_young(p, n_heap, new_sz, g.ntop);
  free_old_heap(p);
  p->high_water = p->fast.htop;
  p->flags &= ~(unsigned)(GH_F_NEED_FULLSWEEP | GH_F_HEAP_GROW);
  p->full_sweeps++;
  return size_before - (size_t)(p->fast.htop - p->fast.heap);
}

/* adjust_after_fullsweep: grow if what is needed does not fit; remember to
 * grow at the next sweep when over 75% is live; shrink under 25%. */
static void adjust_after_fullsweep(gh_proc *p, size_t need, gh_term *roots,
                                   size_t nroots) {
  size_t need_after = (size_t)(p->fast.htop - p->fast.heap) + need + gh__stack_words(p) +
                      GH_S_RESERVED;
  if (p->heap_sz < need_after) {
    size_t grown = gh__next_heap_size(p, need_after, 0);
    if (grown)
      resize_young(p, grown, roots, nroots);
  } else if (3 * p->heap_sz < 4 * need_after) {
    p->flags |= GH_F_HEAP_GROW;
  } else if (4 * need_after < p->heap_sz && p->heap_sz > GH_H_MIN_SIZE) {
    size_t wanted = gh__next_heap_size(p, 2 * need_after, 0);
    if (wanted && wanted < p->heap_sz)
      resize_young(p, wanted, roots, nroots);
  }
}

static gh_status major_collection(gh_proc *p, size_t need, gh_term *roots,
                                  size_t nroots, size_t *reclaimed) {
  size_t size_before = young_usage(p) + old_usage(p);
  size_t stack = gh__stack_words(p);
  size_t new_sz = gh__next_heap_size(p, stack + size_before + GH_S_RESERVED, 0);
  if (!new_sz)
    return GH_ERR_TOO_LARGE;
  if (new_sz == p->heap_sz && (p->flags & GH_F_HEAP_GROW)) {
    size_t grown = gh__next_heap_size(p, p->heap_sz, 1);
    new_sz = grown ? grown : new_sz;
  }
  if (over_max_heap(p, old_block_size(p), new_sz))
    return GH_ERR_KILLED;
  gh_term *n_heap = gh__alloc_words(p->rt, new_sz);
  if (!n_heap)
    return GH_ERR_NOMEM;
  *reclaimed = full_sweep_into(p, n_heap, new_sz, roots, nroots);
  p->gen_gcs = 0;
  adjust_after_fullsweep(p, need, roots, nroots);
  return GH_OK;
}

/* ---- Entry points ---------------------------------------------------------------- */

static void verify_or_die(const gh_proc *p, const char *when) {
  char why[256];
  if (gh__verify(p, why, sizeof why) != GH_OK) {
    fprintf(stderr, "genheap: heap invariant broken after %s in process %llu: %s\n",
            when, (unsigned long long)p->pid, why);
    abort(); /* GENHEAP_VERIFY is a debugging mode: stop at the first fault */
  }
}

/* After any GC the caller's request must fit; grow if a rule left it short
 * (a need larger than the sizing formulas anticipate). */
static gh_status ensure_room(gh_proc *p, size_t need, gh_term *roots,
                             size_t nroots) {
  size_t want = need + GH_S_RESERVED;
  if ((size_t)(p->fast.stop - p->fast.htop) >= want)
    return GH_OK;
  size_t used = (size_t)(p->fast.htop - p->fast.heap) + gh__stack_words(p);
  size_t sz = gh__next_heap_size(p, used + want, 0);
  if (!sz)
    return GH_ERR_TOO_LARGE;
  return resize_young(p, sz, roots, nroots) ? GH_OK : GH_ERR_NOMEM;
}

static gh_status run_major(gh_proc *p, size_t need, gh_term *roots,
                           size_t nroots, int reason) {
  size_t reclaimed = 0;
  trace_gc_start(p, true, need, reason);
  gh_status s = major_collection(p, need, roots, nroots, &reclaimed);
  if (s != GH_OK)
    return s;
  p->words_reclaimed += reclaimed;
  trace_gc_end(p, true, reclaimed, reason);
  return GH_OK;
}

/* garbage_collect: choose minor or full sweep, run it, check room. */
gh_status gh__collect(gh_proc *p, size_t need, gh_term *roots, size_t nroots,
                      gh_gc_request req) {
  GH_ASSERT(p->alive && young_block_ordered(p) && old_block_ordered(p) &&
            mbuf_size_matches(p) && put_frag_on_mbuf(p) && offheap_kinds_match(p->mso));
  gh_status s;
  int reason = -1;
  if (req == GH_REQ_MAJOR)
    reason = GH_SWEEP_EXPLICIT;
  else if (p->flags & GH_F_NEED_FULLSWEEP) /* a sweep that failed: retry it */
    reason = p->need_fullsweep_reason;
  else if (p->gen_gcs >= p->max_gen_gcs)
    reason = GH_SWEEP_FULLSWEEP_AFTER;
  if (reason < 0) {
    minor_result r;
    size_t reclaimed = 0;
    trace_gc_start(p, false, need, 0);
    s = minor_collection(p, need, roots, nroots, &r, &reason, &reclaimed);
    if (s != GH_OK)
      return s;
    p->words_reclaimed += reclaimed;
    trace_gc_end(p, false, reclaimed, 0);
    if (r == MINOR_IMPOSSIBLE) {
      p->flags |= GH_F_NEED_FULLSWEEP;
      p->need_fullsweep_reason = (gh_sweep_reason)reason;
    } else {
      reason = -1;
    }
  }
  if (reason >= 0 && (s = run_major(p, need, roots, nroots, reason)) != GH_OK)
    return s;
  p->flags &= ~(unsigned)GH_F_HIBERNATED;
  GH_ASSERT(!(p->flags & GH_F_NEED_FULLSWEEP) && !p->mbuf && !p->mbuf_sz);
  GH_ASSERT(young_block_ordered(p) && old_block_ordered(p) && mso_sums_match(p));
  if (p->rt->verify)
    verify_or_die(p, "a collection");
  s = ensure_room(p, need, roots, nroots);
  p->roots_at_gc = gh__roots_fingerprint(p); /* after the last move */
  return s;
}

gh_status gh_gc(gh_proc *p, gh_gc_kind kind) {
  if (!p)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  if (kind != GH_GC_MINOR && kind != GH_GC_MAJOR)
    return GH_ERR_BADARG;
  return gh__collect(p, 0, NULL, 0,
                     kind == GH_GC_MAJOR ? GH_REQ_MAJOR : GH_REQ_MINOR);
}

/* ---- Hibernation ------------------------------------------------------------------- */

/* erts_garbage_collect_hibernate: a full sweep into a temporary block large
 * enough for everything, then a move into a block of exactly live + stack +
 * reserve words (BEAM copies rather than reallocs, to avoid fragmentation
 * when many processes hibernate).  The bottom frame sits in the reserve, so
 * an empty process hibernates to 4 words as on OTP 25.  gen_gcs is kept. */
gh_status gh__hibernate(gh_proc *p) {
  size_t heap_before = p->heap_sz, old_before = old_block_size(p),
         mbuf_before = p->mbuf_sz;
  size_t stack = gh__stack_words(p);
  size_t tmp_sz = young_usage(p) + old_usage(p) + stack;
  trace_gc_start(p, true, 0, GH_SWEEP_HIBERNATE);
  gh_term *tmp = gh__alloc_words(p->rt, tmp_sz);
  if (!tmp)
    return GH_ERR_NOMEM;
  size_t reclaimed = full_sweep_into(p, tmp, tmp_sz, NULL, 0);
  p->words_reclaimed += reclaimed;
  gh__sendbuf_drop(p); /* a hibernating process keeps no spare memory */
  size_t live = (size_t)(p->fast.htop - p->fast.heap);
  size_t exact = live + (stack - 1) + GH_S_RESERVED;
  bool shrunk = resize_young(p, exact, NULL, 0);
  p->high_water = p->fast.htop;
  p->flags = (p->flags & ~(unsigned)GH_F_HEAP_GROW) | GH_F_HIBERNATED;
  p->hibernations++;
  p->roots_at_gc = gh__roots_fingerprint(p);
  GH_ASSERT(young_block_ordered(p) && !p->old_heap && mso_sums_match(p));
  trace_gc_end(p, true, reclaimed, GH_SWEEP_HIBERNATE);
  trace_hibernate(p, heap_before, old_before, mbuf_before);
  if (p->rt->verify)
    verify_or_die(p, "hibernation");
  return shrunk ? GH_OK : GH_ERR_NOMEM;
}

gh_status gh_hibernate(gh_proc *p) {
  if (!p)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  if (mailbox_len(p) > 0)
    return GH_ERR_PENDING;
  return gh__hibernate(p);
}

/* Releases everything a process holds (exit and kill). */
void gh__free_heaps(gh_proc *p) {
  gh__mso_release_all(p->rt, p->mso);
  p->mso = NULL;
  p->overhead = p->bin_old_vheap = 0;
  p->refc_binaries = 0;
  free_mbufs(p);
  free_old_heap(p);
  gh__free_words(p->rt, p->fast.heap, p->heap_sz);
  p->fast.heap = p->fast.htop = p->fast.stop = p->fast.hend = p->high_water = NULL;
  p->heap_sz = 0;
  set_limit(p);
}
