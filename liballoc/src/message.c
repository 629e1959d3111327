/* message.c -- copying terms between processes (erl_message.c, copy.c).
 *
 * gh_send sizes the message (size_object), copies it into one heap fragment
 * (copy_struct) and queues the fragment on the receiver's mailbox.  Sharing
 * inside the term is not preserved, as with BEAM's default copy.  Refc
 * binaries are not copied: the fragment gets its own ProcBin and the binary
 * one more reference; a slice of a refc binary becomes a ProcBin of the
 * slice's size over the whole binary (so the whole binary stays alive, as in
 * BEAM); a slice of a heap binary becomes a heap binary of its bytes.  A
 * resource is shared the same way: a new handle, one more reference.
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
 *
 * What a send costs, and why each part is there (profile: BENCHMARKS.md,
 * "messages").  A send used to take the registry's rwlock, the receiver's
 * mutex and one malloc; the receiver's GC then freed the fragment on its own
 * thread, into the sender thread's malloc arena, under that arena's lock.
 * Now:
 *
 *  - Finding the receiver: inside the send gate (process.c, which explains
 *    why a receiver found there cannot be freed before the push completes).
 *
 *  - The mailbox is a multi-producer, single-consumer queue without locks.
 *    Senders push onto mq_in, a LIFO stack, with one CAS (release): a
 *    fragment is complete and linked before it is visible, so a message
 *    whose gh_send has returned is always found by the next receive.  The
 *    owner takes the whole stack with one exchange (acquire) when its
 *    private list mq_head is empty, and reverses it onto that list.  Each
 *    batch holds every message pushed before the exchange and none after,
 *    and is received before the next batch is taken, so messages arrive in
 *    the order of their pushes: FIFO for each sender (and across senders,
 *    in the order their CASes took effect).  A push only ever replaces the
 *    top, and the owner only ever takes everything, so the stack has no ABA
 *    problem: whatever top a CAS finds is the right next link.
 *    message_queue_len is mq_sent - mq_received: senders count before they
 *    push, the owner after it receives, so it is never negative and counts
 *    a message from just before it can be received until it is.
 *
 *  - Fragments are carved from the sender's send buffer (gh_sendbuf), a
 *    block of GH_SENDBUF_BYTES (4 KB) taken from the host's allocator, bumped by
 *    the owner without atomics; a message too large for it gets an
 *    allocation of its own.  The buffer's biased count (internal.h) takes
 *    one atomic decrement per fragment freed, on the receiver's side.  Each
 *    fragment starts on a cache line of its own: the receiver writes into
 *    its fragments (mbuf links, a GC's forwarding marks) while the sender
 *    carves the next ones.  Memory: a buffer lives until its last fragment
 *    is merged by a receiver's GC, so a buffer's worth per sender, plus
 *    what receivers have not collected yet; bytes_allocated counts buffers
 *    whole.
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

/* A copy into [frag->mem, end).  A bounded copy (into what is left of a
 * send buffer, before the message is sized) stops with `overflow` set as
 * soon as the next object would pass `end`. */
typedef struct copy_ctx {
  gh_frag *frag;
  gh_term *top;
  gh_term *end;
  bool overflow;
} copy_ctx;

/* Room for `words` more at top; sets overflow when there is none. */
static bool copy_room(copy_ctx *c, size_t words) {
  if (GH_LIKELY((size_t)(c->end - c->top) >= words))
    return true;
  c->overflow = true;
  return false;
}

/* Copies the boxed object obj to the fragment's top, returns the new term
 * (obj's own term, unchanged, on overflow). */
static gh_term copy_boxed(copy_ctx *c, const gh_term *obj) {
  gh_term *n = c->top;
  gh_term h = obj[0];
  unsigned sub = header_subtag(h);
  if (sub == GH_SUB_RESOURCE) { /* by reference, as a refc binary */
    if (!copy_room(c, GH_PROCBIN_WORDS))
      return make_boxed(obj);
    gh_refc_bin *r = ((const gh_procbin *)obj)->val;
    gh__binary_retain(r);
    c->top += GH_PROCBIN_WORDS;
    return gh__resource_at(n, r, &c->frag->off_heap, &c->frag->overhead);
  }
  if (sub == GH_SUB_REFC_BIN || (sub == GH_SUB_SUB_BIN && is_refc_base(term_ptr(obj[4])))) {
    if (!copy_room(c, GH_PROCBIN_WORDS))
      return make_boxed(obj);
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
    if (!copy_room(c, words))
      return make_boxed(obj);
    n[0] = make_header(GH_SUB_HEAP_BIN, words - 1);
    n[1] = size;
    n[words - 1] = 0;
    memcpy(n + 2, (const uint8_t *)(base + 2) + obj[2], size);
    c->top += words;
    return make_boxed(n);
  }
  size_t words = object_words(h);
  if (!copy_room(c, words))
    return make_boxed(obj);
  for (size_t i = 0; i < words; i++) /* a few words: no memcpy call */
    n[i] = obj[i];
  c->top += words;
  return make_boxed(n);
}

static gh_term copy_one(copy_ctx *c, gh_term t) {
  if (is_list(t)) {
    if (!copy_room(c, 2))
      return t;
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
  for (gh_term *scan = c->frag->mem; scan < c->top && !c->overflow;) {
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

/* ---- Fragments and send buffers --------------------------------------------- */

/* A send buffer is 4 KB (a page; 16 KB held 1-1.5 MB more at the peak of
 * the messages benchmark, as a buffer lives as long as its last
 * fragment); a message whose fragment takes more than a quarter of that
 * (over ~120 words) gets an allocation of its own, so at most a quarter of
 * a buffer is left unused when the sender moves on. */
#define GH_SENDBUF_BYTES 4096
#define GH_FRAG_CARVE_MAX (GH_SENDBUF_BYTES / 4)
#define GH_CACHE_LINE 64

static size_t frag_bytes(size_t words) {
  return sizeof(gh_frag) + words * sizeof(gh_term);
}

static char *line_up(char *x) {
  return (char *)(((uintptr_t)x + GH_CACHE_LINE - 1) & ~(uintptr_t)(GH_CACHE_LINE - 1));
}

/* Takes n references off b on behalf of p (on its owner's thread).  The
 * one that takes the last keeps the buffer as p's spare if p has none:
 * p's next send buffer is then memory its own thread touched last, not
 * the allocator's, and a buffer freed on one thread is not handed back to
 * the arena of another. */
static void sendbuf_unref(gh_proc *p, gh_sendbuf *b, uint_fast64_t n) {
  /* acq_rel: the one that frees sees every other user's writes finished. */
  if (atomic_fetch_sub_explicit(&b->refs, n, memory_order_acq_rel) != n)
    return;
  if (!p->sb_spare && p->alive)
    p->sb_spare = b;
  else
    gh__free(p->rt, b, b->bytes);
}

static void sendbuf_free_spare(gh_proc *p) {
  if (p->sb_spare)
    gh__free(p->rt, p->sb_spare, p->sb_spare->bytes);
  p->sb_spare = NULL;
}

/* Lets go of the current buffer, not of the spare. */
static void sendbuf_retire(gh_proc *p) {
  gh_sendbuf *b = p->sendbuf;
  if (!b)
    return;
  p->sendbuf = NULL;
  p->sb_top = p->sb_end = NULL;
  sendbuf_unref(p, b, GH_SENDBUF_BIAS - p->sb_carved);
  p->sb_carved = 0;
}

void gh__sendbuf_drop(gh_proc *p) {
  sendbuf_retire(p);
  sendbuf_free_spare(p);
}

/* A new send buffer for p (its spare, or the allocator's); the previous
 * one is let go only once the new one is there, so that a failed
 * allocation changes nothing. */
static bool sendbuf_refill(gh_proc *p) {
  gh_sendbuf *b = p->sb_spare;
  p->sb_spare = NULL;
  if (!b && !(b = gh__alloc(p->rt, GH_SENDBUF_BYTES)))
    return false;
  atomic_init(&b->refs, GH_SENDBUF_BIAS);
  b->bytes = GH_SENDBUF_BYTES;
  sendbuf_retire(p);
  p->sendbuf = b;
  p->sb_top = line_up((char *)(b + 1));
  /* Down to a line too: carve() lines sb_top up, and must not pass it. */
  p->sb_end = (char *)(((uintptr_t)b + GH_SENDBUF_BYTES) & ~(uintptr_t)(GH_CACHE_LINE - 1));
  return true;
}

static void frag_init(gh_frag *f, size_t words) {
  f->next = NULL;
  f->off_heap = NULL;
  f->overhead = 0;
  f->msg = GH_NIL;
  f->used_size = words;
  f->alloc_size = words;
}

/* Where the next fragment carved from p's buffer would start, and how many
 * words its mem[] could hold (0: no buffer, or too little left). */
static size_t carve_room(const gh_proc *p) {
  if (!p->sendbuf)
    return 0;
  size_t left = (size_t)(p->sb_end - p->sb_top);
  if (left > GH_FRAG_CARVE_MAX)
    left = GH_FRAG_CARVE_MAX;
  return left > sizeof(gh_frag) ? (left - sizeof(gh_frag)) / sizeof(gh_term) : 0;
}

/* Takes the fragment at sb_top, of `words` words, from p's buffer. */
static gh_frag *carve(gh_proc *p, size_t words) {
  gh_frag *f = (gh_frag *)p->sb_top;
  p->sb_top = line_up(p->sb_top + frag_bytes(words));
  p->sb_carved++;
  f->buf = p->sendbuf;
  f->used_size = f->alloc_size = words;
  return f;
}

/* A fragment of `words` words for a message from p: carved from its send
 * buffer (a new one if this one is full), or, when large, on its own. */
static gh_frag *frag_new(gh_proc *p, size_t words) {
  gh_frag *f;
  if (GH_LIKELY(frag_bytes(words) <= GH_FRAG_CARVE_MAX)) {
    bool fits = p->sendbuf && (size_t)(p->sb_end - p->sb_top) >= frag_bytes(words);
    if (!fits && !sendbuf_refill(p))
      return NULL;
    f = carve(p, words);
  } else {
    if (!(f = gh__alloc(p->rt, frag_bytes(words))))
      return NULL;
    f->buf = NULL;
  }
  frag_init(f, words);
  return f;
}

void gh__frag_free(gh_proc *p, gh_frag *f) {
  if (f->buf)
    sendbuf_unref(p, f->buf, 1);
  else
    gh__free(p->rt, f, frag_bytes(f->alloc_size));
}

/* A fragment that never reached a heap drops its binary references too. */
static void frag_discard(gh_proc *p, gh_frag *f) {
  gh__mso_release_all(p->rt, f->off_heap);
  gh__frag_free(p, f);
}

/* The copy of msg into a new fragment from p.  Most messages are copied in
 * one pass, straight into what is left of the send buffer; one that does
 * not fit is sized first (size_object) and copied again into a fragment of
 * its exact size, as BEAM always does. */
static gh_status copy_message(gh_proc *p, gh_term msg, gh_frag **out) {
  size_t room = carve_room(p);
  if (room) {
    gh_frag *f = (gh_frag *)p->sb_top;
    frag_init(f, 0);
    copy_ctx c = {f, f->mem, f->mem + room, false};
    gh_term root = copy_struct(&c, msg);
    if (!c.overflow) {
      carve(p, (size_t)(c.top - f->mem));
      f->msg = root;
      *out = f;
      return GH_OK;
    }
    gh__mso_release_all(p->rt, f->off_heap); /* what the attempt retained */
  }
  bool failed;
  size_t words = gh__size_object(p->rt, msg, &failed);
  if (failed)
    return GH_ERR_NOMEM;
  gh_frag *f = frag_new(p, words);
  if (!f)
    return GH_ERR_NOMEM;
  copy_ctx c = {f, f->mem, f->mem + words, false};
  f->msg = copy_struct(&c, msg);
  GH_ASSERT(!c.overflow && c.top == f->mem + f->used_size); /* sized exactly */
  *out = f;
  return GH_OK;
}

/* ---- Mailbox ------------------------------------------------------------------ */

static void discard_list(gh_proc *p, gh_frag *f) {
  for (gh_frag *next; f; f = next) {
    next = f->next;
    frag_discard(p, f);
  }
}

void gh__mailbox_close(gh_proc *p) {
  discard_list(p, p->mq_head);
  p->mq_head = NULL;
  discard_list(p, atomic_exchange_explicit(&p->mq_in, NULL, memory_order_acquire));
  atomic_store_explicit(&p->mq_received, atomic_load(&p->mq_sent), memory_order_release);
  gh__sendbuf_drop(p);
}

/* Pushes f onto q's inbox (any thread, inside the send gate). */
static void mailbox_push(gh_proc *q, gh_frag *f) {
  atomic_fetch_add_explicit(&q->mq_sent, 1, memory_order_relaxed);
  gh_frag *top = atomic_load_explicit(&q->mq_in, memory_order_relaxed);
  do
    f->next = top;
  while (!atomic_compare_exchange_weak_explicit(&q->mq_in, &top, f, memory_order_release,
                                                memory_order_relaxed));
}

/* Queues f on the live process `to`, or reports GH_ERR_NOPROC. */
static gh_status enqueue(gh_runtime *rt, gh_pid to, gh_frag *f) {
  gh_gate_shard *gate = gh__gate_enter(rt);
  gh_proc *q = gh__registry_lookup(rt, to);
  if (q)
    mailbox_push(q, f);
  gh__gate_leave(gate);
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
  gh_frag *f;
  if ((s = copy_message(from, msg, &f)) != GH_OK)
    return s;
  if ((s = enqueue(from->rt, to, f)) != GH_OK)
    frag_discard(from, f);
  return s;
}

/* The oldest waiting message (owner only): from the private list, which is
 * refilled, in the order sent, from the whole inbox when it runs out. */
static gh_frag *dequeue(gh_proc *p) {
  GH_ASSERT(mailbox_counted(p));
  gh_frag *f = p->mq_head;
  if (!f) {
    /* A plain load first: an empty inbox costs no write to its line. */
    if (!atomic_load_explicit(&p->mq_in, memory_order_relaxed))
      return NULL;
    gh_frag *in = atomic_exchange_explicit(&p->mq_in, NULL, memory_order_acquire);
    for (gh_frag *next; in; in = next) { /* newest first: reverse */
      next = in->next;
      in->next = f;
      f = in;
    }
    if (!f) /* cannot happen: only the owner empties the inbox */
      return NULL;
  }
  p->mq_head = f->next;
  atomic_store_explicit(&p->mq_received,
                        atomic_load_explicit(&p->mq_received, memory_order_relaxed) + 1,
                        memory_order_release);
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

size_t gh_message_queue_len(gh_proc *p) { return p ? mailbox_len(p) : 0; }
