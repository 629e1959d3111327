/* binary.c -- heap binaries, shared refc binaries, slices.
 *
 * Design: docs/memory-model.md, "Binaries".  At most 64 bytes: a heap
 * binary, copied like any term.  Larger: the bytes live once, off-heap, in a
 * gh_refc_bin with an atomic reference count; each process holding it has a
 * 6-word ProcBin on its heap, linked into its off-heap list (MSO), and each
 * ProcBin owns one reference.  The collector drops the reference of a
 * ProcBin it did not copy (gc.c, sweep_off_heap), so the bytes are freed
 * exactly when the last holder's GC, exit or hibernation finds it dead.
 *
 * The virtual binary heap counts the referenced bytes / 8 (OTP 25 counts the
 * ProcBin's size).  Building a refc binary that would take the young vheap
 * over its block forces a GC first (TEST_BIN_VHEAP), so binary traffic
 * triggers collections even when the word heap is nearly empty.
 */
#include "term.h"
#include "trace.h"

#include <string.h>

/* Only a holder can share a binary: the count is never 0 here. */
void gh__binary_retain(gh_refc_bin *b) {
  uint_fast64_t before = atomic_fetch_add_explicit(&b->refc, 1, memory_order_relaxed);
  GH_ASSERT(before > 0);
}

/* The last release frees: acquire-release so the freeing thread sees every
 * other holder's use of the bytes as finished. */
void gh__binary_release(gh_runtime *rt, gh_refc_bin *b) {
  uint_fast64_t before = atomic_fetch_sub_explicit(&b->refc, 1, memory_order_acq_rel);
  GH_ASSERT(before > 0); /* 0: released more often than retained */
  if (before != 1)
    return;
  trace_binary_free(b);
  atomic_fetch_sub(&rt->binaries_alive, 1);
  atomic_fetch_sub(&rt->binary_bytes, b->orig_size);
  gh__free(rt, b, sizeof(gh_refc_bin) + b->orig_size);
}

void gh__mso_release_all(gh_runtime *rt, gh_procbin *list) {
  for (gh_procbin *pb = list, *next; pb; pb = next) {
    next = pb->next;
    gh__binary_release(rt, pb->val);
  }
}

static gh_refc_bin *binary_new(gh_runtime *rt, const void *bytes, size_t size) {
  gh_refc_bin *b = gh__alloc(rt, sizeof(gh_refc_bin) + size);
  if (!b)
    return NULL;
  atomic_init(&b->refc, 1);
  b->orig_size = size;
  if (bytes)
    memcpy(b->data, bytes, size);
  else
    memset(b->data, 0, size);
  atomic_fetch_add(&rt->binaries_alive, 1);
  atomic_fetch_add(&rt->binary_bytes, size);
  return b;
}

/* Frees a binary that never got a holder (nor a trace event). */
static void binary_discard(gh_runtime *rt, gh_refc_bin *b) {
  atomic_fetch_sub(&rt->binaries_alive, 1);
  atomic_fetch_sub(&rt->binary_bytes, b->orig_size);
  gh__free(rt, b, sizeof(gh_refc_bin) + b->orig_size);
}

static gh_term heap_binary_at(gh_term *obj, const uint8_t *bytes, size_t size) {
  obj[0] = make_header(GH_SUB_HEAP_BIN, heap_bin_words(size) - 1);
  obj[1] = size;
  obj[heap_bin_words(size) - 1] = 0; /* no stray bits in the padding */
  if (bytes)
    memcpy(obj + 2, bytes, size);
  else
    memset(obj + 2, 0, size);
  return make_boxed(obj);
}

/* Fills a ProcBin at obj that takes over one reference to b and links it
 * into the list at *mso, adding to *overhead. */
gh_term gh__procbin_at(gh_term *obj, gh_refc_bin *b, const uint8_t *bytes,
                       size_t size, gh_procbin **mso, uint64_t *overhead) {
  GH_ASSERT(bytes >= b->data && size <= b->orig_size &&
            (size_t)(bytes - b->data) <= b->orig_size - size);
  gh_procbin *pb = (gh_procbin *)obj;
  pb->thing_word = make_header(GH_SUB_REFC_BIN, GH_PROCBIN_WORDS - 1);
  pb->size = size;
  pb->val = b;
  pb->bytes = bytes;
  pb->flags = 0;
  pb->next = *mso;
  *mso = pb;
  *overhead += size / sizeof(gh_term);
  return make_boxed(obj);
}

/* The bytes are copied off-heap first, before anything can collect: they
 * may be this process's own, e.g. those of a refc binary whose only handle
 * is an unrooted term, which the collection would find dead and free.  The
 * new binary joins the off-heap list only with its ProcBin, so that
 * collection cannot release it.  TEST_BIN_VHEAP: collect when the heap has
 * no room for the ProcBin or the new binary would take the young vheap to
 * its block size. */
static gh_status make_refc(gh_proc *p, const void *bytes, size_t size,
                           gh_term *out) {
  gh_refc_bin *b = binary_new(p->rt, bytes, size);
  if (!b)
    return GH_ERR_NOMEM;
  gh_status s = GH_OK;
  gh_term *obj;
  if (p->overhead + size / sizeof(gh_term) >= p->bin_vheap_sz)
    s = gh__collect(p, GH_PROCBIN_WORDS, NULL, 0, GH_REQ_NEED);
  if (s == GH_OK)
    s = gh__alloc_heap(p, GH_PROCBIN_WORDS, NULL, 0, &obj);
  if (s != GH_OK) {
    binary_discard(p->rt, b);
    return s;
  }
  trace_binary_alloc(b, p->pid);
  *out = gh__procbin_at(obj, b, b->data, size, &p->mso, &p->overhead);
  p->refc_binaries++;
  return GH_OK;
}

gh_status gh_binary(gh_proc *p, const void *bytes, size_t size, gh_term *out) {
  if (!p || !out)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  if (size > ((size_t)1 << 48))
    return GH_ERR_TOO_LARGE;
  if (size > GH_ONHEAP_BIN_LIMIT)
    return make_refc(p, bytes, size, out);
  size_t words = heap_bin_words(size);
  gh_term *obj;
  uint8_t saved[GH_ONHEAP_BIN_LIMIT];
  if (GH_LIKELY(has_room(p, words))) {
    obj = p->fast.htop;
    p->fast.htop += words;
  } else {
    /* The collection frees the block the bytes may be in (a heap binary of
     * this process, or a slice of one): copy them (at most 64) out first. */
    if (bytes)
      bytes = memcpy(saved, bytes, size);
    gh_status s = gh__alloc_slow(p, words, NULL, 0, &obj);
    if (s != GH_OK)
      return s;
  }
  *out = heap_binary_at(obj, bytes, size);
  return GH_OK;
}

/* Bytes of a heap binary or ProcBin object (not a slice). */
static void base_binary_data(const gh_term *obj, const uint8_t **bytes,
                             size_t *size) {
  if (header_subtag(obj[0]) == GH_SUB_HEAP_BIN) {
    *size = (size_t)obj[1];
    *bytes = (const uint8_t *)(obj + 2);
  } else {
    const gh_procbin *pb = (const gh_procbin *)obj;
    *size = pb->size;
    *bytes = pb->bytes;
  }
}

gh_status gh_binary_data(gh_term bin, const uint8_t **bytes, size_t *size) {
  if (!bytes || !size)
    return GH_ERR_NULL;
  if (gh_typeof(bin) != GH_T_BINARY)
    return GH_ERR_NOT_A_BINARY;
  const gh_term *obj = term_ptr(bin);
  if (header_subtag(obj[0]) != GH_SUB_SUB_BIN) {
    base_binary_data(obj, bytes, size);
    return GH_OK;
  }
  const uint8_t *base;
  size_t base_size;
  base_binary_data(term_ptr(obj[4]), &base, &base_size);
  GH_ASSERT(obj[2] <= base_size && obj[1] <= base_size - obj[2]);
  *size = (size_t)obj[1];
  *bytes = base + obj[2];
  return GH_OK;
}

/* A sub-binary: header (arity 3), size, offset, flags, orig.  A slice of a
 * slice refers to the original binary, never to another slice. */
gh_status gh_sub_binary(gh_proc *p, gh_term bin, size_t offset, size_t size,
                        gh_term *out) {
  if (!p || !out)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  gh_status s = check_term(p, bin);
  if (s != GH_OK)
    return s;
  if (gh_typeof(bin) != GH_T_BINARY)
    return GH_ERR_NOT_A_BINARY;
  const uint8_t *bytes;
  size_t total;
  gh_binary_data(bin, &bytes, &total);
  if (offset > total || size > total - offset)
    return GH_ERR_RANGE;
  gh_term *obj = term_ptr(bin);
  size_t base_offset = 0;
  if (header_subtag(obj[0]) == GH_SUB_SUB_BIN) {
    base_offset = (size_t)obj[2];
    bin = obj[4];
  }
  gh_term root = bin;
  gh_term *sub;
  if ((s = gh__alloc_heap(p, GH_SUB_BIN_WORDS, &root, 1, &sub)) != GH_OK)
    return s;
  sub[0] = make_header(GH_SUB_SUB_BIN, GH_SUB_BIN_WORDS - 2);
  sub[1] = size;
  sub[2] = base_offset + offset;
  sub[3] = 0;
  sub[4] = root;
  *out = make_boxed(sub);
  return GH_OK;
}
