/* internal.h -- the data structures of libgenheap, in one place.
 *
 * Not installed.  docs/memory-model.md explains the model; each field below
 * says which invariant it keeps.  Names follow BEAM's (erl_process.h) where
 * the concept is the same, so a reader can go from here to OTP's erl_gc.c.
 */
#ifndef GH_INTERNAL_H
#define GH_INTERNAL_H

#ifdef HAVE_CONFIG_H
#include "config.h" /* GH_HAVE_LTTNG: whether trace.h fires tracepoints */
#endif

#include "genheap.h"

#include <pthread.h>
#include <stdatomic.h>

#define GH_LIKELY(x) __builtin_expect(!!(x), 1)
#define GH_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* GH_ASSERT(cond) states an invariant the code relies on (the comments on
 * the fields below say which; the predicates after the structures test the
 * common ones).  A debug build (./configure --enable-debug, which defines
 * GH_DEBUG) checks it and, if it does not hold, prints file:line and the
 * condition to stderr and aborts: a broken invariant is a bug in genheap or
 * memory corruption, never bad input (bad input gets a gh_status).  In any
 * other build it compiles to nothing: cond is not evaluated, only named in
 * sizeof so that variables used only by assertions count as used. */
#ifdef GH_DEBUG
#define GH_ASSERT(cond)                                                        \
  (GH_LIKELY(cond) ? (void)0 : gh__assert_fail(#cond, __FILE__, __LINE__))
#else
#define GH_ASSERT(cond) ((void)sizeof(!(cond)))
#endif

/* Words kept free between htop and stop (S_RESERVED on OTP 25's JIT). */
#define GH_S_RESERVED 4
/* Smallest young heap outside hibernation (H_MIN_SIZE). */
#define GH_H_MIN_SIZE 233
#define GH_DEFAULT_MIN_HEAP 233
#define GH_DEFAULT_MIN_VHEAP 46422
#define GH_DEFAULT_FULLSWEEP_AFTER 65535
/* Heap binaries hold at most this many bytes (ERL_ONHEAP_BIN_LIMIT). */
#define GH_ONHEAP_BIN_LIMIT 64

/* ---- Allocation through the host's allocator ---------------------------- */
void *gh__alloc(gh_runtime *rt, size_t bytes);
void *gh__realloc(gh_runtime *rt, void *ptr, size_t old_bytes, size_t new_bytes);
void gh__free(gh_runtime *rt, void *ptr, size_t bytes);
gh_term *gh__alloc_words(gh_runtime *rt, size_t words);
void gh__free_words(gh_runtime *rt, gh_term *block, size_t words);

extern const gh_allocator gh__libc_allocator;

/* ---- Off-heap objects ---------------------------------------------------- */

/* A shared, reference-counted off-heap object (BEAM's Binary): the bytes of
 * a refc binary or, when `type` is set, a host resource -- BEAM too makes NIF
 * resources as binaries with a destructor (ErtsMagicBinary).  Freed (a
 * resource destroyed first) exactly when the last handle that references it
 * is found dead or released: every path goes through gh__binary_release. */
typedef struct gh_refc_bin {
  atomic_uint_fast64_t refc;
  size_t orig_size;             /* payload bytes; a resource's declared size */
  const gh_resource_type *type; /* NULL: a binary; else the resource's type */
  void *obj;                    /* a resource's host object */
  uint8_t data[];               /* a binary's bytes (none for a resource) */
} gh_refc_bin;

/* A ProcBin: the 6-word handle a process holds on its heap for a refc
 * binary.  Its header's arity (5) makes the collector skip the raw words.
 * A resource's handle is the same object with subtag RESOURCE (bytes NULL,
 * size the declared size): so every walk of an off-heap list -- the sweep,
 * message copies, receive, exit -- treats both alike, and only the release
 * (gh__binary_release) tells them apart. */
typedef struct gh_procbin {
  gh_term thing_word;      /* header: REFC_BIN or RESOURCE, arity 5;
                              forwarded when moved */
  uint64_t size;           /* bytes referenced (the slice, for a sent slice);
                              a resource's declared bytes */
  struct gh_procbin *next; /* off-heap list, newest first */
  gh_refc_bin *val;        /* the shared object (one reference) */
  const uint8_t *bytes;    /* first referenced byte (NULL: a resource) */
  uint64_t flags;
} gh_procbin;
#define GH_PROCBIN_WORDS 6

/* A send buffer (message.c): one allocation that a sender carves the
 * fragments of many messages from, so that a send costs no allocator call.
 * refs starts at GH_SENDBUF_BIAS while the buffer is its sender's current
 * one; each fragment freed takes one off, and the sender, when it moves on,
 * takes off the bias less the fragments it carved.  So refs reaches 0
 * exactly when the sender has let go and every fragment is freed: whoever
 * takes it there frees the buffer. */
typedef struct gh_sendbuf {
  atomic_uint_fast64_t refs;
  size_t bytes; /* of the whole allocation */
} gh_sendbuf;
#define GH_SENDBUF_BIAS ((uint_fast64_t)1 << 48)

/* A heap fragment: terms built outside the young heap (a message).  It is
 * young generation: the next GC copies out what is live and frees it. */
typedef struct gh_frag {
  struct gh_frag *next;   /* mailbox queue, then the process's mbuf list */
  gh_procbin *off_heap;   /* ProcBins that live in mem[] */
  uint64_t overhead;      /* their vheap words (size / 8 each) */
  gh_term msg;            /* the message term (points into mem[]) */
  size_t used_size;       /* words of mem[] in use */
  size_t alloc_size;      /* words of mem[] */
  gh_sendbuf *buf;        /* the send buffer it was carved from; NULL: it
                             is an allocation of its own */
  gh_term mem[];
} gh_frag;

/* ---- Processes ------------------------------------------------------------ */

enum {
  GH_F_NEED_FULLSWEEP = 1u << 0, /* next GC must be a full sweep */
  GH_F_HEAP_GROW = 1u << 1,      /* next full sweep grows one step (>75% live) */
  GH_F_HIBERNATED = 1u << 2      /* hibernated; cleared on resume or GC */
};

struct gh_proc {
  /* Young block: [heap, htop) terms, [stop, hend) stack, heap_sz words.
   * Invariant: heap <= high_water <= htop <= stop <= hend, and limit (what
   * the inline fast paths may bump htop to) is stop - S_RESERVED, or heap in
   * GC-stress mode so that every allocation collects.  Kept first: the
   * public header's gh_proc_fast reads these words (set_limit keeps them). */
  gh_proc_fast fast;
  gh_term *high_water; /* [heap, high_water) survived the last GC */
  size_t heap_sz;

  gh_runtime *rt;
  gh_pid pid;
  char *name;   /* never NULL ("" when unnamed) */
  /* false once exited or killed: every call says GH_ERR_DEAD.  Atomic: the
   * idle passes read it while the owner exits the process. */
  _Atomic bool alive;

  /* Old block, created by the first minor GC that promotes; only a full
   * sweep frees it.  Invariant: nothing in it points outside it. */
  gh_term *old_heap, *old_htop, *old_hend;

  /* Received fragments, and the put builders' overflow fragments, not yet
   * merged: young generation. */
  gh_frag *mbuf;
  size_t mbuf_sz; /* sum of used_size over mbuf */
  /* The put builders (genheap.h, "Reserve, then build"), which never
   * collect: past the young heap's room they bump in put_frag, a fragment on
   * mbuf (NULL: none; the collector frees it with the others).  put_status
   * is GH_OK until one of them cannot allocate; then it says why, limit is
   * held at heap so that every later put goes to gh_put_slow and returns
   * GH_NONE, and check_term reports it for GH_NONE -- until gh_reserve. */
  gh_frag *put_frag;
  gh_status put_status;

  /* Off-heap list (MSO): every ProcBin and resource handle this process
   * holds, newest first. */
  gh_procbin *mso;
  uint64_t overhead;         /* bin_vheap_size: young-generation binary words */
  uint64_t bin_vheap_sz;     /* bin_vheap_block_size */
  uint64_t bin_old_vheap_sz; /* bin_old_vheap_block_size */
  uint64_t bin_old_vheap;    /* bin_old_vheap_size */
  uint64_t refc_binaries;    /* entries on the MSO list */

  uint32_t gen_gcs;     /* minor GCs since the last full sweep */
  uint32_t max_gen_gcs; /* fullsweep_after */
  unsigned flags;       /* GH_F_* */
  /* Why the minor GC that set GH_F_NEED_FULLSWEEP could not run: the reason
   * the pending full sweep is traced with when it runs (later, if it failed
   * then).  Meaningful only while the flag is set. */
  gh_sweep_reason need_fullsweep_reason;
  size_t min_heap_size, min_vheap_size, max_heap_size;
  bool max_heap_include_bins;
  uint64_t hibernate_after_ms;

  /* Counters reported by gh_proc_info. */
  uint64_t minor_gcs, full_sweeps, hibernations, words_promoted,
      words_reclaimed;

  /* Send buffer (message.c): where this process's outgoing fragments are
   * carved from, [sb_top, sb_end) free; sb_carved fragments so far.  The
   * owner's (or a hibernating claimer's), like the heap. */
  gh_sendbuf *sendbuf;
  char *sb_top, *sb_end;
  uint64_t sb_carved;
  /* An empty buffer this process freed last (its own or a sender's): the
   * next one it takes.  At most one. */
  gh_sendbuf *sb_spare;

  /* Mailbox (message.c).  mq_head: fragments taken from the inbox, oldest
   * first, not yet received: the owner's alone.  mq_received counts
   * receives; only the owner writes it. */
  gh_frag *mq_head;
  atomic_uint_fast64_t mq_received;
  /* Written by every sender: kept off the owner's cache lines.  mq_in is a
   * LIFO stack of queued fragments, newest first, that senders push onto
   * with a CAS and the owner takes whole; mq_sent counts pushes (counted
   * before the push, so mq_sent - mq_received never under-counts). */
  char mq_pad_before[64];
  _Atomic(gh_frag *) mq_in;
  atomic_uint_fast64_t mq_sent;
  char mq_pad_after[64];

  /* hibernate_after: state_lock is held by whoever may touch the heap while
   * the owner is away (gh_runtime_hibernate_idle), and by gh_resume. */
  pthread_mutex_t state_lock;
  bool waiting;
  uint64_t wait_since_ms;
  uint64_t waits;       /* gh_wait calls: numbers each wait */
  /* The census thread's last look at fast.root_writes: the count it saw
   * and when it saw it change (gh__roots_quiet_ms). */
  atomic_uint_fast64_t writes_seen, writes_changed_ms;
  uint64_t census_wait; /* the wait the last idle census counted (0: none) */
  /* What the census thread may read without a claim, to find waits worth a
   * census: wait_hint is waits * 2 + 1 while waiting (0 otherwise), from
   * wait_hint_since; census_hint the wait_hint of the last census. */
  atomic_uint_fast64_t wait_hint, wait_hint_since, census_hint;

  /* gh__roots_fingerprint after the last collection (or spawn): a census
   * that finds the same roots measures the waste that GC left behind. */
  uint64_t roots_at_gc;

  /* Runtime registry (all handles, dead or alive) and pid hash chain. */
  struct gh_proc *all_next, *all_prev;
  struct gh_proc *hash_next;
};

/* One counter on a cache line of its own (the gate's reader counts: each
 * thread uses one shard, so senders on different threads never write the
 * same line).  128 bytes apart: adjacent-line prefetching pairs lines. */
#define GH_GATE_SHARDS 16
typedef struct gh_gate_shard {
  atomic_uint_fast64_t count;
  char pad[128 - sizeof(atomic_uint_fast64_t)];
} gh_gate_shard;

struct gh_runtime {
  gh_allocator allocator;
  gh_kill_fn on_kill;
  void *on_kill_ctx;
  gh_clock_fn clock;
  void *clock_ctx;
  bool gc_stress;
  bool verify;

  /* Process registry.  Read-locked by the census thread and the idle
   * passes, write-locked by spawn, exit and kill.  Sends do not take it:
   * they look pids up inside the send gate below (process.c). */
  pthread_rwlock_t procs_lock;
  gh_proc *all;           /* every handle not yet gh_exit'ed */
  gh_proc **pid_buckets;  /* live processes by pid */
  size_t pid_nbuckets;    /* a power of two */
  size_t pid_count;
  atomic_uint_fast64_t next_pid;

  /* The census thread (census_interval_ms > 0 and lttng): started by
   * gh_runtime_new, stopped and joined by gh_runtime_free. */
  uint64_t census_interval_ms;
  bool census_thread_started;
  pthread_t census_thread;
  pthread_mutex_t census_lock; /* guards census_stop */
  pthread_cond_t census_wake;
  bool census_stop;

  /* The send gate (process.c): a sender looks up and queues inside it, a
   * change to the pid table closes it and waits until no sender is inside.
   * gate_lock is held for as long as the gate is closed. */
  pthread_mutex_t gate_lock;
  gh_gate_shard gate_closed; /* .count: 1 while closed; own cache line */
  gh_gate_shard gate[GH_GATE_SHARDS]; /* .count: senders inside, per shard */

  /* Accounting (atomics: any thread). */
  atomic_uint_fast64_t processes_alive, processes_spawned, processes_killed;
  atomic_uint_fast64_t heap_words, binaries_alive, binary_bytes,
      bytes_allocated, resources_alive, resource_bytes;
};

/* ---- Invariants, as predicates for GH_ASSERT ----------------------------- */

/* A live process's young block: heap <= high_water <= htop <= stop < hend
 * (the bottom frame is below hend), and limit between heap and stop. */
static inline bool young_block_ordered(const gh_proc *p) {
  const gh_proc_fast *f = &p->fast;
  return f->heap && f->heap <= p->high_water && p->high_water <= f->htop &&
         f->htop <= f->stop && f->stop < f->hend &&
         (size_t)(f->hend - f->heap) == p->heap_sz && f->heap <= f->limit &&
         f->limit <= f->stop;
}

/* No old block (all three NULL), or old_heap <= old_htop <= old_hend. */
static inline bool old_block_ordered(const gh_proc *p) {
  if (!p->old_heap)
    return !p->old_htop && !p->old_hend;
  return p->old_heap <= p->old_htop && p->old_htop <= p->old_hend;
}

/* mbuf_sz is the sum of used_size over the received fragments. */
static inline bool mbuf_size_matches(const gh_proc *p) {
  size_t sum = 0;
  for (const gh_frag *f = p->mbuf; f; f = f->next)
    sum += f->used_size;
  return sum == p->mbuf_sz;
}

/* The off-heap list has refc_binaries entries, each with a live binary or
 * resource, and its vheap sums are overhead (young, fragments included) and
 * bin_old_vheap (on the old heap).  O(list): for the end of a collection. */
static inline bool mso_sums_match(const gh_proc *p) {
  uint64_t n = 0, young = 0, old = 0;
  for (const gh_procbin *pb = p->mso; pb; pb = pb->next) {
    const gh_term *x = (const gh_term *)pb;
    bool in_old = p->old_heap && x >= p->old_heap && x < p->old_htop;
    if (atomic_load(&pb->val->refc) == 0)
      return false;
    *(in_old ? &old : &young) += pb->size / sizeof(gh_term);
    n++;
  }
  return n == p->refc_binaries && young == p->overhead && old == p->bin_old_vheap;
}

/* Messages queued and not yet received ([any thread]).  received is read
 * first, with acquire: every receive it counts followed a push whose count
 * came before it, so the difference is never negative. */
static inline size_t mailbox_len(const gh_proc *p) {
  gh_proc *q = (gh_proc *)p; /* atomics are read-only here */
  uint64_t received = atomic_load_explicit(&q->mq_received, memory_order_acquire);
  uint64_t sent = atomic_load_explicit(&q->mq_sent, memory_order_acquire);
  return (size_t)(sent - received);
}

/* The owner's view of its mailbox: its private list holds at most what is
 * counted as waiting. */
static inline bool mailbox_counted(const gh_proc *p) {
  size_t taken = 0;
  for (const gh_frag *f = p->mq_head; f; f = f->next)
    taken++;
  return taken <= mailbox_len(p);
}

/* ---- Cross-file internal functions (gh__ prefix) ------------------------- */

/* Every function one file defines and another calls is declared here, under
 * the name of the file that defines it.  Headers beside this one hold only
 * static inline helpers and the types they need. */

typedef struct wstack wstack; /* wstack.h: an explicit stack of terms */

/* heap.c */
gh_status gh__alloc_slow(gh_proc *p, size_t words, gh_term *roots,
                         size_t nroots, gh_term **out);
/* Pushes t on a stack that has the room (no collection): a word that a
 * collection with need >= 1 guaranteed. */
void gh__push_in_room(gh_proc *p, gh_term t);
bool gh__term_is_local(const gh_proc *p, gh_term t);
size_t gh__stack_words(const gh_proc *p);

/* Bump allocation: the fast path.  `roots` are the caller's term arguments,
 * updated in place if a collection moves them. */
/* Where the fast paths may allocate up to: S_RESERVED words below the
 * stack, or nothing in GC-stress mode (every checked allocation then
 * collects; the put builders take the room out of line, without collecting)
 * or after a put builder failed (put_status).  Call whenever stop or heap
 * moves. */
static inline void set_limit(gh_proc *p) {
  gh_proc_fast *f = &p->fast;
  bool room = f->heap && (size_t)(f->stop - f->heap) >= GH_S_RESERVED;
  f->limit = room && !p->rt->gc_stress && p->put_status == GH_OK
                 ? f->stop - GH_S_RESERVED
                 : f->heap;
}

/* The young heap's room, GC-stress mode or not: what gh_reserve promises
 * and the put builders may take without collecting. */
static inline bool has_put_room(const gh_proc *p, size_t words) {
  size_t free_words = (size_t)(p->fast.stop - p->fast.htop);
  return free_words >= GH_S_RESERVED && words <= free_words - GH_S_RESERVED;
}

/* put_frag, when set, is one of the fragments on mbuf.  O(mbuf). */
static inline bool put_frag_on_mbuf(const gh_proc *p) {
  if (!p->put_frag)
    return true;
  for (const gh_frag *f = p->mbuf; f; f = f->next)
    if (f == p->put_frag)
      return f->used_size <= f->alloc_size;
  return false;
}

/* Room for `words` more words without collecting (no pointer arithmetic
 * beyond the block: limit may equal heap). */
static inline bool has_room(const gh_proc *p, size_t words) {
  return (uintptr_t)p->fast.htop + words * sizeof(gh_term) <= (uintptr_t)p->fast.limit;
}

static inline gh_status gh__alloc_heap(gh_proc *p, size_t words, gh_term *roots,
                                       size_t nroots, gh_term **out) {
  if (GH_LIKELY(has_room(p, words))) {
    *out = p->fast.htop;
    p->fast.htop += words;
    return GH_OK;
  }
  return gh__alloc_slow(p, words, roots, nroots, out);
}

/* heap_sizes.c */
size_t gh__next_heap_size(const gh_proc *p, size_t words, unsigned offset);
uint64_t gh__next_vheap_size(const gh_proc *p, uint64_t vheap, uint64_t vheap_sz);

/* gc.c */
typedef enum gh_gc_request {
  GH_REQ_NEED,      /* heap or vheap test failed */
  GH_REQ_MINOR,     /* gh_gc(MINOR) */
  GH_REQ_MAJOR      /* gh_gc(MAJOR) */
} gh_gc_request;
gh_status gh__collect(gh_proc *p, size_t need, gh_term *roots, size_t nroots,
                      gh_gc_request req);
gh_status gh__hibernate(gh_proc *p);
void gh__free_heaps(gh_proc *p);

/* binary.c */
void gh__binary_release(gh_runtime *rt, gh_refc_bin *b);
void gh__binary_retain(gh_refc_bin *b);
void gh__mso_release_all(gh_runtime *rt, gh_procbin *list);
gh_term gh__procbin_at(gh_term *obj, gh_refc_bin *b, const uint8_t *bytes,
                       size_t size, gh_procbin **mso, uint64_t *overhead);
/* The same for a resource's handle (b->type set; size: the declared one). */
gh_term gh__resource_at(gh_term *obj, gh_refc_bin *b, gh_procbin **mso,
                        uint64_t *overhead);

/* message.c */
/* Frees a fragment on behalf of p (on p's owner's thread: p may keep the
 * fragment's emptied send buffer as its spare). */
void gh__frag_free(gh_proc *p, gh_frag *f);
/* The process will neither receive nor send again (exit, kill, runtime
 * end): frees its queued messages and lets go of its send buffer and its
 * spare.  No sender may reach it any more (it is unpublished, or no call
 * runs); its heaps are freed already (their fragments may leave a spare). */
void gh__mailbox_close(gh_proc *p);
/* Lets go of the send buffer and the spare (hibernation: the process
 * keeps no spare memory); the next send takes a new one. */
void gh__sendbuf_drop(gh_proc *p);
/* Words the copy of the boxed object at obj takes; pushes the terms inside
 * it that the copy must also take. */
size_t gh__boxed_copy_words(const gh_term *obj, wstack *ws);

/* process.c */
void gh__kill(gh_proc *p, size_t total, size_t limit);
uint64_t gh__now_ms(gh_runtime *rt);
/* How long a waiting process has waited (0 when it is not waiting). */
uint64_t gh__waiting_ms(const gh_proc *p);
/* How long the roots have not changed, per the census thread. */
uint64_t gh__roots_quiet_ms(const gh_proc *p);
/* The live process with that pid, or NULL; procs_lock held (read or
 * write), or inside the send gate. */
gh_proc *gh__registry_lookup(gh_runtime *rt, gh_pid pid);
/* The send gate: between enter and leave, a process found by
 * gh__registry_lookup is not torn down.  Nothing in between may block or
 * take a lock; enter waits while a spawn or an exit changes the table. */
gh_gate_shard *gh__gate_enter(gh_runtime *rt);
void gh__gate_leave(gh_gate_shard *shard);

/* census.c */
gh_status gh__census(gh_proc *p, gh_census_info *out);
gh_status gh__census_traced(gh_proc *p, gh_census_trigger trigger,
                            uint64_t waiting_ms, gh_census_info *out);
void gh__census_at_end(gh_proc *p, gh_census_trigger trigger);
uint64_t gh__roots_fingerprint(const gh_proc *p);
bool gh__roots_unchanged(const gh_proc *p);

/* stats.c */
/* gh_proc_info without the argument checks (also for the trace events). */
void gh__fill_info(const gh_proc *p, gh_gc_info *out);

/* term.c */
/* Words a copy of t takes (sets *failed if the stack ran out). */
size_t gh__size_object(gh_runtime *rt, gh_term t, bool *failed);

/* verify.c */
gh_status gh__verify(const gh_proc *p, char *why, size_t why_size);
/* GH_ASSERT's failure: file:line and the condition on stderr, then abort.
 * Defined in debug builds only. */
void gh__assert_fail(const char *cond, const char *file, int line)
    __attribute__((noreturn, cold));

#endif /* GH_INTERNAL_H */
