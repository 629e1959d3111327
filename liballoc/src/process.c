/* process.c -- the runtime, process life-cycle, and hibernate_after.
 *
 * Threading (docs/embedding.md): a process's heap is touched only by its
 * owner thread, or by gh_runtime_hibernate_idle while the owner has declared
 * it waiting (gh_wait) and holds no claim on it: state_lock arbitrates that
 * hand-over.  The registry (procs_lock) is read-locked by the census thread
 * and the idle passes, and write-locked by spawn, exit and kill.
 *
 * The send gate: how a sender finds its receiver without a runtime-wide
 * lock, and why the receiver cannot be freed under it.  gh_send looks the
 * pid up in the pid table and pushes its fragment onto the receiver's
 * mailbox; an exit unpublishes the pid, drains the mailbox and frees the
 * heaps, and gh_exit later frees the handle.  A sender must therefore never
 * hold a handle that the exit has passed.  A reader-writer lock gives that,
 * but each send would write the lock's one word: with senders on several
 * threads that cache line moves at every send (the profile of the messages
 * benchmark).  The gate is the same contract with the readers spread out,
 * as in a per-CPU (or "big-reader") rwlock:
 *
 *  - Readers (senders) each count themselves in on one of GH_GATE_SHARDS
 *    counters, chosen once per thread, each on a cache line of its own, and
 *    then check that the gate is open; if it is closed they count
 *    themselves out and wait for the writer on gate_lock.  Inside: the pid
 *    lookup and one CAS push, nothing that blocks.
 *  - Writers (publish and unpublish, under procs_lock and gate_lock) close
 *    the gate, wait until every counter is 0, change the table, and open
 *    the gate.
 *  - Both sides' first two steps are sequentially consistent (a store, then
 *    a load of the other side's word: Dekker's pattern), so either the
 *    writer sees the reader's count and waits for it, or the reader sees
 *    the gate closed and backs off.  A reader inside the gate has therefore
 *    finished with the table, and with the handle it found, before the
 *    writer changes anything.
 *
 * Reclamation follows: terminate unpublishes the pid through the gate, so
 * when it returns no sender holds the handle or is pushing onto its mailbox
 * (every push has completed, and no later lookup finds the pid); only then
 * does it drain the mailbox, and gh_exit frees the handle later still.  A
 * send that looks up a pid after the unpublish gets GH_ERR_NOPROC; one that
 * got in before completes its push, and the drain frees that fragment.
 * This is RCU's grace period with the readers counted: no epochs to
 * advance, no per-thread registration, and the cost of a send is two
 * atomic adds on a line its thread keeps to itself.  Writers pay a scan of
 * the counters, which spawn and exit can afford.
 */
#include "term.h"
#include "trace.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- Clock ------------------------------------------------------------------ */

static uint64_t monotonic_ms(void *ctx) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t gh__now_ms(gh_runtime *rt) { return rt->clock(rt->clock_ctx); }

/* Saturating: a wait that began after `now` was read has waited 0 ms. */
static uint64_t waited_ms(const gh_proc *p, uint64_t now) {
  return now > p->wait_since_ms ? now - p->wait_since_ms : 0;
}

uint64_t gh__waiting_ms(const gh_proc *p) {
  return p->waiting ? waited_ms(p, gh__now_ms(p->rt)) : 0;
}

/* ---- Runtime ------------------------------------------------------------------ */

void gh_runtime_options_init(gh_runtime_options *opts) {
  if (opts)
    memset(opts, 0, sizeof *opts);
}

static bool env_flag(const char *name) {
  const char *v = getenv(name);
  return v && *v && strcmp(v, "0") != 0;
}

/* A decimal number in [0, max] from the environment; 0 when unset or not
 * a number (a recorder's setting must never stop the program). */
static uint64_t env_number(const char *name, uint64_t max) {
  const char *v = getenv(name);
  if (!v || !*v)
    return 0;
  char *end;
  unsigned long long n = strtoull(v, &end, 10);
  return *end == '\0' && v[0] != '-' && n <= max ? (uint64_t)n : 0;
}

static void census_tick(gh_runtime *rt);

/* ---- The census thread ----------------------------------------------------- */

/* How often the census thread looks at root writes: a tenth of the census
 * interval, within [10 ms, 100 ms], so the quiet time it vouches for lags
 * the truth by at most that. */
static uint64_t observe_period_ms(uint64_t interval_ms) {
  uint64_t t = interval_ms / 10;
  return t < 10 ? 10 : t > 100 ? 100 : t;
}

static void deadline_in(struct timespec *until, uint64_t ms) {
  clock_gettime(CLOCK_MONOTONIC, until);
  uint64_t ns = (uint64_t)until->tv_nsec + (ms % 1000) * 1000000u;
  until->tv_sec += (time_t)(ms / 1000 + ns / 1000000000u);
  until->tv_nsec = (long)(ns % 1000000000u);
}

/* While genheap:census is recorded: watch every process's root writes
 * (cheap, under the registry's read lock, which keeps the handles alive),
 * and count the live data of each process that has waited half of
 * census_interval_ms, once per wait.
 * An idle process emits nothing, so without this a trace could only guess
 * how much of its old heap is garbage, and since when. */
static void *census_main(void *arg) {
  gh_runtime *rt = arg;
  uint64_t period = observe_period_ms(rt->census_interval_ms);
  pthread_mutex_lock(&rt->census_lock);
  while (!rt->census_stop) {
    struct timespec until;
    deadline_in(&until, period);
    if (pthread_cond_timedwait(&rt->census_wake, &rt->census_lock, &until) == 0 ||
        rt->census_stop)
      continue;
    pthread_mutex_unlock(&rt->census_lock);
    if (trace_census_enabled())
      census_tick(rt);
    pthread_mutex_lock(&rt->census_lock);
  }
  pthread_mutex_unlock(&rt->census_lock);
  return NULL;
}

/* Only a build that can record censuses runs the thread; a failure to start
 * it costs the trace its idle censuses, never the program its runtime. */
static void census_thread_start(gh_runtime *rt) {
#ifndef GH_HAVE_LTTNG
  rt->census_interval_ms = 0; /* nothing could record what it counts */
#endif
  if (!rt->census_interval_ms)
    return;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&rt->census_wake, &attr);
  pthread_condattr_destroy(&attr);
  pthread_mutex_init(&rt->census_lock, NULL);
  if (pthread_create(&rt->census_thread, NULL, census_main, rt) == 0) {
    rt->census_thread_started = true;
    return;
  }
  pthread_cond_destroy(&rt->census_wake);
  pthread_mutex_destroy(&rt->census_lock);
}

static void census_thread_stop(gh_runtime *rt) {
  if (!rt->census_thread_started || rt->census_stop)
    return;
  pthread_mutex_lock(&rt->census_lock);
  rt->census_stop = true;
  pthread_cond_signal(&rt->census_wake);
  pthread_mutex_unlock(&rt->census_lock);
  pthread_join(rt->census_thread, NULL);
  pthread_cond_destroy(&rt->census_wake);
  pthread_mutex_destroy(&rt->census_lock);
  /* census_thread_started stays set: what the thread saw of the roots still
   * holds for the censuses gh_runtime_free takes next (no call can run). */
}

gh_status gh_runtime_new(const gh_runtime_options *opts, gh_runtime **out) {
  if (!out)
    return GH_ERR_NULL;
  gh_runtime_options defaults;
  if (!opts) {
    gh_runtime_options_init(&defaults);
    opts = &defaults;
  }
  const gh_allocator *a = opts->allocator ? opts->allocator : &gh__libc_allocator;
  if (!a->alloc || !a->free)
    return GH_ERR_BADARG;
  gh_runtime *rt = a->alloc(a->ctx, sizeof *rt);
  if (!rt)
    return GH_ERR_NOMEM;
  memset(rt, 0, sizeof *rt);
  rt->allocator = *a;
  rt->pid_nbuckets = 64;
  rt->pid_buckets = a->alloc(a->ctx, rt->pid_nbuckets * sizeof(gh_proc *));
  if (!rt->pid_buckets) {
    a->free(a->ctx, rt, sizeof *rt);
    return GH_ERR_NOMEM;
  }
  memset(rt->pid_buckets, 0, rt->pid_nbuckets * sizeof(gh_proc *));
  atomic_store(&rt->bytes_allocated, sizeof *rt + rt->pid_nbuckets * sizeof(gh_proc *));
  rt->on_kill = opts->on_kill;
  rt->on_kill_ctx = opts->on_kill_ctx;
  rt->clock = opts->clock ? opts->clock : monotonic_ms;
  rt->clock_ctx = opts->clock_ctx;
  rt->gc_stress = opts->gc_stress || env_flag("GENHEAP_GC_STRESS");
  rt->verify = opts->verify || env_flag("GENHEAP_VERIFY");
  rt->census_interval_ms = opts->census_interval_ms
                               ? opts->census_interval_ms
                               : env_number("GENHEAP_CENSUS_MS", 86400000);
  atomic_store(&rt->next_pid, 1);
  pthread_rwlock_init(&rt->procs_lock, NULL);
  pthread_mutex_init(&rt->gate_lock, NULL);
  census_thread_start(rt);
  *out = rt;
  return GH_OK;
}

bool gh_runtime_gc_stress(const gh_runtime *rt) { return rt && rt->gc_stress; }

static void proc_free_handle(gh_proc *p);

void gh_runtime_free(gh_runtime *rt) {
  if (!rt)
    return;
  census_thread_stop(rt);
  /* The last word on every process still alive: what it held, and how much
   * of it was garbage, when the program let go of it. */
  for (gh_proc *p = rt->all; p; p = p->all_next)
    if (p->alive)
      gh__census_at_end(p, GH_CENSUS_RUNTIME_END);
  while (rt->all) {
    gh_proc *p = rt->all;
    rt->all = p->all_next;
    if (p->alive) {
      gh__free_heaps(p); /* then the mailbox, as terminate does */
      gh__mailbox_close(p);
    }
    proc_free_handle(p);
  }
  pthread_rwlock_destroy(&rt->procs_lock);
  pthread_mutex_destroy(&rt->gate_lock);
  gh_allocator a = rt->allocator;
  a.free(a.ctx, rt->pid_buckets, rt->pid_nbuckets * sizeof(gh_proc *));
  a.free(a.ctx, rt, sizeof *rt);
}

void gh_runtime_stats_get(const gh_runtime *rt, gh_runtime_stats *out) {
  if (!rt || !out)
    return;
  gh_runtime *r = (gh_runtime *)rt; /* atomics are read-only here */
  out->processes_alive = atomic_load(&r->processes_alive);
  out->processes_spawned = atomic_load(&r->processes_spawned);
  out->processes_killed = atomic_load(&r->processes_killed);
  out->heap_words = atomic_load(&r->heap_words);
  out->binaries_alive = atomic_load(&r->binaries_alive);
  out->binary_bytes = atomic_load(&r->binary_bytes);
  out->bytes_allocated = atomic_load(&r->bytes_allocated);
  out->resources_alive = atomic_load(&r->resources_alive);
  out->resource_bytes = atomic_load(&r->resource_bytes);
}

/* ---- The send gate (see the top of this file) ------------------------------ */

/* 1 + this thread's shard (0: not chosen yet).  Shared by every runtime: a
 * shard is a slot in each runtime's counters, not an object. */
static _Thread_local unsigned gate_slot;
static atomic_uint gate_threads;

static gh_gate_shard *my_shard(gh_runtime *rt) {
  unsigned s = gate_slot;
  if (GH_UNLIKELY(s == 0)) {
    unsigned n = atomic_fetch_add_explicit(&gate_threads, 1, memory_order_relaxed);
    gate_slot = s = n % GH_GATE_SHARDS + 1;
  }
  return &rt->gate[s - 1];
}

gh_gate_shard *gh__gate_enter(gh_runtime *rt) {
  gh_gate_shard *shard = my_shard(rt);
  for (;;) {
    atomic_fetch_add(&shard->count, 1); /* seq_cst: before the load below */
    if (GH_LIKELY(atomic_load(&rt->gate_closed.count) == 0))
      return shard;
    atomic_fetch_sub_explicit(&shard->count, 1, memory_order_release);
    /* A writer holds gate_lock while the gate is closed: wait it out. */
    pthread_mutex_lock(&rt->gate_lock);
    pthread_mutex_unlock(&rt->gate_lock);
  }
}

/* Release: what the sender did inside happens before a writer's change. */
void gh__gate_leave(gh_gate_shard *shard) {
  atomic_fetch_sub_explicit(&shard->count, 1, memory_order_release);
}

/* Closes the gate and waits until no sender is inside. */
static void gate_close(gh_runtime *rt) {
  pthread_mutex_lock(&rt->gate_lock);
  atomic_store(&rt->gate_closed.count, 1); /* seq_cst: before the loads */
  for (size_t i = 0; i < GH_GATE_SHARDS; i++)
    while (atomic_load(&rt->gate[i].count) != 0)
      sched_yield(); /* a sender inside is a lookup and a push from done */
}

static void gate_open(gh_runtime *rt) {
  atomic_store_explicit(&rt->gate_closed.count, 0, memory_order_release);
  pthread_mutex_unlock(&rt->gate_lock);
}

/* ---- Registry (procs_lock held: for reading to look up, else for writing;
 *      the pid table is changed with the send gate closed too) --------------- */

static gh_status registry_grow(gh_runtime *rt) {
  size_t n = rt->pid_nbuckets * 2;
  gh_proc **b = gh__alloc(rt, n * sizeof(gh_proc *));
  if (!b)
    return GH_ERR_NOMEM;
  memset(b, 0, n * sizeof(gh_proc *));
  for (size_t i = 0; i < rt->pid_nbuckets; i++) {
    for (gh_proc *q = rt->pid_buckets[i], *next; q; q = next) {
      next = q->hash_next;
      q->hash_next = b[q->pid & (n - 1)];
      b[q->pid & (n - 1)] = q;
    }
  }
  gh__free(rt, rt->pid_buckets, rt->pid_nbuckets * sizeof(gh_proc *));
  rt->pid_buckets = b;
  rt->pid_nbuckets = n;
  return GH_OK;
}

static void registry_add(gh_runtime *rt, gh_proc *p) {
  GH_ASSERT(rt->pid_count < rt->pid_nbuckets && !gh__registry_lookup(rt, p->pid));
  gh_proc **bucket = &rt->pid_buckets[p->pid & (rt->pid_nbuckets - 1)];
  p->hash_next = *bucket;
  *bucket = p;
  rt->pid_count++;
  p->all_next = rt->all;
  p->all_prev = NULL;
  if (rt->all)
    rt->all->all_prev = p;
  rt->all = p;
}

/* The link of pid's hash chain that holds its process, or the chain's
 * final NULL link when no live process has that pid. */
static gh_proc **registry_link(gh_runtime *rt, gh_pid pid) {
  gh_proc **link = &rt->pid_buckets[pid & (rt->pid_nbuckets - 1)];
  while (*link && (*link)->pid != pid)
    link = &(*link)->hash_next;
  return link;
}

gh_proc *gh__registry_lookup(gh_runtime *rt, gh_pid pid) {
  return *registry_link(rt, pid);
}

/* Removes a process from the pid table: sends to it fail from now on. */
static void registry_unpublish(gh_runtime *rt, gh_proc *p) {
  gh_proc **link = registry_link(rt, p->pid);
  if (*link == p) {
    *link = p->hash_next;
    rt->pid_count--;
  }
}

static void registry_forget(gh_runtime *rt, gh_proc *p) {
  if (p->all_prev)
    p->all_prev->all_next = p->all_next;
  else
    rt->all = p->all_next;
  if (p->all_next)
    p->all_next->all_prev = p->all_prev;
}

/* ---- Spawn ------------------------------------------------------------------------ */

void gh_spawn_options_init(gh_spawn_options *opts) {
  if (!opts)
    return;
  memset(opts, 0, sizeof *opts);
  opts->min_heap_size = GH_DEFAULT_MIN_HEAP;
  opts->min_bin_vheap_size = GH_DEFAULT_MIN_VHEAP;
  opts->fullsweep_after = GH_DEFAULT_FULLSWEEP_AFTER;
}

/* User sizes are rounded up to the table and never below the system
 * minimum (erts_next_heap_size(x, 0), H_MIN_SIZE / BIN_VH_MIN_SIZE). */
static size_t round_size(size_t requested, size_t minimum) {
  size_t n = gh_next_heap_size(requested, 0);
  return n < minimum ? minimum : n;
}

static gh_status check_spawn_options(const gh_spawn_options *o) {
  if (o->fullsweep_after > 65535)
    return GH_ERR_BADARG; /* BEAM stores it in 16 bits: refuse, don't wrap */
  if (!gh_next_heap_size(o->min_heap_size, 0) ||
      !gh_next_heap_size(o->min_bin_vheap_size, 0))
    return GH_ERR_TOO_LARGE;
  if (o->max_heap_size && o->max_heap_size < round_size(o->min_heap_size, GH_H_MIN_SIZE))
    return GH_ERR_BADARG; /* as BEAM: badarg below min_heap_size */
  return GH_OK;
}

static void init_from_options(gh_proc *p, const gh_spawn_options *o) {
  p->min_heap_size = round_size(o->min_heap_size, GH_H_MIN_SIZE);
  p->min_vheap_size = round_size(o->min_bin_vheap_size, GH_DEFAULT_MIN_VHEAP);
  p->max_gen_gcs = o->fullsweep_after;
  p->max_heap_size = o->max_heap_size;
  p->max_heap_include_bins = o->max_heap_include_shared_binaries;
  p->hibernate_after_ms = o->hibernate_after_ms;
  p->bin_vheap_sz = p->bin_old_vheap_sz = p->min_vheap_size;
}

/* The young block and the bottom frame: stack_size 1, as BEAM's CP. */
static gh_status init_heap(gh_proc *p) {
  p->fast.heap = gh__alloc_words(p->rt, p->min_heap_size);
  if (!p->fast.heap)
    return GH_ERR_NOMEM;
  p->heap_sz = p->min_heap_size;
  p->fast.htop = p->high_water = p->fast.heap;
  p->fast.hend = p->fast.heap + p->heap_sz;
  p->fast.stop = p->fast.hend - 1;
  *p->fast.stop = frame_marker();
  set_limit(p);
  p->roots_at_gc = gh__roots_fingerprint(p);
  return GH_OK;
}

static char *copy_name(gh_runtime *rt, const char *name) {
  size_t n = name ? strlen(name) : 0;
  char *s = gh__alloc(rt, n + 1);
  if (s) {
    memcpy(s, name ? name : "", n);
    s[n] = '\0';
  }
  return s;
}

static void proc_free_handle(gh_proc *p) {
  gh_runtime *rt = p->rt;
  pthread_mutex_destroy(&p->state_lock);
  gh__free(rt, p->name, strlen(p->name) + 1);
  gh__free(rt, p, sizeof *p);
}

/* Frees a process that never became visible. */
static void spawn_undo(gh_runtime *rt, gh_proc *p) {
  gh__free_words(rt, p->fast.heap, p->heap_sz);
  pthread_mutex_destroy(&p->state_lock);
  if (p->name)
    gh__free(rt, p->name, strlen(p->name) + 1);
  gh__free(rt, p, sizeof *p);
}

static gh_status publish(gh_runtime *rt, gh_proc *p) {
  gh_status s = GH_OK;
  pthread_rwlock_wrlock(&rt->procs_lock);
  gate_close(rt);
  if (rt->pid_count >= rt->pid_nbuckets)
    s = registry_grow(rt);
  if (s == GH_OK)
    registry_add(rt, p);
  gate_open(rt);
  pthread_rwlock_unlock(&rt->procs_lock);
  return s;
}

gh_status gh_spawn(gh_runtime *rt, const gh_spawn_options *opts, gh_proc **out) {
  if (!rt || !out)
    return GH_ERR_NULL;
  gh_spawn_options defaults;
  if (!opts) {
    gh_spawn_options_init(&defaults);
    opts = &defaults;
  }
  gh_status s = check_spawn_options(opts);
  if (s != GH_OK)
    return s;
  gh_proc *p = gh__alloc(rt, sizeof *p);
  if (!p)
    return GH_ERR_NOMEM;
  memset(p, 0, sizeof *p);
  p->rt = rt;
  init_from_options(p, opts);
  pthread_mutex_init(&p->state_lock, NULL);
  p->name = copy_name(rt, opts->name);
  s = p->name ? init_heap(p) : GH_ERR_NOMEM;
  if (s == GH_OK) {
    p->pid = atomic_fetch_add(&rt->next_pid, 1);
    /* alive before it is published: the idle passes read it under the
     * registry lock as soon as it is there (TSan) */
    p->alive = true;
    s = publish(rt, p);
  }
  if (s != GH_OK) {
    spawn_undo(rt, p);
    return s;
  }
  if (rt->census_thread_started) /* its roots are quiet from birth */
    atomic_store(&p->writes_changed_ms, gh__now_ms(rt));
  atomic_fetch_add(&rt->processes_alive, 1);
  atomic_fetch_add(&rt->processes_spawned, 1);
  trace_proc_spawn(p);
  *out = p;
  return GH_OK;
}

/* ---- Exit and kill ------------------------------------------------------------------ */

/* Ends a live process: unpublish (no new messages), then release all. */
static void terminate(gh_proc *p, int reason) {
  GH_ASSERT(p->alive);
  if (reason == 0)
    gh__census_at_end(p, GH_CENSUS_EXIT);
  trace_proc_exit(p, reason);
  pthread_rwlock_wrlock(&p->rt->procs_lock);
  gate_close(p->rt);
  registry_unpublish(p->rt, p);
  gate_open(p->rt);
  pthread_rwlock_unlock(&p->rt->procs_lock);
  /* No sender holds p now, nor will (top of file): the mailbox is ours.
   * Heaps first: the fragments they free may leave p a spare buffer,
   * which closing the mailbox frees. */
  gh__free_heaps(p);
  gh__mailbox_close(p);
  p->alive = false;
  atomic_fetch_sub(&p->rt->processes_alive, 1);
}

/* max_heap_size: the process dies, its memory goes back at once, and the
 * host is told; the handle lives on (GH_ERR_DEAD) until gh_exit. */
void gh__kill(gh_proc *p, size_t total, size_t limit) {
  trace_max_heap_kill(p, total, limit);
  terminate(p, 1);
  atomic_fetch_add(&p->rt->processes_killed, 1);
  if (p->rt->on_kill)
    p->rt->on_kill(p->rt->on_kill_ctx, p, p->pid, total, limit);
}

gh_status gh_exit(gh_proc *p) {
  if (!p)
    return GH_ERR_NULL;
  gh_runtime *rt = p->rt;
  /* An idle pass (hibernation, census) that claimed the process finishes
   * before the handle goes away. */
  pthread_mutex_lock(&p->state_lock);
  p->waiting = false;
  atomic_store(&p->wait_hint, 0);
  pthread_mutex_unlock(&p->state_lock);
  if (p->alive)
    terminate(p, 0);
  pthread_rwlock_wrlock(&rt->procs_lock);
  registry_forget(rt, p);
  pthread_rwlock_unlock(&rt->procs_lock);
  /* A pass may have claimed the process after the first lock above and
   * before it left the registry (claim looks it up under procs_lock, so
   * none can now): it still holds state_lock, and the handle waits for it. */
  pthread_mutex_lock(&p->state_lock);
  pthread_mutex_unlock(&p->state_lock);
  proc_free_handle(p);
  return GH_OK;
}

gh_pid gh_self(const gh_proc *p) { return p ? p->pid : 0; }
bool gh_is_alive(const gh_proc *p) { return p && p->alive; }
const char *gh_name(const gh_proc *p) { return p ? p->name : ""; }

/* ---- hibernate_after ------------------------------------------------------------------ */

gh_status gh_wait(gh_proc *p) {
  if (!p)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  pthread_mutex_lock(&p->state_lock);
  bool was_waiting = p->waiting;
  p->waiting = true;
  p->wait_since_ms = gh__now_ms(p->rt);
  p->waits++;
  atomic_store(&p->wait_hint_since, p->wait_since_ms);
  atomic_store(&p->wait_hint, p->waits * 2 + 1);
  pthread_mutex_unlock(&p->state_lock);
  return was_waiting ? GH_ERR_BUSY : GH_OK;
}

gh_status gh_resume(gh_proc *p) {
  if (!p)
    return GH_ERR_NULL;
  pthread_mutex_lock(&p->state_lock); /* waits out a hibernation */
  bool was_waiting = p->waiting;
  p->waiting = false;
  atomic_store(&p->wait_hint, 0);
  p->flags &= ~(unsigned)GH_F_HIBERNATED;
  pthread_mutex_unlock(&p->state_lock);
  if (!p->alive)
    return GH_ERR_DEAD;
  return was_waiting ? GH_OK : GH_ERR_BUSY;
}

/* ---- Idle passes: hibernate_after and the idle census ---------------------- */

/* Processes are visited by pid from a snapshot of the registry, and each is
 * looked up again and claimed (its state_lock) on its own: the registry
 * lock is held only for the lookup, never during a sweep or a census, so
 * spawn, exit and sends go on meanwhile.  The clock is read after the claim,
 * so a wait cannot seem to have begun in the future. */
/* What a pass does to each waiting process it claims. */
typedef struct idle_pass {
  bool (*wants)(const gh_proc *p, uint64_t waited, const struct idle_pass *pass);
  gh_status (*act)(gh_proc *p, uint64_t waited, const struct idle_pass *pass);
  uint64_t min_wait_ms;      /* census */
  gh_census_trigger trigger; /* census */
} idle_pass;

/* The pids of the live processes; *n of them (NULL and 0 when none, or when
 * the allocator fails: then this pass does nothing). */
static gh_pid *snapshot_pids(gh_runtime *rt, size_t *n, size_t *cap) {
  pthread_rwlock_rdlock(&rt->procs_lock);
  *cap = rt->pid_count;
  gh_pid *pids = *cap ? gh__alloc(rt, *cap * sizeof *pids) : NULL;
  *n = 0;
  for (gh_proc *p = rt->all; pids && p && *n < *cap; p = p->all_next)
    if (p->alive)
      pids[(*n)++] = p->pid;
  pthread_rwlock_unlock(&rt->procs_lock);
  return pids;
}

/* Claims the live process `pid` if nobody holds it: its state_lock held on
 * return, or NULL. */
static gh_proc *claim(gh_runtime *rt, gh_pid pid) {
  pthread_rwlock_rdlock(&rt->procs_lock);
  gh_proc *p = gh__registry_lookup(rt, pid);
  if (p && pthread_mutex_trylock(&p->state_lock) != 0)
    p = NULL; /* its owner is resuming or exiting it: not idle */
  pthread_rwlock_unlock(&rt->procs_lock);
  return p;
}

/* The pass on the processes `pids` (claimed one at a time). */
static gh_status for_pids(gh_runtime *rt, const gh_pid *pids, size_t n,
                          const idle_pass *pass, size_t *count) {
  size_t done = 0;
  gh_status worst = GH_OK;
  for (size_t i = 0; i < n; i++) {
    gh_proc *p = claim(rt, pids[i]);
    if (!p)
      continue;
    uint64_t now = gh__now_ms(rt);
    /* waiting first: the other fields are the owner's unless it waits */
    if (p->waiting && p->alive) {
      uint64_t waited = waited_ms(p, now);
      if (pass->wants(p, waited, pass)) {
        gh_status s = pass->act(p, waited, pass);
        if (s == GH_OK)
          done++;
        else
          worst = s;
      }
    }
    pthread_mutex_unlock(&p->state_lock);
  }
  if (count)
    *count = done;
  return worst;
}

static gh_status for_each_idle(gh_runtime *rt, const idle_pass *pass,
                               size_t *count) {
  size_t n = 0, cap = 0;
  gh_pid *pids = snapshot_pids(rt, &n, &cap);
  gh_status s = for_pids(rt, pids, n, pass, count);
  if (pids)
    gh__free(rt, pids, cap * sizeof *pids);
  return s;
}

static bool wants_hibernation(const gh_proc *p, uint64_t waited,
                              const idle_pass *pass) {
  (void)pass;
  return p->hibernate_after_ms && !(p->flags & GH_F_HIBERNATED) &&
         mailbox_len(p) == 0 && waited >= p->hibernate_after_ms;
}

static gh_status hibernate_waiting(gh_proc *p, uint64_t waited,
                                   const idle_pass *pass) {
  (void)waited;
  (void)pass;
  return gh__hibernate(p);
}

gh_status gh_runtime_hibernate_idle(gh_runtime *rt, size_t *count) {
  if (!rt)
    return GH_ERR_NULL;
  const idle_pass pass = {wants_hibernation, hibernate_waiting, 0, 0};
  return for_each_idle(rt, &pass, count);
}

/* One census per wait: the heap of a waiting process cannot change. */
static bool wants_census(const gh_proc *p, uint64_t waited, const idle_pass *pass) {
  return p->census_wait != p->waits && waited >= pass->min_wait_ms;
}

static gh_status census_waiting(gh_proc *p, uint64_t waited, const idle_pass *pass) {
  gh_census_info info;
  gh_status s = gh__census_traced(p, pass->trigger, waited, &info);
  if (s == GH_OK) {
    p->census_wait = p->waits;
    atomic_store(&p->census_hint, p->waits * 2 + 1);
  }
  return s;
}

/* The census thread's view of a process's roots: when it last saw their
 * write count move.  Read by gh__roots_quiet_ms on any thread. */
static void observe_roots(gh_proc *p, uint64_t now) {
  uint64_t w = __atomic_load_n(&p->fast.root_writes, __ATOMIC_RELAXED);
  if (w == atomic_load_explicit(&p->writes_seen, memory_order_relaxed))
    return;
  atomic_store_explicit(&p->writes_changed_ms, now, memory_order_relaxed);
  atomic_store_explicit(&p->writes_seen, w, memory_order_release);
}

/* A wait worth a census (its hints say; the claim decides): waiting for
 * min_wait_ms and not counted yet. */
static bool census_due(gh_proc *p, uint64_t now, uint64_t min_wait_ms) {
  uint64_t hint = atomic_load_explicit(&p->wait_hint, memory_order_relaxed);
  if (!(hint & 1) || hint == atomic_load_explicit(&p->census_hint, memory_order_relaxed))
    return false;
  uint64_t since = atomic_load_explicit(&p->wait_hint_since, memory_order_relaxed);
  return now >= since && now - since >= min_wait_ms;
}

/* Every published process, under the read lock: no handle is freed while
 * it is held (gh_exit forgets a handle under the write lock first).  Looks
 * at its root writes, and lists the waits due a census in *due (an array
 * from the allocator, *ndue entries; NULL when none or out of memory), so
 * that a wait is counted within one period of becoming due. */
static gh_pid *observe_all(gh_runtime *rt, uint64_t min_wait_ms, size_t *ndue,
                           size_t *cap) {
  uint64_t now = gh__now_ms(rt);
  gh_pid *due = NULL;
  *ndue = *cap = 0;
  pthread_rwlock_rdlock(&rt->procs_lock);
  for (size_t b = 0; b < rt->pid_nbuckets; b++)
    for (gh_proc *p = rt->pid_buckets[b]; p; p = p->hash_next) {
      observe_roots(p, now);
      if (!census_due(p, now, min_wait_ms))
        continue;
      if (!due && (due = gh__alloc(rt, rt->pid_count * sizeof *due)))
        *cap = rt->pid_count;
      if (due && *ndue < *cap)
        due[(*ndue)++] = p->pid;
    }
  pthread_rwlock_unlock(&rt->procs_lock);
  return due;
}

/* One tick of the census thread: watch the roots, count the waits due. */
static void census_tick(gh_runtime *rt) {
  /* half an interval of waiting makes a census due */
  uint64_t min_wait = rt->census_interval_ms / 2;
  size_t n, cap;
  gh_pid *due = observe_all(rt, min_wait, &n, &cap);
  if (!due)
    return;
  const idle_pass pass = {wants_census, census_waiting, min_wait, GH_CENSUS_RECORDER};
  for_pids(rt, due, n, &pass, NULL);
  gh__free(rt, due, cap * sizeof *due);
}

static gh_status census_idle(gh_runtime *rt, uint64_t min_wait_ms,
                             gh_census_trigger trigger, size_t *count) {
  const idle_pass pass = {wants_census, census_waiting, min_wait_ms, trigger};
  return for_each_idle(rt, &pass, count);
}

/* How long the roots have certainly not changed, as far as the census
 * thread has seen (0 without it, or when they changed since its last
 * look): the garbage a census finds was there for at least that long. */
uint64_t gh__roots_quiet_ms(const gh_proc *p) {
  if (!p->rt->census_thread_started)
    return 0;
  uint64_t seen = atomic_load_explicit(&p->writes_seen, memory_order_acquire);
  if (seen != __atomic_load_n(&p->fast.root_writes, __ATOMIC_RELAXED))
    return 0;
  uint64_t since = atomic_load_explicit(&p->writes_changed_ms, memory_order_relaxed);
  uint64_t now = gh__now_ms(p->rt);
  return now > since ? now - since : 0;
}

gh_status gh_runtime_census_idle(gh_runtime *rt, uint64_t min_wait_ms,
                                 size_t *count) {
  if (!rt)
    return GH_ERR_NULL;
  return census_idle(rt, min_wait_ms, GH_CENSUS_IDLE, count);
}
