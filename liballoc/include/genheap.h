/* genheap.h -- per-process generational heaps with BEAM's memory model.
 *
 * genheap gives each process (a gh_proc) its own heap: a young heap collected
 * by a copying minor GC, an old heap that survivors are promoted to and that
 * only a full sweep reclaims, and large binaries kept off-heap with reference
 * counts.  Sizes, promotion and sweep triggers follow Erlang/OTP 25 (see
 * docs/memory-model.md for every place genheap differs).  All sizes are in
 * words (8 bytes on 64-bit) unless a name says bytes.
 *
 * Terms and roots.  A gh_term is one tagged word.  Terms are immutable once
 * built, as in BEAM.  Any call marked [GC] may collect the process's heap and
 * move its terms: a gh_term kept in a C variable across such a call is stale.
 * Keep the terms you need in the process's stack slots (gh_push, gh_slot_get,
 * gh_slot_set): the collector updates them.  The term arguments of a [GC]
 * call are themselves safe; read its result after it returns.  The idiom:
 * gh_reserve room for what you are about to build (one [GC] call, your
 * C variables passed as roots), then build with the gh_put_* builders, which
 * never collect, and store what must outlive the next [GC] call in a slot.
 *
 * Threads.  A process is used by one thread at a time (its owner); any thread
 * may gh_send to any process by pid.  Binaries are shared between processes
 * with atomic reference counts.  Runtime-wide calls marked [any thread] may be
 * made concurrently with everything else.  See docs/embedding.md.
 *
 * Errors are values: every call that can fail returns a gh_status, and
 * gh_strerror() gives a one-line message for it.  No call aborts on bad input;
 * what counts as a term argument, and what is checked, is under "What a term
 * argument may be" below.
 */
#ifndef GENHEAP_H
#define GENHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exported symbols; everything else in libgenheap is hidden. */
#if defined(__GNUC__)
#define GH_API __attribute__((visibility("default")))
#else
#define GH_API
#endif

/* The package's version (configure checks these against AC_INIT). */
#define GH_VERSION_MAJOR 0
#define GH_VERSION_MINOR 1
#define GH_VERSION_PATCH 0
GH_API const char *gh_version(void); /* "MAJOR.MINOR.PATCH" */

/* ---- Status codes ------------------------------------------------------ */
typedef enum gh_status {
  GH_OK = 0,
  GH_ERR_NULL,          /* a required pointer argument was NULL */
  GH_ERR_BADARG,        /* an argument is out of range or of the wrong kind */
  GH_ERR_NOMEM,         /* the backing allocator returned NULL */
  GH_ERR_DEAD,          /* the process has exited or was killed */
  GH_ERR_NOPROC,        /* no live process has that pid */
  GH_ERR_FOREIGN_TERM,  /* the term lives on another process's heap */
  GH_ERR_NOT_A_BINARY,  /* the term is not a binary */
  GH_ERR_RANGE,         /* a slot index or a slice is out of range */
  GH_ERR_EMPTY,         /* the mailbox or the stack is empty */
  GH_ERR_PENDING,       /* hibernate skipped: a message is waiting (as BEAM) */
  GH_ERR_KILLED,        /* max_heap_size exceeded: this call's GC killed it */
  GH_ERR_TOO_LARGE,     /* the request exceeds the largest heap size */
  GH_ERR_BUSY,          /* the process is in use (waiting state mismatch) */
  GH_ERR_NOT_A_RESOURCE /* the term is not a resource of the given type */
} gh_status;

GH_API const char *gh_strerror(gh_status status);

typedef struct gh_runtime gh_runtime;
typedef struct gh_proc gh_proc;
typedef struct gh_resource_type gh_resource_type; /* see "Resources" */

/* ---- Terms --------------------------------------------------------------- */
typedef uint64_t gh_term;
typedef uint64_t gh_pid; /* process id: unique in a runtime, never reused */

/* The encoding is BEAM's (erl_term.h) and part of this API, so that the
 * readers and immediates below are inline: the two low bits of a term are
 * its primary tag (01 list, 10 boxed, 11 immediate); small integers are
 * value << 4 | 0xF, pids pid << 4 | 0x7, atoms index << 6 | 0x0B. */
#define GH_NIL ((gh_term)0x3B)     /* the empty list [] */
/* No term: what a put builder returns when it could not build (see
 * "Reserve, then build").  Calls that check terms refuse it, saying why. */
#define GH_NONE ((gh_term)0x2B)
#define GH_SMALL_MIN (-(INT64_C(1) << 59))
#define GH_SMALL_MAX ((INT64_C(1) << 59) - 1)

typedef enum gh_type {
  GH_T_SMALL, GH_T_ATOM, GH_T_NIL, GH_T_PID, GH_T_CONS, GH_T_TUPLE,
  GH_T_FLOAT, GH_T_BINARY, GH_T_RESOURCE, GH_T_INVALID
} gh_type;

/* Immediates: no heap space. */
static inline gh_term gh_small(int64_t value) { /* in [GH_SMALL_MIN, MAX] */
  return ((gh_term)value << 4) | 0xF;
}
static inline gh_term gh_atom(uint32_t index) { /* an atom or tag */
  return ((gh_term)index << 6) | 0x0B;
}
static inline gh_term gh_pid_term(gh_pid pid) { return ((gh_term)pid << 4) | 0x7; }

/* What a term argument may be.  A term is an immediate (GH_NIL, gh_small,
 * gh_atom, gh_pid_term) or a term a call on the same process handed out (a
 * builder's *out or result, gh_receive's message, a slot, a part read from
 * one of them) that is not stale (see [GC] above).  No other word is a term.
 * The put builders (below) check nothing: they are plain stores, as BEAM's.
 *  - Calls that take the process check each term argument in O(1):
 *    GH_ERR_BADARG for an immediate that is not a value (a header word)
 *    and for a pointer that is not word-aligned; GH_ERR_FOREIGN_TERM for a
 *    pointer outside the process's heaps (another process's term, a stale
 *    one, any other address).  A word-aligned pointer into the process's
 *    heaps that is not the start of a term (an interior pointer) passes
 *    these checks: using it is undefined behaviour, as in BEAM.
 *  - The readers below take no process.  gh_typeof answers GH_T_INVALID
 *    for every word that its bits alone show is not a term (a header word,
 *    an immediate that is no value, a misaligned pointer) without reading
 *    memory; for any other pointer it reads the word pointed to.  It and
 *    the other readers therefore take terms only.
 *  - gh_verify_term (Debugging) checks any word completely, reading only
 *    the process's own memory, in time proportional to the heap: for words
 *    of unknown origin. */
GH_API gh_type gh_typeof(gh_term t);
static inline bool gh_is_cons(gh_term t) { return (t & 0x3) == 0x1; }
static inline bool gh_is_small(gh_term t) { return (t & 0xF) == 0xF; }
/* Readers: the caller knows the type (check with gh_typeof when not). */
static inline int64_t gh_small_value(gh_term t) { return (int64_t)t >> 4; }
static inline uint32_t gh_atom_index(gh_term t) { return (uint32_t)(t >> 6); }
static inline gh_pid gh_pid_value(gh_term t) { return t >> 4; }
static inline gh_term gh_car(gh_term cons) { /* head of a GH_T_CONS */
  return ((const gh_term *)(uintptr_t)(cons - 1))[0];
}
static inline gh_term gh_cdr(gh_term cons) { /* tail of a GH_T_CONS */
  return ((const gh_term *)(uintptr_t)(cons - 1))[1];
}
static inline size_t gh_tuple_arity(gh_term tuple) {
  return (size_t)(((const gh_term *)(uintptr_t)(tuple - 2))[0] >> 6);
}
static inline gh_term gh_tuple_element(gh_term tuple, size_t index) { /* 0-based */
  return ((const gh_term *)(uintptr_t)(tuple - 2))[1 + index];
}
GH_API double gh_float_value(gh_term f);
/* Bytes and size of any binary (heap, refc or slice); GH_ERR_NOT_A_BINARY. */
GH_API gh_status gh_binary_data(gh_term bin, const uint8_t **bytes, size_t *size);
/* Structural equality, and the heap words a term takes (as erts_debug:
 * flat_size).  The terms are p's, checked as a builder's are; the work stack
 * comes from the runtime's allocator (GH_ERR_NOMEM when it fails, never a
 * wrong answer).  Neither collects. */
GH_API gh_status gh_equal(const gh_proc *p, gh_term a, gh_term b, bool *equal);
GH_API gh_status gh_flat_size(const gh_proc *p, gh_term t, size_t *words);

/* ---- Runtime ------------------------------------------------------------- */

/* The backing allocator: every byte genheap uses comes from here.  realloc is
 * optional (NULL: alloc+copy+free).  Calls may come from any thread. */
typedef struct gh_allocator {
  void *(*alloc)(void *ctx, size_t bytes);
  void *(*realloc)(void *ctx, void *ptr, size_t old_bytes, size_t new_bytes);
  void (*free)(void *ctx, void *ptr, size_t bytes);
  void *ctx;
} gh_allocator;

/* Told when max_heap_size kills a process (on the owner's thread, inside the
 * call that collected).  The process is dead but its handle stays valid until
 * gh_exit().  total_words is the footprint that exceeded limit_words. */
typedef void (*gh_kill_fn)(void *ctx, gh_proc *proc, gh_pid pid,
                           size_t total_words, size_t limit_words);

/* Milliseconds of a monotonic clock; hibernate_after is measured with it. */
typedef uint64_t (*gh_clock_fn)(void *ctx);

typedef struct gh_runtime_options {
  const gh_allocator *allocator; /* NULL: the C library's malloc */
  gh_kill_fn on_kill;            /* NULL: no callback */
  void *on_kill_ctx;
  gh_clock_fn clock;             /* NULL: CLOCK_MONOTONIC */
  void *clock_ctx;
  /* Collect at every allocation (tests).  Also on when the environment
   * variable GENHEAP_GC_STRESS is set to a non-zero value. */
  bool gc_stress;
  /* Run gh_verify after every collection and fail loudly (GENHEAP_VERIFY). */
  bool verify;
  /* While genheap:census is being recorded, a thread of the runtime takes a
   * census of every process that has waited (gh_wait) half of
   * census_interval_ms, once per wait, and watches how long each process's
   * roots stay unchanged; it looks every tenth of the interval (10 to 100
   * ms).  0, the default: no thread.  The environment variable GENHEAP_CENSUS_MS, which
   * genheap-trace sets, gives a default. */
  uint64_t census_interval_ms;
} gh_runtime_options;

GH_API void gh_runtime_options_init(gh_runtime_options *opts);
GH_API gh_status gh_runtime_new(const gh_runtime_options *opts, gh_runtime **out);
/* Frees every process still alive and every binary; no call may be running. */
GH_API void gh_runtime_free(gh_runtime *rt);
GH_API bool gh_runtime_gc_stress(const gh_runtime *rt);

/* Runtime-wide accounting.  [any thread] */
typedef struct gh_runtime_stats {
  uint64_t processes_alive;
  uint64_t processes_spawned;
  uint64_t processes_killed;  /* by max_heap_size */
  uint64_t heap_words;        /* young + old blocks + fragments, all procs */
  uint64_t binaries_alive;    /* refc binaries not yet freed */
  uint64_t binary_bytes;      /* their payload bytes */
  uint64_t bytes_allocated;   /* bytes currently held from the allocator */
  uint64_t resources_alive;   /* resources not yet destroyed */
  uint64_t resource_bytes;    /* their declared sizes */
} gh_runtime_stats;
GH_API void gh_runtime_stats_get(const gh_runtime *rt, gh_runtime_stats *out);

/* ---- Processes ----------------------------------------------------------- */
typedef struct gh_spawn_options {
  size_t min_heap_size;       /* words; default 233, rounded up to the table */
  size_t min_bin_vheap_size;  /* words; default 46422, rounded up likewise */
  uint32_t fullsweep_after;   /* default 65535; 0: every GC is a full sweep */
  size_t max_heap_size;       /* words; 0 (default): no limit */
  bool max_heap_include_shared_binaries; /* count refc binaries too (OTP 26+) */
  uint64_t hibernate_after_ms; /* 0 (default): never hibernate when idle */
  const char *name;           /* copied; may be NULL */
} gh_spawn_options;

GH_API void gh_spawn_options_init(gh_spawn_options *opts);
/* [any thread] The new process is owned by the calling thread. */
GH_API gh_status gh_spawn(gh_runtime *rt, const gh_spawn_options *opts, gh_proc **out);
/* Ends the process: releases its heaps, its binary and resource references
 * and its unread messages, and frees the handle (also for a killed process).
 * [owner] Concurrent sends to it are safe: they fail with GH_ERR_NOPROC. */
GH_API gh_status gh_exit(gh_proc *p);
GH_API gh_pid gh_self(const gh_proc *p);
GH_API bool gh_is_alive(const gh_proc *p);
GH_API const char *gh_name(const gh_proc *p); /* "" when unnamed */

/* ---- Stack slots: the host's roots --------------------------------------- */
/* A slot >= 0 counts from the bottom (0: the first pushed) and keeps its
 * number until it is popped; a slot < 0 counts from the top, as Lua's
 * indices (-1: the last pushed), so code that pushes its own slots need not
 * know how deep the stack already was.  The stack shares the young block
 * with the heap.  gh_slot_get and gh_slot_set are inline ("Fast paths"). */
GH_API gh_status gh_push(gh_proc *p, gh_term t);              /* [GC] */
GH_API gh_status gh_pop(gh_proc *p, size_t n);
static inline gh_status gh_slot_get(const gh_proc *p, ptrdiff_t slot, gh_term *out);
static inline gh_status gh_slot_set(gh_proc *p, ptrdiff_t slot, gh_term t);
GH_API size_t gh_depth(const gh_proc *p);                     /* slots in use */
/* Builders whose result is pushed (the new slot -1) instead of returned:
 * rooted at once, nothing to go stale.  As gh_cons etc. below.  [GC] */
GH_API gh_status gh_push_cons(gh_proc *p, gh_term head, gh_term tail);
GH_API gh_status gh_push_tuple(gh_proc *p, size_t arity, const gh_term *elems);
GH_API gh_status gh_push_list(gh_proc *p, size_t n, const gh_term *elems);
GH_API gh_status gh_push_binary(gh_proc *p, const void *bytes, size_t size);
GH_API gh_status gh_push_resource(gh_proc *p, const gh_resource_type *type, void *obj,
                                  size_t size);

/* ---- Reserve, then build without collections ----------------------------- */
/* BEAM's compiled code tests the heap once (test_heap), then builds with
 * plain stores (put_list, put_tuple).  Here: gh_reserve makes room for
 * `words` heap words, collecting if it must; terms[0..n) are roots there,
 * updated in place like the slots.  The gh_put_* builders never collect, so
 * what they return and every term held in a C variable stays valid until
 * the next [GC] call.  Words: a cons cell 2, a tuple arity + 1, a float 2,
 * a list 2 per element.  Building past the room still never collects (the
 * words then come from a heap fragment, as BEAM's HAlloc); when even that
 * fails (allocator, dead process) a put builder returns GH_NONE, and so
 * does every later one on that process until its next gh_reserve: check
 * the last term built, or let gh_push or gh_send refuse it with the cause.
 * Put builders check nothing (gh_verify finds a heap built from stale or
 * foreign terms).  Inline (see "Fast paths"). */
static inline gh_status gh_reserve(gh_proc *p, size_t words, gh_term *terms,
                                   size_t n); /* [GC] */
static inline gh_term gh_put_cons(gh_proc *p, gh_term head, gh_term tail);
static inline gh_term gh_put_tuple(gh_proc *p, size_t arity, const gh_term *elems);
static inline gh_term gh_put_list(gh_proc *p, size_t n, const gh_term *elems);
static inline gh_term gh_put_float(gh_proc *p, double value);

/* ---- Building terms, checked [GC]: for one-off terms --------------------- */
static inline gh_status gh_cons(gh_proc *p, gh_term head, gh_term tail,
                               gh_term *out); /* inline, see "Fast paths" */
GH_API gh_status gh_tuple(gh_proc *p, size_t arity, const gh_term *elems,
                   gh_term *out); /* elems may be NULL: all GH_NIL */
GH_API gh_status gh_float(gh_proc *p, double value, gh_term *out);
/* A binary of `size` bytes (copied from `bytes`, or zeroed if NULL).  At most
 * 64 bytes: a heap binary; larger: a shared, reference-counted binary.
 * `bytes` may be this process's own (from gh_binary_data): they are copied
 * before the collection can move or free them. */
GH_API gh_status gh_binary(gh_proc *p, const void *bytes, size_t size, gh_term *out);
/* A slice of `bin` that shares its bytes (a sub-binary; keeps all of a refc
 * binary alive, as in BEAM). */
GH_API gh_status gh_sub_binary(gh_proc *p, gh_term bin, size_t offset, size_t size,
                        gh_term *out);
/* Builds the list of the `n` terms in `elems`, first element at the head. */
GH_API gh_status gh_list(gh_proc *p, size_t n, const gh_term *elems, gh_term *out);

/* ---- Resources: host objects as terms ------------------------------------ */
/* A resource term refers to a host object (a socket, a file, a C struct),
 * as BEAM's NIF resources.  Like a refc binary it is reference-counted and
 * shared: a message carries the reference, not a copy, and each holder
 * counts the `size` bytes the host declares in its virtual binary heap, so
 * holding resources triggers collections as binaries do.  When the last
 * reference dies -- a collection finds its handle dead, or the holding
 * process exits, hibernates or is killed, or the runtime is freed -- the
 * type's destroy(ctx, obj) runs exactly once, on the thread and inside the
 * call that dropped it: it must not call genheap.  The type must outlive its
 * resources; a static const struct is the usual way. */
struct gh_resource_type {
  const char *name;                      /* for traces; may be NULL */
  void (*destroy)(void *ctx, void *obj); /* NULL: nothing to do */
  void *ctx;
};
/* [GC] On any error the host keeps obj (destroy is not called). */
GH_API gh_status gh_resource(gh_proc *p, const gh_resource_type *type, void *obj,
                             size_t size, gh_term *out);
/* The object of a resource of that type; GH_ERR_NOT_A_RESOURCE otherwise. */
GH_API gh_status gh_resource_get(gh_term t, const gh_resource_type *type, void **obj);

/* ---- Collection ---------------------------------------------------------- */
typedef enum gh_gc_kind { GH_GC_MINOR, GH_GC_MAJOR } gh_gc_kind;

/* Why a collection became a full sweep (trace field `reason`). */
typedef enum gh_sweep_reason {
  GH_SWEEP_FULLSWEEP_AFTER = 0, /* fullsweep_after minor GCs reached */
  GH_SWEEP_OLD_HEAP_FULL = 1,   /* mature data does not fit the old heap */
  GH_SWEEP_VHEAP_OVERFLOW = 2,  /* old binary vheap full */
  GH_SWEEP_EXPLICIT = 3,        /* gh_gc(p, GH_GC_MAJOR) */
  GH_SWEEP_HIBERNATE = 4,       /* gh_hibernate or hibernate_after */
  GH_SWEEP_NO_OLD_HEAP = 5      /* no old heap and nothing mature yet */
} gh_sweep_reason;
GH_API const char *gh_sweep_reason_name(gh_sweep_reason reason); /* "explicit"... */
/* As erlang:garbage_collect/2: GH_GC_MAJOR forces a full sweep; GH_GC_MINOR
 * is a minor GC when one is possible (else a full sweep, as BEAM). [GC] */
GH_API gh_status gh_gc(gh_proc *p, gh_gc_kind kind);
/* Full sweep, then shrink the heap to exactly live + stack + reserve words;
 * the old heap is freed.  GH_ERR_PENDING (and nothing done) when a message is
 * waiting.  Unlike erlang:hibernate/3 the stack slots are kept. [GC] */
GH_API gh_status gh_hibernate(gh_proc *p);

/* hibernate_after contract: the owner calls gh_wait(p) when the process
 * starts waiting for work and gh_resume(p) before touching it again.  While
 * it waits, any thread may call gh_runtime_hibernate_idle(); a process that
 * has waited at least its hibernate_after_ms (and has no message) is
 * hibernated then.  gh_resume waits for a hibernation in progress. */
GH_API gh_status gh_wait(gh_proc *p);
GH_API gh_status gh_resume(gh_proc *p);
/* [any thread] Hibernates idle processes; returns how many via *count. */
GH_API gh_status gh_runtime_hibernate_idle(gh_runtime *rt, size_t *count);

/* ---- Messages ------------------------------------------------------------ */
/* Copies `msg` from `from`'s heap into a fragment queued on `to`'s mailbox;
 * refc binaries are shared, not copied.  Messages from one sender arrive
 * in the order sent, and a message is there for the receive that follows
 * the send (in happens-before order).  Takes no lock and, as a rule, no
 * allocation: fragments are carved from the sender's send buffer.
 * [owner of from; any receiver] */
GH_API gh_status gh_send(gh_proc *from, gh_pid to, gh_term msg);
/* Takes the oldest message; GH_ERR_EMPTY if none.  [GC] Its fragment joins
 * the young generation, and when it does not fit the free space (or the
 * binary vheap overflows, or in GC-stress mode) the process collects at
 * once: terms held in C are stale afterwards, and max_heap_size may kill the
 * process (GH_ERR_KILLED).  *out is valid when the call returns; push it to
 * keep it across the next [GC] call. */
GH_API gh_status gh_receive(gh_proc *p, gh_term *out);
/* Messages sent to p and not yet received.  [any thread] */
GH_API size_t gh_message_queue_len(gh_proc *p);

/* ---- Statistics ---------------------------------------------------------- */
/* The GC-info block, written once: gh_gc_info below, the fields of the
 * tracepoints (docs/trace-events.md) and the analyzer's decoder are all
 * expanded from this list, so they cannot drift apart.  The first eleven
 * are BEAM's garbage_collection_info, same meaning and unit (words);
 * genheap's counters (since spawn) follow.  X(type, name). */
#define GH_GC_INFO_FIELDS(X)                                                    \
  X(size_t, old_heap_block_size)   /* old heap block (0: none) */               \
  X(size_t, heap_block_size)       /* young block, stack included */            \
  X(size_t, mbuf_size)             /* received fragments not yet merged */      \
  X(size_t, recent_size)           /* survived the previous GC */               \
  X(size_t, stack_size)            /* slots plus the bottom frame */            \
  X(size_t, old_heap_size)         /* used words of the old heap */             \
  X(size_t, heap_size)             /* used words of the young heap */           \
  X(size_t, bin_vheap_size)        /* refc-binary words, young generation */    \
  X(size_t, bin_vheap_block_size)                                               \
  X(size_t, bin_old_vheap_size)    /* refc-binary words, old heap */            \
  X(size_t, bin_old_vheap_block_size)                                           \
  X(uint64_t, minor_gcs)           /* completed minor collections */            \
  X(uint64_t, full_sweeps)         /* completed full sweeps (hibernate too) */  \
  X(uint64_t, hibernations)                                                     \
  X(uint64_t, words_promoted)      /* copied to the old heap by minor GCs */    \
  X(uint64_t, words_reclaimed)     /* sum of the words each GC did not keep */  \
  X(uint64_t, gen_gcs)             /* minor GCs since the last full sweep */    \
  X(uint64_t, message_queue_len)                                                \
  X(uint64_t, refc_binaries)       /* off-heap list: ProcBins and resources */

/* [owner] */
typedef struct gh_gc_info {
#define GH_GC_INFO_MEMBER_(type, name) type name;
  GH_GC_INFO_FIELDS(GH_GC_INFO_MEMBER_)
#undef GH_GC_INFO_MEMBER_
} gh_gc_info;

GH_API gh_status gh_proc_info(const gh_proc *p, gh_gc_info *out);
/* heap_block_size + old_heap_block_size + mbuf_size, as total_heap_size. */
GH_API size_t gh_total_heap_size(const gh_proc *p);

/* ---- Census: what is live, measured without collecting ------------------- */
/* A mark-only pass from the stack slots counts what a full sweep would keep,
 * per generation, and which refc-binary words are still referenced.  Nothing
 * moves: heap sizes, counters and the off-heap list are as before; only a
 * mark bitmap and a work stack are borrowed from the allocator (GH_ERR_NOMEM).
 * `*_size - *_live` is what a full sweep would free now: garbage the old heap
 * keeps until its next sweep is `old_size - old_live`.  Young includes
 * received fragments not yet merged.  Traced as genheap:census (with the
 * GC-info block) when recorded.  X(name). */
#define GH_CENSUS_FIELDS(X)                                                     \
  X(young_size)       /* heap_size + mbuf_size */                               \
  X(young_live)                                                                 \
  X(old_size)         /* old_heap_size */                                       \
  X(old_live)                                                                   \
  X(bin_young_size)   /* bin_vheap_size: refc-binary words, young ProcBins */   \
  X(bin_young_live)                                                             \
  X(bin_old_size)     /* bin_old_vheap_size: refc-binary words, old ProcBins */ \
  X(bin_old_live)

typedef struct gh_census_info {
#define GH_CENSUS_MEMBER_(name) size_t name;
  GH_CENSUS_FIELDS(GH_CENSUS_MEMBER_)
#undef GH_CENSUS_MEMBER_
} gh_census_info;

/* Who asked for a census (trace field `trigger`). */
typedef enum gh_census_trigger {
  GH_CENSUS_EXPLICIT = 0,    /* gh_census */
  GH_CENSUS_IDLE = 1,        /* gh_runtime_census_idle */
  GH_CENSUS_EXIT = 2,        /* gh_exit, while recording (old heap or binaries held) */
  GH_CENSUS_RUNTIME_END = 3, /* gh_runtime_free, for every live process, while recording */
  GH_CENSUS_RECORDER = 4     /* the runtime's census thread (census_interval_ms) */
} gh_census_trigger;
GH_API const char *gh_census_trigger_name(gh_census_trigger trigger); /* "idle"... */

/* [owner] Never collects: terms in C variables stay valid. */
GH_API gh_status gh_census(gh_proc *p, gh_census_info *out);
/* [any thread] A census of every process that has waited (gh_wait) for at
 * least min_wait_ms and has not been counted since it started waiting: its
 * heap cannot change while it waits, so one census per wait is enough.
 * Returns how many via *count (may be NULL). */
GH_API gh_status gh_runtime_census_idle(gh_runtime *rt, uint64_t min_wait_ms,
                                        size_t *count);

/* ---- Debugging ----------------------------------------------------------- */
/* Checks the heap invariants: every pointer stays within the process's own
 * heaps or fragments, nothing on the old heap points into the young
 * generation, and the off-heap list is consistent.  GH_OK or GH_ERR_BADARG,
 * with a description in `why` (may be NULL). */
GH_API gh_status gh_verify(const gh_proc *p, char *why, size_t why_size);
/* Checks any word as a term of p: GH_OK for an immediate value or a pointer
 * to the start of a term on p's heaps (young, old, received fragments);
 * GH_ERR_FOREIGN_TERM for a word-aligned pointer anywhere else; GH_ERR_BADARG
 * for the rest (a header word, a misaligned or interior pointer).  Reads only
 * p's memory; takes time proportional to p's heap. */
GH_API gh_status gh_verify_term(const gh_proc *p, gh_term t);

/* BEAM's heap-size table (erlang:system_info(heap_sizes) on 64-bit). */
GH_API size_t gh_heap_sizes_count(void);
GH_API size_t gh_heap_size_at(size_t index); /* 0 when index is out of range */
/* The smallest table size >= words, `offset` steps further, as
 * erts_next_heap_size; 0 when beyond the table. */
GH_API size_t gh_next_heap_size(size_t words, unsigned offset);

/* ---- Fast paths ------------------------------------------------------------ */
/* The first words of every gh_proc.  The inline functions below read them
 * (and gh_cons and the put builders bump htop) so that the common case costs
 * no call; anything else -- a collection, an argument on the old heap or in a
 * fragment, an error, GC-stress mode -- goes to the exported *_slow function,
 * which checks everything.  The host must not write these fields.  Their
 * layout is part of the ABI of this major version. */
typedef struct gh_proc_fast {
  gh_term *heap;  /* start of the young block */
  gh_term *htop;  /* next free word: [heap, htop) holds young terms */
  gh_term *limit; /* htop may reach limit without a collection */
  gh_term *stop;  /* top of the stack: the last slot pushed */
  gh_term *hend;  /* end of the young block; hend[-1] is the bottom frame */
  /* Slot overwrites and pops (the only ways a root is dropped): read by the
   * runtime's census thread, which learns from it how long a process's
   * roots, and so its garbage, have stayed as they are. */
  uint64_t root_writes;
} gh_proc_fast;

/* Counts a root write; an atomic store because the census thread reads it,
 * but a plain one on the usual targets (only the owner writes it). */
static inline void gh__count_root_write(gh_proc_fast *f) {
#if defined(__GNUC__)
  __atomic_store_n(&f->root_writes, f->root_writes + 1, __ATOMIC_RELAXED);
#else
  f->root_writes++;
#endif
}

GH_API gh_status gh_cons_slow(gh_proc *p, gh_term head, gh_term tail, gh_term *out);
GH_API gh_status gh_slot_get_slow(const gh_proc *p, ptrdiff_t slot, gh_term *out);
GH_API gh_status gh_slot_set_slow(gh_proc *p, ptrdiff_t slot, gh_term t);
GH_API gh_status gh_reserve_slow(gh_proc *p, size_t words, gh_term *terms, size_t n);
/* `words` words for a put builder, never collecting: the young heap's free
 * room (also in GC-stress mode), else a heap fragment; NULL when neither. */
GH_API gh_term *gh_put_slow(gh_proc *p, size_t words);

/* An argument the fast paths accept: an immediate value, or a word-aligned
 * list or boxed pointer into the young heap (a dead process has none). */
static inline bool gh__fast_arg(const gh_proc_fast *f, gh_term t) {
  if ((t & 0x3) == 0x3)
    return (t & 0xF) == 0xF || (t & 0xF) == 0x7 || (t & 0x3F) == 0x0B || t == GH_NIL;
  uintptr_t x = (uintptr_t)(t & ~(gh_term)0x3);
  unsigned low3 = (unsigned)(t & 0x7); /* tag 01 or 10, address bit 2 clear */
  return (low3 == 1 || low3 == 2) && x >= (uintptr_t)f->heap && x < (uintptr_t)f->htop;
}

/* Slots in use, computed without pointer arithmetic on a dead (NULL) stack. */
static inline size_t gh__fast_depth(const gh_proc_fast *f) {
  uintptr_t words = ((uintptr_t)f->hend - (uintptr_t)f->stop) / sizeof(gh_term);
  return words ? (size_t)words - 1 : 0;
}

static inline gh_status gh_cons(gh_proc *p, gh_term head, gh_term tail, gh_term *out) {
  gh_proc_fast *f = (gh_proc_fast *)p;
  if (p && out && (uintptr_t)f->htop + 2 * sizeof(gh_term) <= (uintptr_t)f->limit &&
      gh__fast_arg(f, head) && gh__fast_arg(f, tail)) {
    gh_term *cell = f->htop;
    f->htop = cell + 2;
    cell[0] = head;
    cell[1] = tail;
    *out = (gh_term)(uintptr_t)cell | 0x1;
    return GH_OK;
  }
  return gh_cons_slow(p, head, tail, out);
}

/* Slot `slot` (negative: from the top) as a count from the bottom; a slot
 * out of range gives depth or more. */
static inline size_t gh__fast_slot(const gh_proc_fast *f, ptrdiff_t slot) {
  size_t depth = gh__fast_depth(f), back = (size_t)0 - (size_t)slot; /* -slot */
  return slot >= 0 ? (size_t)slot : back <= depth ? depth - back : depth;
}

static inline gh_status gh_slot_get(const gh_proc *p, ptrdiff_t slot, gh_term *out) {
  const gh_proc_fast *f = (const gh_proc_fast *)p;
  size_t i;
  if (p && out && (i = gh__fast_slot(f, slot)) < gh__fast_depth(f)) {
    *out = f->hend[-2 - (ptrdiff_t)i];
    return GH_OK;
  }
  return gh_slot_get_slow(p, slot, out);
}

static inline gh_status gh_slot_set(gh_proc *p, ptrdiff_t slot, gh_term t) {
  gh_proc_fast *f = (gh_proc_fast *)p;
  size_t i;
  if (p && (i = gh__fast_slot(f, slot)) < gh__fast_depth(f) && gh__fast_arg(f, t)) {
    gh_term *w = &f->hend[-2 - (ptrdiff_t)i];
    if (*w != t) /* writing what it holds drops nothing */
      gh__count_root_write(f);
    *w = t;
    return GH_OK;
  }
  return gh_slot_set_slow(p, slot, t);
}

/* Room for `words` more words below limit (words < 2^40: the sum cannot
 * wrap).  limit may be below htop (GC-stress mode) or 0 (a dead process):
 * then there is no room for even one word. */
static inline bool gh__fast_room(const gh_proc_fast *f, size_t words) {
  return words < ((size_t)1 << 40) &&
         (uintptr_t)f->htop + words * sizeof(gh_term) <= (uintptr_t)f->limit;
}

static inline gh_status gh_reserve(gh_proc *p, size_t words, gh_term *terms, size_t n) {
  gh_proc_fast *f = (gh_proc_fast *)p;
  if (p && (terms || !n) && f->htop < f->limit && gh__fast_room(f, words)) {
    size_t i = 0;
    while (i < n && gh__fast_arg(f, terms[i]))
      i++;
    if (i == n)
      return GH_OK;
  }
  return gh_reserve_slow(p, words, terms, n);
}

/* The put builders' allocation: a bump below limit, or gh_put_slow. */
static inline gh_term *gh__put_words(gh_proc *p, size_t words) {
  gh_proc_fast *f = (gh_proc_fast *)p;
  if (p && gh__fast_room(f, words)) {
    gh_term *w = f->htop;
#if defined(__GNUC__)
    if (!w) /* never (room below limit): lets the builder drop its NULL test */
      __builtin_unreachable();
#endif
    f->htop = w + words;
    return w;
  }
  return gh_put_slow(p, words);
}

static inline gh_term gh_put_cons(gh_proc *p, gh_term head, gh_term tail) {
  gh_term *cell = gh__put_words(p, 2);
  if (!cell)
    return GH_NONE;
  cell[0] = head;
  cell[1] = tail;
  return (gh_term)(uintptr_t)cell | 0x1;
}

static inline gh_term gh_put_tuple(gh_proc *p, size_t arity, const gh_term *elems) {
  gh_term *obj = arity < ((size_t)1 << 40) ? gh__put_words(p, arity + 1) : NULL;
  if (!obj)
    return GH_NONE;
  obj[0] = (gh_term)arity << 6; /* header: tuple */
  for (size_t i = 0; i < arity; i++)
    obj[1 + i] = elems[i];
  return (gh_term)(uintptr_t)obj | 0x2;
}

static inline gh_term gh_put_list(gh_proc *p, size_t n, const gh_term *elems) {
  if (n == 0)
    return GH_NIL;
  gh_term *cells = n < ((size_t)1 << 40) ? gh__put_words(p, 2 * n) : NULL;
  if (!cells)
    return GH_NONE;
  for (size_t i = 0; i < n; i++) {
    cells[2 * i] = elems[i];
    cells[2 * i + 1] =
        i + 1 < n ? ((gh_term)(uintptr_t)(cells + 2 * i + 2) | 0x1) : GH_NIL;
  }
  return (gh_term)(uintptr_t)cells | 0x1;
}

static inline gh_term gh_put_float(gh_proc *p, double value) {
  gh_term *obj = gh__put_words(p, 2);
  if (!obj)
    return GH_NONE;
  union { double d; gh_term w; } bits;
  bits.d = value;
  obj[0] = (gh_term)1 << 6 | (gh_term)6 << 2; /* header: float, arity 1 */
  obj[1] = bits.w;
  return (gh_term)(uintptr_t)obj | 0x2;
}

#ifdef __cplusplus
}
#endif
#endif /* GENHEAP_H */
