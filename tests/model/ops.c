/* ops.c -- the operation engine: genheap and a reference model, in step.
 *
 * The model is deliberately naive so that it is obviously right: a term is a
 * reference-counted, immutable tree of malloc'ed nodes (mterm); a process is
 * an array of root slots and a queue of messages (mproc); a refc binary is an
 * integer identity carried by every binary node made from it, including
 * slices and copies sent to other processes.  Sending shares the sender's
 * model tree, since terms are immutable: what must agree is the structure,
 * not the addresses.
 *
 * Checks after every step (check_all):
 *  - each live process's depth, every root slot (walked structurally against
 *    the model tree), its mailbox length, and gh_verify;
 *  - processes_alive, and binaries_alive within bounds: at least the number
 *    of distinct refc binaries reachable from a root or a queued message, at
 *    most those plus every binary made since the last sweep of all processes
 *    (garbage may still hold those).  After a full sweep of every process
 *    (op_sweep_all) the count must be exact, and the binaries it found dead
 *    must stay dead.
 *  - resources: a host object per resource counts its destructions; one
 *    reachable from a root or a queued message is never destroyed, none is
 *    destroyed twice, resources_alive is the number not yet destroyed, and
 *    after a full sweep of every process (and at the end) each unreachable
 *    one has been destroyed exactly once.
 * engine_finish exits every process and checks that nothing is left: no
 * binary, no resource, no heap word, no byte held from the allocator once
 * the runtime is freed (a counting allocator that also checks every free's
 * size).
 *
 * The rule of the API that the engine obeys: a gh_term in a C variable is
 * stale after any [GC] call, so every term is read from its slot right before
 * the call that uses it, and a result is pushed (or stored in a slot) before
 * the next [GC] call.  Reserved builds (op_reserve_build) are the exception
 * the API makes: terms passed to gh_reserve come back updated, and terms
 * built by the put builders stay valid in C variables until the next [GC]
 * call -- the engine checks that no collection happens in between and that
 * every term it built still matches its model afterwards.
 */
#include "ops.h"

#include "genheap.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Choices ------------------------------------------------------------- */

void choice_from_seed(choice_src *src, uint64_t seed) {
  memset(src, 0, sizeof *src);
  src->rng = seed * 0x9E3779B97F4A7C15u + 0x632BE59BD9B4E019u;
  if (!src->rng)
    src->rng = 1;
}

void choice_from_bytes(choice_src *src, const uint8_t *bytes, size_t len) {
  memset(src, 0, sizeof *src);
  src->from_bytes = true;
  src->bytes = bytes;
  src->len = len;
}

static uint64_t xorshift64(uint64_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

/* A number in [0, n).  Byte mode reads one byte (two when n > 256), so that
 * a fuzzer's mutation of one byte changes one decision. */
static unsigned pick(choice_src *s, unsigned n) {
  if (n <= 1)
    return 0;
  if (!s->from_bytes)
    return (unsigned)(xorshift64(&s->rng) % n);
  unsigned v = 0;
  for (unsigned b = 0; b < (n > 256 ? 2u : 1u); b++) {
    if (s->pos >= s->len) {
      s->exhausted = true;
      return 0;
    }
    v = (v << 8) | s->bytes[s->pos++];
  }
  return v % n;
}

static uint64_t pick_bits64(choice_src *s) {
  uint64_t v = 0;
  for (int i = 0; i < 4; i++)
    v = (v << 16) | pick(s, 65536);
  return v;
}

/* ---- A counting allocator that checks every free's size ----------------- */

typedef struct counting_alloc {
  size_t outstanding_bytes;
  size_t size_mismatches; /* frees or reallocs given the wrong size */
} counting_alloc;

#define ALLOC_HEADER 16 /* keeps the payload 16-byte aligned */

static void *count_alloc(void *ctx, size_t bytes) {
  counting_alloc *c = ctx;
  uint8_t *raw = malloc(ALLOC_HEADER + bytes);
  if (!raw)
    return NULL;
  memcpy(raw, &bytes, sizeof bytes);
  c->outstanding_bytes += bytes;
  return raw + ALLOC_HEADER;
}

static void count_free(void *ctx, void *ptr, size_t bytes) {
  counting_alloc *c = ctx;
  if (!ptr)
    return;
  uint8_t *raw = (uint8_t *)ptr - ALLOC_HEADER;
  size_t recorded;
  memcpy(&recorded, raw, sizeof recorded);
  if (recorded != bytes)
    c->size_mismatches++;
  c->outstanding_bytes -= recorded;
  free(raw);
}

static void *count_realloc(void *ctx, void *ptr, size_t old_bytes, size_t new_bytes) {
  void *n = count_alloc(ctx, new_bytes);
  if (!n)
    return NULL;
  if (ptr) {
    memcpy(n, ptr, old_bytes < new_bytes ? old_bytes : new_bytes);
    count_free(ctx, ptr, old_bytes);
  }
  return n;
}

/* ---- Model terms ----------------------------------------------------------- */

typedef enum mkind {
  MK_SMALL, MK_ATOM, MK_NIL, MK_PID, MK_CONS, MK_TUPLE, MK_FLOAT, MK_BIN, MK_RES
} mkind;

/* The host object of a resource: counts the destructor's calls. */
typedef struct res_obj {
  long id;
  unsigned destroyed;
} res_obj;

static void res_destroy(void *ctx, void *obj) { ((res_obj *)obj)->destroyed++; }
static const gh_resource_type model_type = {"model", res_destroy, NULL};

typedef struct mterm {
  unsigned refs;
  mkind kind;
  size_t nodes;        /* tree size, sharing expanded: what a send copies */
  bool has_refc;       /* a refc binary or a resource somewhere below: the
                          binary walks skip the subtrees without one */
  int64_t ival;        /* small value, atom index, pid */
  uint64_t fbits;      /* a float's bits, compared exactly (NaN included) */
  size_t arity;        /* cons: 2 */
  struct mterm **kids; /* cons: head, tail; tuple: elements */
  uint8_t *bytes;      /* binary payload (a slice has its own copy) */
  size_t size;
  long bin_id;         /* the refc binary behind it; -1: heap binary */
  res_obj *res;        /* a resource's host object */
} mterm;

static mterm *m_new(mkind kind) {
  mterm *m = calloc(1, sizeof *m);
  if (!m)
    abort(); /* the model itself out of memory: not genheap's failure */
  m->refs = 1;
  m->kind = kind;
  m->nodes = 1;
  m->bin_id = -1;
  return m;
}

static mterm *m_retain(mterm *m) {
  m->refs++;
  return m;
}

static void m_release(mterm *m) {
  if (!m || --m->refs)
    return;
  for (size_t i = 0; i < m->arity; i++)
    m_release(m->kids[i]);
  free(m->kids);
  free(m->bytes);
  free(m);
}

static mterm *m_imm(mkind kind, int64_t v) {
  mterm *m = m_new(kind);
  m->ival = v;
  return m;
}

/* Takes over the references in kids. */
static mterm *m_compound(mkind kind, size_t arity, mterm **kids) {
  mterm *m = m_new(kind);
  m->arity = arity;
  m->kids = calloc(arity ? arity : 1, sizeof *m->kids);
  if (!m->kids)
    abort();
  for (size_t i = 0; i < arity; i++) {
    m->kids[i] = kids[i];
    m->nodes += kids[i]->nodes;
    m->has_refc |= kids[i]->has_refc;
  }
  return m;
}

static mterm *m_binary(const uint8_t *bytes, size_t size, long bin_id) {
  mterm *m = m_new(MK_BIN);
  m->bytes = malloc(size ? size : 1);
  if (!m->bytes)
    abort();
  if (size)
    memcpy(m->bytes, bytes, size);
  m->size = size;
  m->bin_id = bin_id;
  m->has_refc = bin_id >= 0;
  return m;
}

static bool m_is_boxed(const mterm *m) {
  return m->kind == MK_CONS || m->kind == MK_TUPLE || m->kind == MK_FLOAT ||
         m->kind == MK_BIN || m->kind == MK_RES;
}

/* ---- Model processes ------------------------------------------------------- */

enum hib_flag { HIB_CLEAR, HIB_SET, HIB_UNKNOWN };

typedef struct mproc {
  gh_proc *h;
  gh_pid pid;
  mterm **slots;
  size_t depth, slots_cap;
  mterm **mbox; /* queued messages, oldest first */
  size_t mlen, mbox_cap;
  uint64_t hibernate_after_ms;
  bool waiting;
  uint64_t wait_since_ms;
  /* genheap's "already hibernated" mark: set by a hibernation, cleared by
   * any collection or gh_resume.  An allocation may or may not collect, so
   * after one the model only knows HIB_UNKNOWN. */
  enum hib_flag hib;
} mproc;

#define MAX_PROCS_CAP 16
#define DEAD_PIDS 8

struct engine {
  engine_options opt;
  counting_alloc counter;
  gh_allocator allocator;
  gh_runtime *rt;
  uint64_t now_ms; /* the injected clock */
  mproc procs[MAX_PROCS_CAP];
  size_t nprocs;
  gh_pid dead[DEAD_PIDS]; /* recently exited pids: sends must say NOPROC */
  size_t ndead;
  /* Refc binaries by identity: made, and not yet proven freed. */
  uint8_t *bin_maybe_alive;
  uint32_t *bin_mark; /* epoch stamps for counting the reachable ones */
  uint32_t epoch;
  size_t nbins, bins_cap;
  /* Resources by identity, with the epoch each was last found reachable. */
  res_obj **res;
  uint32_t *res_mark;
  size_t nres, res_cap;
  uint64_t steps;
  engine_coverage cov;
  const char *op_name;
  char why[512];
};

static bool fail(engine *e, const char *fmt, ...) {
  int n = snprintf(e->why, sizeof e->why, "step %" PRIu64 " (%s): ", e->steps,
                   e->op_name ? e->op_name : "-");
  va_list ap;
  va_start(ap, fmt);
  if (n > 0 && (size_t)n < sizeof e->why)
    vsnprintf(e->why + n, sizeof e->why - (size_t)n, fmt, ap);
  va_end(ap);
  return false;
}

static bool expect(engine *e, gh_status got, gh_status want, const char *call) {
  if (got == want)
    return true;
  return fail(e, "%s returned %s, expected %s", call, gh_strerror(got),
              gh_strerror(want));
}

static void say(engine *e, const char *fmt, ...) {
  if (!e->opt.verbose)
    return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "  [%" PRIu64 "] ", e->steps);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static void grow(void **arr, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap)
    return;
  size_t n = *cap ? *cap * 2 : 8;
  while (n < need)
    n *= 2;
  void *a = realloc(*arr, n * elem);
  if (!a)
    abort();
  memset((char *)a + *cap * elem, 0, (n - *cap) * elem);
  *arr = a;
  *cap = n;
}

static long new_bin_id(engine *e) {
  grow((void **)&e->bin_maybe_alive, &e->bins_cap, e->nbins + 1, 1);
  /* bin_mark grows alongside, to the same capacity */
  e->bin_mark = realloc(e->bin_mark, e->bins_cap * sizeof *e->bin_mark);
  if (!e->bin_mark)
    abort();
  e->bin_mark[e->nbins] = 0;
  e->bin_maybe_alive[e->nbins] = 1;
  return (long)e->nbins++;
}

static res_obj *new_res(engine *e) {
  size_t cap = e->res_cap;
  grow((void **)&e->res, &e->res_cap, e->nres + 1, sizeof *e->res);
  if (e->res_cap != cap) {
    e->res_mark = realloc(e->res_mark, e->res_cap * sizeof *e->res_mark);
    if (!e->res_mark)
      abort();
  }
  res_obj *o = calloc(1, sizeof *o);
  if (!o)
    abort();
  o->id = (long)e->nres;
  e->res_mark[e->nres] = 0;
  e->res[e->nres++] = o;
  return o;
}

static void model_push(mproc *p, mterm *m) {
  grow((void **)&p->slots, &p->slots_cap, p->depth + 1, sizeof *p->slots);
  p->slots[p->depth++] = m;
}

static void model_enqueue(mproc *p, mterm *m) {
  grow((void **)&p->mbox, &p->mbox_cap, p->mlen + 1, sizeof *p->mbox);
  p->mbox[p->mlen++] = m;
}

static mterm *model_dequeue(mproc *p) {
  mterm *m = p->mbox[0];
  memmove(p->mbox, p->mbox + 1, (p->mlen - 1) * sizeof *p->mbox);
  p->mlen--;
  return m;
}

/* An allocation may have collected (and so cleared the hibernated mark). */
static void may_have_collected(mproc *p) {
  if (p->hib == HIB_SET)
    p->hib = HIB_UNKNOWN;
}

/* ---- Comparing a genheap term with a model term ------------------------------- */

static bool matches(gh_term t, const mterm *m);

static bool binary_matches(gh_term t, const mterm *m) {
  const uint8_t *bytes;
  size_t size;
  if (gh_binary_data(t, &bytes, &size) != GH_OK)
    return false;
  return size == m->size && (size == 0 || memcmp(bytes, m->bytes, size) == 0);
}

static bool tuple_matches(gh_term t, const mterm *m) {
  if (gh_tuple_arity(t) != m->arity)
    return false;
  for (size_t i = 0; i < m->arity; i++)
    if (!matches(gh_tuple_element(t, i), m->kids[i]))
      return false;
  return true;
}

/* Walks both trees; list tails iteratively, so long lists cost no stack. */
static bool matches(gh_term t, const mterm *m) {
  for (;;) {
    gh_type ty = gh_typeof(t);
    switch (m->kind) {
    case MK_SMALL:
      return ty == GH_T_SMALL && gh_small_value(t) == m->ival;
    case MK_ATOM:
      return ty == GH_T_ATOM && gh_atom_index(t) == (uint32_t)m->ival;
    case MK_NIL:
      return ty == GH_T_NIL;
    case MK_PID:
      return ty == GH_T_PID && gh_pid_value(t) == (gh_pid)m->ival;
    case MK_FLOAT: {
      if (ty != GH_T_FLOAT)
        return false;
      double d = gh_float_value(t);
      uint64_t bits;
      memcpy(&bits, &d, sizeof bits);
      return bits == m->fbits;
    }
    case MK_BIN:
      return ty == GH_T_BINARY && binary_matches(t, m);
    case MK_RES: {
      void *obj;
      return ty == GH_T_RESOURCE && gh_resource_get(t, &model_type, &obj) == GH_OK &&
             obj == m->res;
    }
    case MK_TUPLE:
      return ty == GH_T_TUPLE && tuple_matches(t, m);
    case MK_CONS:
      if (ty != GH_T_CONS || !matches(gh_car(t), m->kids[0]))
        return false;
      t = gh_cdr(t);
      m = m->kids[1];
      continue;
    }
    return false;
  }
}

/* ---- Binary accounting --------------------------------------------------------- */

static void mark_bins(engine *e, const mterm *m) {
  while (m && m->has_refc) {
    if (m->kind == MK_BIN) {
      e->bin_mark[m->bin_id] = e->epoch;
      return;
    }
    if (m->kind == MK_RES) {
      e->res_mark[m->res->id] = e->epoch;
      return;
    }
    for (size_t i = 0; i + 1 < m->arity; i++)
      mark_bins(e, m->kids[i]);
    m = m->arity ? m->kids[m->arity - 1] : NULL;
  }
}

/* Distinct refc binaries reachable from a root or a queued message (and,
 * stamped with the same epoch, the reachable resources). */
static size_t count_reachable_bins(engine *e) {
  e->epoch++;
  for (size_t i = 0; i < e->nprocs; i++) {
    mproc *p = &e->procs[i];
    for (size_t s = 0; s < p->depth; s++)
      mark_bins(e, p->slots[s]);
    for (size_t q = 0; q < p->mlen; q++)
      mark_bins(e, p->mbox[q]);
  }
  size_t n = 0;
  for (size_t b = 0; b < e->nbins; b++)
    n += e->bin_mark[b] == e->epoch;
  return n;
}

static size_t count_maybe_alive(const engine *e) {
  size_t n = 0;
  for (size_t b = 0; b < e->nbins; b++)
    n += e->bin_maybe_alive[b];
  return n;
}

static bool check_binaries(engine *e, bool exact) {
  gh_runtime_stats st;
  gh_runtime_stats_get(e->rt, &st);
  size_t lo = count_reachable_bins(e);
  size_t hi = exact ? lo : count_maybe_alive(e);
  if (st.binaries_alive < lo || st.binaries_alive > hi)
    return fail(e, "binaries_alive %" PRIu64 ", model expects %s%zu..%zu",
                st.binaries_alive, exact ? "exactly " : "", lo, hi);
  e->cov.exact_binary_checks += exact;
  if (exact) /* the unreachable ones are freed, for good */
    for (size_t b = 0; b < e->nbins; b++)
      e->bin_maybe_alive[b] = e->bin_mark[b] == e->epoch;
  return true;
}

/* Resources, with the marks count_reachable_bins just made: a reachable
 * one is not destroyed, none twice; after a sweep of all (exact) every
 * unreachable one once.  resources_alive counts the others, always. */
static bool check_resources(engine *e, bool exact) {
  uint64_t undestroyed = 0;
  for (size_t r = 0; r < e->nres; r++) {
    unsigned d = e->res[r]->destroyed;
    bool reachable = e->res_mark[r] == e->epoch;
    if (d > 1 || (reachable && d) || (exact && !reachable && d != 1))
      return fail(e, "resource %zu destroyed %u times, %s", r, d,
                  reachable ? "still reachable" : "unreachable");
    undestroyed += d == 0;
  }
  gh_runtime_stats st;
  gh_runtime_stats_get(e->rt, &st);
  if (st.resources_alive != undestroyed)
    return fail(e, "resources_alive %" PRIu64 ", but %" PRIu64 " not destroyed",
                st.resources_alive, undestroyed);
  return true;
}

/* ---- Checks after every step ------------------------------------------------------ */

static bool check_proc(engine *e, mproc *p) {
  char why[256] = "";
  if (!gh_is_alive(p->h))
    return fail(e, "pid %" PRIu64 " is dead", p->pid);
  if (gh_verify(p->h, why, sizeof why) != GH_OK)
    return fail(e, "gh_verify(pid %" PRIu64 "): %s", p->pid, why);
  if (gh_depth(p->h) != p->depth)
    return fail(e, "pid %" PRIu64 ": depth %zu, model %zu", p->pid,
                gh_depth(p->h), p->depth);
  for (size_t s = 0; s < p->depth; s++) {
    gh_term t;
    if (gh_slot_get(p->h, s, &t) != GH_OK || !matches(t, p->slots[s]))
      return fail(e, "pid %" PRIu64 " slot %zu differs from the model", p->pid, s);
  }
  if (gh_message_queue_len(p->h) != p->mlen)
    return fail(e, "pid %" PRIu64 ": %zu messages queued, model %zu", p->pid,
                gh_message_queue_len(p->h), p->mlen);
  return true;
}

static bool check_all(engine *e) {
  for (size_t i = 0; i < e->nprocs; i++)
    if (!check_proc(e, &e->procs[i]))
      return false;
  gh_runtime_stats st;
  gh_runtime_stats_get(e->rt, &st);
  if (st.processes_alive != e->nprocs)
    return fail(e, "processes_alive %" PRIu64 ", model %zu", st.processes_alive,
                e->nprocs);
  if (e->counter.size_mismatches)
    return fail(e, "genheap freed a block with the wrong size");
  return check_binaries(e, false) && check_resources(e, false);
}

/* ---- Picking processes, slots and arguments ---------------------------------------- */

static mproc *pick_proc(engine *e, choice_src *s) {
  return e->nprocs ? &e->procs[pick(s, (unsigned)e->nprocs)] : NULL;
}

/* The owner must gh_resume a waiting process before touching it. */
static bool resume_if_waiting(engine *e, mproc *p) {
  if (!p->waiting)
    return true;
  say(e, "resume pid %" PRIu64 " (before use)", p->pid);
  p->waiting = false;
  p->hib = HIB_CLEAR;
  return expect(e, gh_resume(p->h), GH_OK, "gh_resume");
}

/* A process to operate on, resumed; NULL (and no failure) when none. */
static mproc *pick_owned(engine *e, choice_src *s, bool *ok) {
  mproc *p = pick_proc(e, s);
  *ok = !p || resume_if_waiting(e, p);
  return *ok ? p : NULL;
}

/* An argument: a fresh immediate, or the term in one of p's slots (read now:
 * valid until the next [GC] call). */
typedef struct arg {
  gh_term t;
  mterm *m; /* one reference, owned by the arg */
} arg;

static int64_t pick_small(choice_src *s) {
  switch (pick(s, 4)) {
  case 0:
    return GH_SMALL_MIN;
  case 1:
    return GH_SMALL_MAX;
  default:
    return (int64_t)pick(s, 2000) - 1000;
  }
}

static arg immediate_arg(engine *e, choice_src *s) {
  arg a;
  switch (pick(s, 4)) {
  case 0: {
    int64_t v = pick_small(s);
    a.t = gh_small(v);
    a.m = m_imm(MK_SMALL, v);
    break;
  }
  case 1: {
    uint32_t idx = pick(s, 3) ? pick(s, 50) : UINT32_MAX - pick(s, 3);
    a.t = gh_atom(idx);
    a.m = m_imm(MK_ATOM, idx);
    break;
  }
  case 2: {
    gh_pid pid = e->nprocs ? e->procs[pick(s, (unsigned)e->nprocs)].pid : 1;
    a.t = gh_pid_term(pid);
    a.m = m_imm(MK_PID, (int64_t)pid);
    break;
  }
  default:
    a.t = GH_NIL;
    a.m = m_new(MK_NIL);
  }
  return a;
}

static bool slot_arg(engine *e, mproc *p, size_t slot, arg *a) {
  if (!expect(e, gh_slot_get(p->h, slot, &a->t), GH_OK, "gh_slot_get"))
    return false;
  a->m = m_retain(p->slots[slot]);
  return true;
}

/* A slot in use, named by its number or, as often, relative to the top. */
static ptrdiff_t pick_slot_index(choice_src *s, const mproc *p, size_t slot) {
  return pick(s, 2) ? (ptrdiff_t)slot : (ptrdiff_t)slot - (ptrdiff_t)p->depth;
}

static bool pick_arg(engine *e, choice_src *s, mproc *p, arg *a) {
  if (p->depth && pick(s, 4) != 0) {
    size_t slot = pick(s, (unsigned)p->depth);
    if (!expect(e, gh_slot_get(p->h, pick_slot_index(s, p, slot), &a->t), GH_OK,
                "gh_slot_get"))
      return false;
    a->m = m_retain(p->slots[slot]);
    return true;
  }
  *a = immediate_arg(e, s);
  return true;
}

/* Keeps a fresh result as a root: pushed, or over a random slot when the
 * stack is at its limit.  Takes over m's reference. */
static bool keep(engine *e, choice_src *s, mproc *p, gh_term t, mterm *m) {
  if (p->depth < e->opt.max_depth) {
    may_have_collected(p);
    model_push(p, m);
    return expect(e, gh_push(p->h, t), GH_OK, "gh_push");
  }
  size_t slot = pick(s, (unsigned)p->depth);
  m_release(p->slots[slot]);
  p->slots[slot] = m;
  return expect(e, gh_slot_set(p->h, slot, t), GH_OK, "gh_slot_set");
}

/* The end of every build operation: the call must succeed; then the result
 * joins a root slot alongside its model term (which is dropped otherwise). */
static bool keep_built(engine *e, choice_src *s, mproc *p, gh_status st,
                       const char *what, gh_term r, mterm *m) {
  if (!expect(e, st, GH_OK, what)) {
    m_release(m);
    return false;
  }
  may_have_collected(p);
  return keep(e, s, p, r, m);
}

/* The end of a push form (gh_push_tuple...): the call must succeed, and its
 * result is the new top slot.  Takes over m's reference. */
static bool push_built(engine *e, mproc *p, gh_status st, const char *what, mterm *m) {
  may_have_collected(p);
  if (!expect(e, st, GH_OK, what)) {
    m_release(m);
    return false;
  }
  model_push(p, m);
  return true;
}

/* ---- Operations ------------------------------------------------------------------- */

static bool op_spawn(engine *e, choice_src *s) {
  if (e->nprocs >= e->opt.max_procs)
    return true;
  static const uint32_t fullsweep[] = {0, 1, 2, 5, 20, 65535};
  static const size_t min_heap[] = {1, 233, 610, 4000};
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.fullsweep_after = fullsweep[pick(s, 6)];
  so.min_heap_size = min_heap[pick(s, 4)];
  so.min_bin_vheap_size = pick(s, 2) ? 1 : 46422;
  so.hibernate_after_ms = pick(s, 3) ? 1 + pick(s, 30) : 0;
  so.name = pick(s, 2) ? "model" : NULL;
  mproc *p = &e->procs[e->nprocs];
  memset(p, 0, sizeof *p);
  if (!expect(e, gh_spawn(e->rt, &so, &p->h), GH_OK, "gh_spawn"))
    return false;
  p->pid = gh_self(p->h);
  p->hibernate_after_ms = so.hibernate_after_ms;
  e->nprocs++;
  say(e, "spawn pid %" PRIu64 " fullsweep_after %u min_heap %zu hib_after %" PRIu64,
      p->pid, so.fullsweep_after, so.min_heap_size, so.hibernate_after_ms);
  return true;
}

/* Adds a process's collection counters to the coverage, before it exits. */
static void count_collections(engine *e, mproc *p) {
  gh_gc_info i;
  if (gh_proc_info(p->h, &i) != GH_OK)
    return;
  e->cov.minor_gcs += i.minor_gcs;
  e->cov.full_sweeps += i.full_sweeps;
  e->cov.hibernations += i.hibernations;
}

static void model_forget(engine *e, mproc *p) {
  for (size_t i = 0; i < p->depth; i++)
    m_release(p->slots[i]);
  for (size_t i = 0; i < p->mlen; i++)
    m_release(p->mbox[i]);
  free(p->slots);
  free(p->mbox);
  e->dead[e->ndead++ % DEAD_PIDS] = p->pid;
  *p = e->procs[--e->nprocs];
}

static bool op_exit(engine *e, choice_src *s) {
  mproc *p = pick_proc(e, s);
  if (!p)
    return true;
  say(e, "exit pid %" PRIu64, p->pid);
  count_collections(e, p);
  gh_status st = gh_exit(p->h);
  model_forget(e, p);
  return expect(e, st, GH_OK, "gh_exit");
}

static bool op_push_immediate(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  arg a = immediate_arg(e, s);
  say(e, "push immediate on pid %" PRIu64, p->pid);
  return keep(e, s, p, a.t, a.m);
}

static double pick_double(choice_src *s, uint64_t *bits) {
  static const double fixed[] = {0.0, -0.0, 1.5, -3.25, 1e308, 5e-324};
  double d;
  unsigned k = pick(s, 8);
  if (k < 6) {
    d = fixed[k];
    memcpy(bits, &d, sizeof d);
  } else {
    *bits = pick_bits64(s); /* any bits: NaNs and infinities too */
    memcpy(&d, bits, sizeof d);
  }
  return d;
}

static bool op_float(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  uint64_t bits;
  double d = pick_double(s, &bits);
  gh_term t;
  if (!expect(e, gh_float(p->h, d, &t), GH_OK, "gh_float"))
    return false;
  may_have_collected(p);
  mterm *m = m_new(MK_FLOAT);
  m->fbits = bits;
  say(e, "float on pid %" PRIu64, p->pid);
  return keep(e, s, p, t, m);
}

/* Sizes around the heap/refc boundary (64 bytes) and a few larger. */
static size_t pick_binary_size(choice_src *s) {
  switch (pick(s, 4)) {
  case 0:
    return pick(s, 9);
  case 1:
    return 60 + pick(s, 10);
  case 2:
    return pick(s, 65);
  default:
    return 65 + pick(s, 2000);
  }
}

static void fill_bytes(uint8_t *buf, size_t size, uint64_t seed) {
  uint64_t x = seed | 1;
  for (size_t i = 0; i < size; i++)
    buf[i] = (uint8_t)xorshift64(&x);
}

/* Makes a binary on p; its model (with a new identity if refc) in *m. */
static bool make_binary(engine *e, choice_src *s, mproc *p, gh_term *t, mterm **m) {
  size_t size = pick_binary_size(s);
  uint8_t *buf = malloc(size ? size : 1);
  if (!buf)
    abort();
  fill_bytes(buf, size, pick(s, 65536));
  bool zeroed = pick(s, 8) == 0; /* bytes == NULL: zero-filled */
  if (zeroed)
    memset(buf, 0, size);
  gh_status st = gh_binary(p->h, zeroed ? NULL : buf, size, t);
  may_have_collected(p);
  *m = m_binary(buf, size, size > 64 ? new_bin_id(e) : -1);
  e->cov.refc_binaries += size > 64;
  free(buf);
  say(e, "binary of %zu bytes on pid %" PRIu64, size, p->pid);
  return expect(e, st, GH_OK, "gh_binary");
}

static bool op_binary(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  gh_term t;
  mterm *m;
  if (!make_binary(e, s, p, &t, &m)) {
    m_release(m);
    return false;
  }
  return keep(e, s, p, t, m);
}

static bool too_big(engine *e, size_t nodes) { return nodes > e->opt.max_nodes; }

static bool op_cons(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  arg h, t;
  if (!pick_arg(e, s, p, &h))
    return false;
  if (!pick_arg(e, s, p, &t)) {
    m_release(h.m);
    return false;
  }
  mterm *kids[2] = {h.m, t.m};
  mterm *m = m_compound(MK_CONS, 2, kids);
  if (too_big(e, m->nodes)) {
    m_release(m);
    return true;
  }
  gh_term r;
  say(e, "cons on pid %" PRIu64, p->pid);
  gh_status st = gh_cons(p->h, h.t, t.t, &r);
  return keep_built(e, s, p, st, "gh_cons", r, m);
}

#define MAX_ELEMS 6

/* Picks up to MAX_ELEMS arguments into t[] and kids[]; *n of them. */
static bool pick_elems(engine *e, choice_src *s, mproc *p, gh_term *t,
                       mterm **kids, size_t *n) {
  *n = pick(s, MAX_ELEMS + 1);
  for (size_t i = 0; i < *n; i++) {
    arg a;
    if (!pick_arg(e, s, p, &a)) {
      for (size_t j = 0; j < i; j++)
        m_release(kids[j]);
      return false;
    }
    t[i] = a.t;
    kids[i] = a.m;
  }
  return true;
}

static bool op_tuple(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  gh_term t[MAX_ELEMS];
  mterm *kids[MAX_ELEMS];
  size_t n;
  bool all_nil = pick(s, 6) == 0; /* elems == NULL */
  if (!pick_elems(e, s, p, t, kids, &n))
    return false;
  if (all_nil)
    for (size_t i = 0; i < n; i++) {
      m_release(kids[i]);
      kids[i] = m_new(MK_NIL);
    }
  mterm *m = m_compound(MK_TUPLE, n, kids);
  if (too_big(e, m->nodes)) {
    m_release(m);
    return true;
  }
  gh_term r;
  if (p->depth < e->opt.max_depth && pick(s, 3) == 0) {
    say(e, "push_tuple of %zu on pid %" PRIu64, n, p->pid);
    return push_built(e, p, gh_push_tuple(p->h, n, all_nil ? NULL : t), "gh_push_tuple",
                      m);
  }
  say(e, "tuple of %zu on pid %" PRIu64, n, p->pid);
  gh_status st = gh_tuple(p->h, n, all_nil ? NULL : t, &r);
  return keep_built(e, s, p, st, "gh_tuple", r, m);
}

static bool op_list(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  gh_term t[MAX_ELEMS];
  mterm *kids[MAX_ELEMS];
  size_t n;
  if (!pick_elems(e, s, p, t, kids, &n))
    return false;
  mterm *m = m_new(MK_NIL);
  for (size_t i = n; i-- > 0;) {
    mterm *cell[2] = {kids[i], m};
    m = m_compound(MK_CONS, 2, cell);
  }
  if (too_big(e, m->nodes)) {
    m_release(m);
    return true;
  }
  gh_term r;
  if (p->depth < e->opt.max_depth && pick(s, 3) == 0) {
    say(e, "push_list of %zu on pid %" PRIu64, n, p->pid);
    return push_built(e, p, gh_push_list(p->h, n, t), "gh_push_list", m);
  }
  say(e, "list of %zu on pid %" PRIu64, n, p->pid);
  gh_status st = gh_list(p->h, n, t, &r);
  return keep_built(e, s, p, st, "gh_list", r, m);
}

/* A slice of the binary in a slot; out-of-range and non-binary arguments
 * must be refused with the documented status and change nothing. */
static bool op_slice(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p || !p->depth)
    return ok;
  arg b;
  if (!slot_arg(e, p, pick(s, (unsigned)p->depth), &b))
    return false;
  size_t total = b.m->kind == MK_BIN ? b.m->size : 0;
  size_t off = pick(s, (unsigned)total + 2);
  size_t len = pick(s, (unsigned)(total >= off ? total - off : 0) + 2);
  gh_status want = GH_OK;
  if (b.m->kind != MK_BIN)
    want = GH_ERR_NOT_A_BINARY;
  else if (off > total || len > total - off)
    want = GH_ERR_RANGE;
  gh_term r;
  say(e, "slice [%zu, +%zu) of a %zu-byte term on pid %" PRIu64, off, len, total,
      p->pid);
  gh_status st = gh_sub_binary(p->h, b.t, off, len, &r);
  if (!expect(e, st, want, "gh_sub_binary") || want != GH_OK) {
    m_release(b.m);
    return st == want;
  }
  may_have_collected(p);
  mterm *m = m_binary(b.m->bytes + off, len, b.m->bin_id);
  m_release(b.m);
  return keep(e, s, p, r, m);
}

static bool op_pop(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  size_t n = pick(s, (unsigned)(p->depth < 4 ? p->depth : 4) + 2);
  say(e, "pop %zu of %zu on pid %" PRIu64, n, p->depth, p->pid);
  if (n > p->depth)
    return expect(e, gh_pop(p->h, n), GH_ERR_RANGE, "gh_pop");
  for (size_t i = 0; i < n; i++)
    m_release(p->slots[--p->depth]);
  return expect(e, gh_pop(p->h, n), GH_OK, "gh_pop");
}

static bool op_slot_set(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  size_t dst = pick(s, (unsigned)p->depth + 1);
  arg a;
  if (!pick_arg(e, s, p, &a))
    return false;
  /* relative: -1 is the top; dst == depth (out of range) is -(depth + 1) */
  ptrdiff_t index = pick(s, 2) ? (ptrdiff_t)dst
                               : dst < p->depth ? (ptrdiff_t)dst - (ptrdiff_t)p->depth
                                                : -(ptrdiff_t)p->depth - 1;
  say(e, "slot_set %td (%zu of %zu) on pid %" PRIu64, index, dst, p->depth, p->pid);
  gh_status st = gh_slot_set(p->h, index, a.t);
  if (dst == p->depth) {
    m_release(a.m);
    return expect(e, st, GH_ERR_RANGE, "gh_slot_set");
  }
  m_release(p->slots[dst]);
  p->slots[dst] = a.m;
  return expect(e, st, GH_OK, "gh_slot_set");
}

static bool op_send(engine *e, choice_src *s) {
  bool ok;
  mproc *from = pick_owned(e, s, &ok);
  if (!from)
    return ok;
  bool to_dead = e->ndead && pick(s, 8) == 0;
  mproc *to = to_dead ? NULL : pick_proc(e, s); /* may wait: sends are allowed */
  gh_pid pid = to ? to->pid : e->dead[pick(s, (unsigned)(e->ndead < DEAD_PIDS ? e->ndead : DEAD_PIDS))];
  arg msg;
  if (!pick_arg(e, s, from, &msg))
    return false;
  say(e, "send from pid %" PRIu64 " to pid %" PRIu64 "%s", from->pid, pid,
      to ? "" : " (exited)");
  gh_status st = gh_send(from->h, pid, msg.t);
  if (!to) {
    m_release(msg.m);
    return expect(e, st, GH_ERR_NOPROC, "gh_send");
  }
  model_enqueue(to, msg.m);
  return expect(e, st, GH_OK, "gh_send");
}

static bool op_receive(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  gh_term t;
  gh_status st = gh_receive(p->h, &t);
  say(e, "receive on pid %" PRIu64 " (%zu queued)", p->pid, p->mlen);
  if (!p->mlen)
    return expect(e, st, GH_ERR_EMPTY, "gh_receive");
  mterm *m = model_dequeue(p);
  may_have_collected(p);
  if (!expect(e, st, GH_OK, "gh_receive")) {
    m_release(m);
    return false;
  }
  if (!matches(t, m)) {
    m_release(m);
    return fail(e, "received message differs from the model");
  }
  e->cov.messages_received++;
  if (pick(s, 3) == 0) { /* dropped: its fragment becomes garbage */
    m_release(m);
    return true;
  }
  return keep(e, s, p, t, m);
}

/* Garbage: cells, tuples and binaries nobody keeps, so collections happen
 * and find dead data (and dead refc binaries) to reclaim. */
static bool op_garbage(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  unsigned n = pick(s, 4) ? pick(s, 200) : pick(s, 1500);
  say(e, "%u garbage cells on pid %" PRIu64, n, p->pid);
  for (unsigned i = 0; i < n; i++) {
    gh_term c;
    if (!expect(e, gh_cons(p->h, gh_small(i), GH_NIL, &c), GH_OK, "gh_cons"))
      return false;
  }
  may_have_collected(p);
  if (pick(s, 2)) {
    gh_term t;
    mterm *m;
    bool made = make_binary(e, s, p, &t, &m);
    m_release(m);
    return made;
  }
  return true;
}

static bool op_gc(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  bool major = pick(s, 3) == 0;
  say(e, "gc %s on pid %" PRIu64, major ? "major" : "minor", p->pid);
  p->hib = HIB_CLEAR;
  return expect(e, gh_gc(p->h, major ? GH_GC_MAJOR : GH_GC_MINOR), GH_OK, "gh_gc");
}

static bool op_hibernate(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  say(e, "hibernate pid %" PRIu64 " (%zu queued)", p->pid, p->mlen);
  if (p->mlen)
    return expect(e, gh_hibernate(p->h), GH_ERR_PENDING, "gh_hibernate");
  p->hib = HIB_SET;
  return expect(e, gh_hibernate(p->h), GH_OK, "gh_hibernate");
}

static bool op_wait(engine *e, choice_src *s) {
  mproc *p = pick_proc(e, s);
  if (!p)
    return true;
  say(e, "wait pid %" PRIu64 "%s", p->pid, p->waiting ? " (already waiting)" : "");
  gh_status want = p->waiting ? GH_ERR_BUSY : GH_OK;
  p->waiting = true;
  p->wait_since_ms = e->now_ms;
  return expect(e, gh_wait(p->h), want, "gh_wait");
}

static bool op_resume(engine *e, choice_src *s) {
  mproc *p = pick_proc(e, s);
  if (!p)
    return true;
  say(e, "resume pid %" PRIu64, p->pid);
  gh_status want = p->waiting ? GH_OK : GH_ERR_BUSY;
  p->waiting = false;
  p->hib = HIB_CLEAR;
  return expect(e, gh_resume(p->h), want, "gh_resume");
}

static bool op_advance_clock(engine *e, choice_src *s) {
  uint64_t ms = pick(s, 40);
  e->now_ms += ms;
  say(e, "clock +%" PRIu64 " ms = %" PRIu64, ms, e->now_ms);
  return true;
}

static uint64_t hibernations_of(mproc *p) {
  gh_gc_info i;
  return gh_proc_info(p->h, &i) == GH_OK ? i.hibernations : 0;
}

/* Which processes gh_runtime_hibernate_idle must (or may) hibernate:
 * waiting long enough, hibernate_after set, no message, not hibernated
 * since it last collected. */
static bool op_hibernate_idle(engine *e, choice_src *s) {
  uint64_t before[MAX_PROCS_CAP];
  int eligible[MAX_PROCS_CAP]; /* 0 no, 1 yes, 2 maybe */
  size_t lo = 0, hi = 0;
  for (size_t i = 0; i < e->nprocs; i++) {
    mproc *p = &e->procs[i];
    before[i] = hibernations_of(p);
    bool idle = p->waiting && p->hibernate_after_ms && !p->mlen &&
                e->now_ms - p->wait_since_ms >= p->hibernate_after_ms;
    eligible[i] = !idle ? 0 : p->hib == HIB_CLEAR ? 1 : p->hib == HIB_UNKNOWN ? 2 : 0;
    lo += eligible[i] == 1;
    hi += eligible[i] != 0;
  }
  size_t count = 0;
  say(e, "hibernate_idle at %" PRIu64 " ms (expect %zu..%zu)", e->now_ms, lo, hi);
  if (!expect(e, gh_runtime_hibernate_idle(e->rt, &count), GH_OK,
              "gh_runtime_hibernate_idle"))
    return false;
  if (count < lo || count > hi)
    return fail(e, "hibernate_idle hibernated %zu, model expects %zu..%zu", count, lo, hi);
  for (size_t i = 0; i < e->nprocs; i++) {
    mproc *p = &e->procs[i];
    uint64_t d = hibernations_of(p) - before[i];
    if (d > 1 || (eligible[i] == 1 && d != 1) || (eligible[i] == 0 && d != 0))
      return fail(e, "pid %" PRIu64 " hibernated %" PRIu64 " times, model says %s",
                  p->pid, d, eligible[i] == 1 ? "once" : "never");
    if (eligible[i])
      p->hib = HIB_SET;
  }
  e->cov.idle_hibernations += count;
  return true;
}

/* The hibernate_after path end to end: a process starts waiting, time
 * passes (often more than its hibernate_after), the idle sweep runs. */
static bool op_idle(engine *e, choice_src *s) {
  mproc *p = pick_proc(e, s);
  if (!p)
    return true;
  if (!p->waiting) {
    say(e, "wait pid %" PRIu64, p->pid);
    p->waiting = true;
    p->wait_since_ms = e->now_ms;
    if (!expect(e, gh_wait(p->h), GH_OK, "gh_wait"))
      return false;
  }
  /* Often land exactly on the deadline, or one ms short of it. */
  uint64_t waited = e->now_ms - p->wait_since_ms;
  uint64_t due = p->hibernate_after_ms > waited ? p->hibernate_after_ms - waited : 0;
  unsigned how = pick(s, 3);
  if (how == 0)
    return op_advance_clock(e, s) && op_hibernate_idle(e, s);
  e->now_ms += how == 1 ? due : (due ? due - 1 : 0);
  say(e, "clock to %" PRIu64 " ms (%s the deadline of pid %" PRIu64 ")", e->now_ms,
      how == 1 ? "at" : "just before", p->pid);
  return op_hibernate_idle(e, s);
}

/* A full sweep of every process: now no garbage holds a binary, so
 * binaries_alive must be exactly the model's reachable count. */
static bool op_sweep_all(engine *e, choice_src *s) {
  say(e, "full sweep of every process");
  for (size_t i = 0; i < e->nprocs; i++) {
    mproc *p = &e->procs[i];
    if (!resume_if_waiting(e, p) ||
        !expect(e, gh_gc(p->h, GH_GC_MAJOR), GH_OK, "gh_gc(MAJOR)"))
      return false;
    p->hib = HIB_CLEAR;
  }
  return check_binaries(e, true) && check_resources(e, true);
}

/* A term of another process's heap must be refused, and change nothing. */
static bool op_foreign(engine *e, choice_src *s) {
  if (e->nprocs < 2)
    return true;
  mproc *a = pick_proc(e, s), *b = pick_proc(e, s);
  if (a == b || !b->depth)
    return true;
  size_t slot = pick(s, (unsigned)b->depth);
  if (!m_is_boxed(b->slots[slot]))
    return true; /* immediates belong to nobody */
  if (!resume_if_waiting(e, a) || !resume_if_waiting(e, b))
    return false;
  gh_term t;
  if (!expect(e, gh_slot_get(b->h, slot, &t), GH_OK, "gh_slot_get"))
    return false;
  say(e, "pid %" PRIu64 " uses a term of pid %" PRIu64, a->pid, b->pid);
  gh_term r;
  return expect(e, gh_push(a->h, t), GH_ERR_FOREIGN_TERM, "gh_push(foreign)") &&
         expect(e, gh_send(a->h, b->pid, t), GH_ERR_FOREIGN_TERM, "gh_send(foreign)") &&
         expect(e, gh_cons(a->h, t, GH_NIL, &r), GH_ERR_FOREIGN_TERM, "gh_cons(foreign)");
}

/* A resource, made with gh_resource and kept, or pushed at once; declared
 * sizes from none to enough to overflow the vheap. */
static bool op_resource(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  res_obj *o = new_res(e);
  size_t size = pick(s, 4) ? pick(s, 600) : pick(s, 400000);
  mterm *m = m_new(MK_RES);
  m->res = o;
  m->has_refc = true;
  e->cov.resources++;
  if (p->depth < e->opt.max_depth && pick(s, 2)) {
    say(e, "push_resource %ld (%zu bytes) on pid %" PRIu64, o->id, size, p->pid);
    return push_built(e, p, gh_push_resource(p->h, &model_type, o, size),
                      "gh_push_resource", m);
  }
  gh_term t;
  say(e, "resource %ld (%zu bytes) on pid %" PRIu64, o->id, size, p->pid);
  gh_status st = gh_resource(p->h, &model_type, o, size, &t);
  return keep_built(e, s, p, st, "gh_resource", t, m);
}

static uint64_t collections_of(mproc *p) {
  gh_gc_info i;
  return gh_proc_info(p->h, &i) == GH_OK ? i.minor_gcs + i.full_sweeps : 0;
}

/* The terms a reserved build has in C variables: its roots, then what it
 * built; each with one model reference. */
#define POOL_MAX 16

typedef struct pool {
  gh_term t[POOL_MAX];
  mterm *m[POOL_MAX];
  size_t n;
} pool;

static void pool_release(pool *pl) {
  for (size_t i = 0; i < pl->n; i++)
    m_release(pl->m[i]);
}

/* An argument for a put builder: a term of the pool or an immediate. */
static void pool_arg(engine *e, choice_src *s, pool *pl, gh_term *t, mterm **m) {
  if (pl->n && pick(s, 4)) {
    size_t i = pick(s, (unsigned)pl->n);
    *t = pl->t[i];
    *m = m_retain(pl->m[i]);
  } else {
    arg a = immediate_arg(e, s);
    *t = a.t;
    *m = a.m;
  }
}

enum { PUT_CONS, PUT_TUPLE, PUT_LIST, PUT_FLOAT, PUT_KINDS };

/* Builds one term with a put builder from pool terms and immediates. */
static gh_term put_one(engine *e, choice_src *s, mproc *p, pool *pl, unsigned kind,
                       size_t n, mterm **m) {
  gh_term t[MAX_ELEMS];
  mterm *kids[MAX_ELEMS];
  switch (kind) {
  case PUT_CONS:
    pool_arg(e, s, pl, &t[0], &kids[0]);
    pool_arg(e, s, pl, &t[1], &kids[1]);
    *m = m_compound(MK_CONS, 2, kids);
    return gh_put_cons(p->h, t[0], t[1]);
  case PUT_TUPLE:
    for (size_t i = 0; i < n; i++)
      pool_arg(e, s, pl, &t[i], &kids[i]);
    *m = m_compound(MK_TUPLE, n, kids);
    return gh_put_tuple(p->h, n, t);
  case PUT_LIST: {
    for (size_t i = 0; i < n; i++)
      pool_arg(e, s, pl, &t[i], &kids[i]);
    mterm *l = m_new(MK_NIL);
    for (size_t i = n; i-- > 0;) {
      mterm *cell[2] = {kids[i], l};
      l = m_compound(MK_CONS, 2, cell);
    }
    *m = l;
    return gh_put_list(p->h, n, t);
  }
  default: {
    uint64_t bits;
    double d = pick_double(s, &bits);
    *m = m_new(MK_FLOAT);
    (*m)->fbits = bits;
    return gh_put_float(p->h, d);
  }
  }
}

/* Reserve, then build: up to 4 slot terms passed to gh_reserve as roots,
 * then a few put builds that use them and each other from C variables.
 * The room reserved is exact, generous or short (the rest then comes from
 * heap fragments), and sometimes a long garbage list first goes far past
 * it.  No collection may happen after gh_reserve, and every term held in C
 * must still match its model at the end; the last one is kept. */
static bool op_reserve_build(engine *e, choice_src *s) {
  bool ok;
  mproc *p = pick_owned(e, s, &ok);
  if (!p)
    return ok;
  pool pl = {.n = p->depth ? pick(s, 5) : 0};
  for (size_t i = 0; i < pl.n; i++) {
    size_t slot = pick(s, (unsigned)p->depth);
    if (!expect(e, gh_slot_get(p->h, pick_slot_index(s, p, slot), &pl.t[i]), GH_OK,
                "gh_slot_get")) {
      pl.n = i;
      pool_release(&pl);
      return false;
    }
    pl.m[i] = m_retain(p->slots[slot]);
  }
  size_t roots = pl.n, steps = 1 + pick(s, 5);
  unsigned kinds[8];
  size_t sizes[8], words = 0;
  for (size_t j = 0; j < steps; j++) {
    kinds[j] = pick(s, PUT_KINDS);
    sizes[j] = pick(s, 5);
    words += kinds[j] == PUT_TUPLE  ? sizes[j] + 1
             : kinds[j] == PUT_LIST ? 2 * sizes[j]
                                    : 2;
  }
  unsigned room = pick(s, 3);
  size_t reserve = room == 0   ? words
                   : room == 1 ? words + pick(s, 100)
                               : pick(s, (unsigned)words + 1);
  size_t garbage = pick(s, 8) == 0 ? 200 + pick(s, 2000) : 0;
  say(e, "reserve %zu words (%zu needed, %zu roots) on pid %" PRIu64 ", %zu puts%s",
      reserve, words, roots, p->pid, steps, garbage ? " after a long garbage list" : "");
  gh_status st = gh_reserve(p->h, reserve, pl.t, roots);
  may_have_collected(p);
  if (!expect(e, st, GH_OK, "gh_reserve")) {
    pool_release(&pl);
    return false;
  }
  uint64_t before = collections_of(p);
  gh_term junk = GH_NIL;
  for (size_t i = 0; i < garbage; i++)
    junk = gh_put_cons(p->h, gh_small((int64_t)i), junk);
  bool overflowed = words + 2 * garbage > reserve;
  for (size_t j = 0; j < steps && pl.n < POOL_MAX; j++) {
    mterm *m;
    gh_term t = put_one(e, s, p, &pl, kinds[j], sizes[j], &m);
    pl.t[pl.n] = t;
    pl.m[pl.n++] = m;
  }
  ok = true;
  if (collections_of(p) != before)
    ok = fail(e, "a put builder collected (%" PRIu64 " collections after gh_reserve)",
              collections_of(p) - before);
  if (ok && junk == GH_NONE)
    ok = fail(e, "a put builder failed");
  for (size_t i = 0; ok && i < pl.n; i++)
    if (!matches(pl.t[i], pl.m[i]))
      ok = fail(e, "term %zu of a reserved build (%s) no longer matches its model", i,
                i < roots ? "a root" : "built");
  e->cov.reserved_builds++;
  e->cov.put_overflows += overflowed;
  gh_term last = pl.t[pl.n - 1];
  mterm *keep_m = pl.n > roots && !too_big(e, pl.m[pl.n - 1]->nodes)
                      ? m_retain(pl.m[pl.n - 1])
                      : NULL;
  pool_release(&pl);
  if (!ok || !keep_m) {
    if (keep_m)
      m_release(keep_m);
    return ok;
  }
  return keep(e, s, p, last, keep_m);
}

typedef struct op_def {
  const char *name;
  bool (*run)(engine *e, choice_src *s);
  unsigned weight;
} op_def;

static const op_def ops[] = {
    {"spawn", op_spawn, 3},         {"exit", op_exit, 2},
    {"push", op_push_immediate, 8}, {"float", op_float, 4},
    {"binary", op_binary, 8},       {"cons", op_cons, 10},
    {"tuple", op_tuple, 6},         {"list", op_list, 5},
    {"slice", op_slice, 5},         {"pop", op_pop, 6},
    {"slot_set", op_slot_set, 5},   {"send", op_send, 9},
    {"receive", op_receive, 8},     {"garbage", op_garbage, 5},
    {"gc", op_gc, 3},               {"hibernate", op_hibernate, 2},
    {"wait", op_wait, 3},           {"resume", op_resume, 2},
    {"clock", op_advance_clock, 3}, {"hibernate_idle", op_hibernate_idle, 3},
    {"sweep_all", op_sweep_all, 2}, {"foreign", op_foreign, 1},
    {"idle", op_idle, 4},
    {"resource", op_resource, 5},   {"reserve_build", op_reserve_build, 8},
};

static const op_def *pick_op(choice_src *s) {
  unsigned total = 0;
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    total += ops[i].weight;
  unsigned r = pick(s, total);
  for (size_t i = 0;; i++) {
    if (r < ops[i].weight)
      return &ops[i];
    r -= ops[i].weight;
  }
}

/* ---- The engine --------------------------------------------------------------------- */

static uint64_t injected_clock(void *ctx) { return ((engine *)ctx)->now_ms; }

void engine_options_init(engine_options *o) {
  memset(o, 0, sizeof *o);
  o->max_procs = 5;
  o->max_depth = 24;
  o->max_nodes = 300;
}

engine *engine_new(const engine_options *o) {
  engine *e = calloc(1, sizeof *e);
  if (!e)
    return NULL;
  e->opt = *o;
  if (e->opt.max_procs > MAX_PROCS_CAP)
    e->opt.max_procs = MAX_PROCS_CAP;
  e->allocator = (gh_allocator){count_alloc, count_realloc, count_free, &e->counter};
  gh_runtime_options ro;
  gh_runtime_options_init(&ro);
  ro.allocator = &e->allocator;
  ro.clock = injected_clock;
  ro.clock_ctx = e;
  ro.verify = true; /* gh_verify after every collection, abort if broken */
  e->now_ms = 1000;
  gh_status st = gh_runtime_new(&ro, &e->rt);
  if (st != GH_OK) {
    fprintf(stderr, "gh_runtime_new: %s\n", gh_strerror(st));
    free(e);
    return NULL;
  }
  return e;
}

bool engine_step(engine *e, choice_src *s) {
  const op_def *op = pick_op(s);
  e->op_name = op->name;
  e->steps++;
  if (!op->run(e, s))
    return false;
  return check_all(e);
}

bool engine_finish(engine *e) {
  e->op_name = "finish";
  for (size_t r = 0; r < e->nres; r++) /* by collections, before the exits */
    e->cov.resources_destroyed += e->res[r]->destroyed;
  while (e->nprocs) {
    mproc *p = &e->procs[0];
    count_collections(e, p);
    gh_status st = gh_exit(p->h);
    model_forget(e, p);
    if (!expect(e, st, GH_OK, "gh_exit"))
      return false;
  }
  gh_runtime_stats st;
  gh_runtime_stats_get(e->rt, &st);
  if (st.processes_alive || st.binaries_alive || st.binary_bytes || st.heap_words ||
      st.resources_alive || st.resource_bytes)
    return fail(e, "after every exit: %" PRIu64 " processes, %" PRIu64
                " binaries (%" PRIu64 " bytes), %" PRIu64 " resources, %" PRIu64
                " heap words left", st.processes_alive, st.binaries_alive,
                st.binary_bytes, st.resources_alive, st.heap_words);
  for (size_t r = 0; r < e->nres; r++)
    if (e->res[r]->destroyed != 1)
      return fail(e, "after every exit: resource %zu destroyed %u times", r,
                  e->res[r]->destroyed);
  if (st.bytes_allocated != e->counter.outstanding_bytes)
    return fail(e, "bytes_allocated %" PRIu64 " but the allocator holds %zu",
                st.bytes_allocated, e->counter.outstanding_bytes);
  gh_runtime_free(e->rt);
  e->rt = NULL;
  if (e->counter.outstanding_bytes || e->counter.size_mismatches)
    return fail(e, "after gh_runtime_free: %zu bytes not returned, %zu wrong-size frees",
                e->counter.outstanding_bytes, e->counter.size_mismatches);
  return true;
}

const char *engine_failure(const engine *e) { return e->why; }

void engine_add_coverage(const engine *e, engine_coverage *sum) {
  sum->resources += e->cov.resources;
  sum->reserved_builds += e->cov.reserved_builds;
  sum->put_overflows += e->cov.put_overflows;
  sum->resources_destroyed += e->cov.resources_destroyed;
  sum->steps += e->steps;
  sum->minor_gcs += e->cov.minor_gcs;
  sum->full_sweeps += e->cov.full_sweeps;
  sum->hibernations += e->cov.hibernations;
  sum->idle_hibernations += e->cov.idle_hibernations;
  sum->messages_received += e->cov.messages_received;
  sum->refc_binaries += e->cov.refc_binaries;
  sum->exact_binary_checks += e->cov.exact_binary_checks;
}

bool engine_gc_stress(const engine *e) { return gh_runtime_gc_stress(e->rt); }

void engine_free(engine *e) {
  if (!e)
    return;
  while (e->nprocs) {
    mproc *p = &e->procs[0];
    if (e->rt)
      gh_exit(p->h);
    model_forget(e, p);
  }
  if (e->rt)
    gh_runtime_free(e->rt);
  free(e->bin_maybe_alive);
  free(e->bin_mark);
  for (size_t r = 0; r < e->nres; r++)
    free(e->res[r]);
  free(e->res);
  free(e->res_mark);
  free(e);
}
