/* message.c -- copying terms between processes (erl_message.c, copy.c).
 *
 * gh_send sizes the message (size_object), copies it into one heap fragment
 * (copy_struct) and queues the fragment on the receiver's mailbox.  Sharing
 * inside the term is not preserved, as with BEAM's default copy.  Refc
 * binaries are not copied: the fragment gets its own ProcBin and the binary
 * one more reference; a slice of a refc binary becomes a ProcBin of the
 * slice's size over the whole binary (so the whole binary stays alive, as in
 * BEAM); a slice of a heap binary becomes a heap binary of its bytes.
 *
 * The copy is a Cheney scan of the fragment itself: the root object is
 * copied first, then every word of the fragment that still points into the
 * sender's heap is replaced by a fresh copy at the fragment's end.  Terms
 * are acyclic, so this terminates, with no recursion and without writing
 * forwarding marks into the sender's heap.
 *
 * The mailbox behaves like BEAM's message_queue_data=off_heap: queued
 * fragments are not part of the receiver's heap.  gh_receive takes the
 * oldest; its fragment joins the young generation (mbuf_size) until the next
 * GC copies out what is live.
 */
#include "term.h"
#include "wstack.h"

#include <string.h>

/* ---- Sizing ---------------------------------------------------------------- */

static bool is_refc_base(const gh_term *obj) {
  return header_subtag(obj[0]) == GH_SUB_REFC_BIN;
}

size_t gh__boxed_copy_words(const gh_term *obj, wstack *ws) {
  gh_term h = obj[0];
  switch (header_subtag(h)) {
  case GH_SUB_TUPLE:
    for (size_t i = 1; i <= header_arity(h); i++)
      ws_push(ws, obj[i]);
    return header_arity(h) + 1;
  case GH_SUB_SUB_BIN:
    if (is_refc_base(term_ptr(obj[4])))
      return GH_PROCBIN_WORDS;
    return heap_bin_words((size_t)obj[1]);
  default:
    return object_words(h);
  }
}

/* ---- Copying ---------------------------------------------------------------- */

typedef struct copy_ctx {
  gh_frag *frag;
  gh_term *top;
} copy_ctx;

/* Copies the boxed object obj to the fragment's top, returns the new term. */
static gh_term copy_boxed(copy_ctx *c, const gh_term *obj) {
  gh_term *n = c->top;
  gh_term h = obj[0];
  unsigned sub = header_subtag(h);
  if (sub == GH_SUB_REFC_BIN || (sub == GH_SUB_SUB_BIN && is_refc_base(term_ptr(obj[4])))) {
    const gh_procbin *pb = (const gh_procbin *)(sub == GH_SUB_REFC_BIN ? obj : term_ptr(obj[4]));
    size_t size = sub == GH_SUB_REFC_BIN ? pb->size : (size_t)obj[1];
    const uint8_t *bytes = sub == GH_SUB_REFC_BIN ? pb->bytes : pb->bytes + obj[2];
    gh__binary_retain(pb->val);
    c->top += GH_PROCBIN_WORDS;
    return gh__procbin_at(n, pb->val, bytes, size, &c->frag->off_heap,
                          &c->frag->overhead);
  }
  if (sub == GH_SUB_SUB_BIN) { /* slice of a heap binary: copy its bytes */
    const gh_term *base = term_ptr(obj[4]);
    size_t size = (size_t)obj[1];
    size_t words = heap_bin_words(size);
    n[0] = make_header(GH_SUB_HEAP_BIN, words - 1);
    n[1] = size;
    n[words - 1] = 0;
    memcpy(n + 2, (const uint8_t *)(base + 2) + obj[2], size);
    c->top += words;
    return make_boxed(n);
  }
  size_t words = object_words(h);
  memcpy(n, obj, words * sizeof(gh_term));
  c->top += words;
  return make_boxed(n);
}

static gh_term copy_one(copy_ctx *c, gh_term t) {
  if (is_list(t)) {
    gh_term *n = c->top;
    n[0] = gh_car(t);
    n[1] = gh_cdr(t);
    c->top += 2;
    return make_list(n);
  }
  if (is_boxed(t))
    return copy_boxed(c, term_ptr(t));
  return t;
}

/* Every word below the scan point refers into the fragment; every term word
 * at or above it still refers to the sender's heap. */
static gh_term copy_struct(copy_ctx *c, gh_term msg) {
  gh_term root = copy_one(c, msg);
  for (gh_term *scan = c->frag->mem; scan < c->top;) {
    gh_term w = *scan;
    if (is_header(w)) {
      scan += header_skip(w);
      continue;
    }
    if (is_pointer(w))
      *scan = copy_one(c, w);
    scan++;
  }
  return root;
}

static gh_frag *frag_new(gh_runtime *rt, size_t words) {
  gh_frag *f = gh__alloc(rt, sizeof(gh_frag) + words * sizeof(gh_term));
  if (!f)
    return NULL;
  f->next = NULL;
  f->off_heap = NULL;
  f->overhead = 0;
  f->msg = GH_NIL;
  f->used_size = words;
  f->alloc_size = words;
  return f;
}

void gh__frag_free(gh_runtime *rt, gh_frag *f) {
  gh__free(rt, f, sizeof(gh_frag) + f->alloc_size * sizeof(gh_term));
}

/* A fragment that never reached a heap drops its binary references too. */
static void frag_discard(gh_runtime *rt, gh_frag *f) {
  gh__mso_release_all(rt, f->off_heap);
  gh__frag_free(rt, f);
}

/* ---- Mailbox ------------------------------------------------------------------ */

void gh__mailbox_drain(gh_proc *p) {
  pthread_mutex_lock(&p->mq_lock);
  gh_frag *f = p->mq_head;
  p->mq_head = NULL;
  p->mq_tail = &p->mq_head;
  atomic_store(&p->mq_len, 0);
  pthread_mutex_unlock(&p->mq_lock);
  for (gh_frag *next; f; f = next) {
    next = f->next;
    frag_discard(p->rt, f);
  }
}

/* Queues f on the live process `to`, or reports GH_ERR_NOPROC.  The registry
 * read lock keeps the receiver from exiting while we append. */
static gh_status enqueue(gh_runtime *rt, gh_pid to, gh_frag *f) {
  pthread_rwlock_rdlock(&rt->procs_lock);
  gh_proc *q = gh__registry_lookup(rt, to);
  if (q) {
    pthread_mutex_lock(&q->mq_lock);
    GH_ASSERT(f->next == NULL && mailbox_shaped(q));
    *q->mq_tail = f;
    q->mq_tail = &f->next;
    atomic_fetch_add(&q->mq_len, 1);
    GH_ASSERT(mailbox_shaped(q));
    pthread_mutex_unlock(&q->mq_lock);
  }
  pthread_rwlock_unlock(&rt->procs_lock);
  return q ? GH_OK : GH_ERR_NOPROC;
}

gh_status gh_send(gh_proc *from, gh_pid to, gh_term msg) {
  if (!from)
    return GH_ERR_NULL;
  if (!from->alive)
    return GH_ERR_DEAD;
  gh_status s = check_term(from, msg);
  if (s != GH_OK)
    return s;
  bool failed;
  size_t words = gh__size_object(from->rt, msg, &failed);
  if (failed)
    return GH_ERR_NOMEM;
  gh_frag *f = frag_new(from->rt, words);
  if (!f)
    return GH_ERR_NOMEM;
  copy_ctx c = {f, f->mem};
  f->msg = copy_struct(&c, msg);
  GH_ASSERT(c.top == f->mem + f->used_size); /* size_object sized it exactly */
  if ((s = enqueue(from->rt, to, f)) != GH_OK)
    frag_discard(from->rt, f);
  return s;
}

static gh_frag *dequeue(gh_proc *p) {
  pthread_mutex_lock(&p->mq_lock);
  GH_ASSERT(mailbox_shaped(p));
  gh_frag *f = p->mq_head;
  if (f) {
    p->mq_head = f->next;
    if (!p->mq_head)
      p->mq_tail = &p->mq_head;
    atomic_fetch_sub(&p->mq_len, 1);
  }
  GH_ASSERT(mailbox_shaped(p));
  pthread_mutex_unlock(&p->mq_lock);
  return f;
}

/* erts_save_message_in_proc: the fragment joins the young generation, its
 * ProcBins join the off-heap list.  If a GC is now desired (the fragments
 * would not fit in the free space, or the vheap overflowed: ERTS_IS_GC_DESIRED)
 * collect at once, with the message as a root. */
gh_status gh_receive(gh_proc *p, gh_term *out) {
  if (!p || !out)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  gh_frag *f = dequeue(p);
  if (!f)
    return GH_ERR_EMPTY;
  gh_term msg = f->msg;
  GH_ASSERT(young_block_ordered(p) && mbuf_size_matches(p));
  f->next = p->mbuf;
  p->mbuf = f;
  p->mbuf_sz += f->used_size;
  if (f->off_heap) {
    gh_procbin *last = f->off_heap;
    uint64_t n = 1;
    for (; last->next; last = last->next)
      n++;
    last->next = p->mso;
    p->mso = f->off_heap;
    p->overhead += f->overhead;
    p->refc_binaries += n;
    f->off_heap = NULL;
  }
  if ((size_t)(p->fast.stop - p->fast.htop) < p->mbuf_sz || p->overhead > p->bin_vheap_sz ||
      p->rt->gc_stress) {
    /* This GC is only opportunistic: if memory is short the message stays
     * in its fragment and is still delivered. */
    gh_status s = gh__collect(p, 0, &msg, 1, GH_REQ_NEED);
    if (s == GH_ERR_KILLED)
      return s;
  }
  *out = msg;
  return GH_OK;
}

size_t gh_message_queue_len(gh_proc *p) {
  return p ? atomic_load(&p->mq_len) : 0;
}
