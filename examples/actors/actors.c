/* actors.c -- a minimal actor runtime that embeds genheap the way a
 * language runtime would.  docs/embedding.md is the guide to this file.
 *
 * The rules it follows (genheap.h):
 *  1. A gh_proc is used by one thread at a time.  Here an actor's process is
 *     touched only by the scheduler that took the actor off the run queue
 *     (state RUNNING), or by the thread that spawned it before it was ever
 *     queued.  Taking an actor off the queue under sys->lock is the hand-over:
 *     the mutex orders the previous owner's writes before the new owner's.
 *  2. Terms live in stack slots across [GC] calls: an actor's state is slot
 *     ACTOR_STATE_SLOT.  Behaviours build with gh_reserve (the terms they
 *     still need as its roots) and the put builders, which never collect,
 *     and push, naming from the top, whatever else they keep.
 *  3. gh_wait when an actor starts waiting for mail, gh_resume before its
 *     process is touched again; a timer thread calls
 *     gh_runtime_hibernate_idle, which hibernates processes that waited at
 *     least their hibernate_after_ms.
 *  4. max_heap_size: the library kills the process inside the collecting
 *     call and tells the host through on_kill; the behaviour sees
 *     GH_ERR_KILLED, returns ACTOR_STOP, and the scheduler ends the actor.
 *
 * Scheduling.  An actor is IDLE (waiting, no mail seen), QUEUED or RUNNING.
 * actor_send delivers with gh_send (any thread may send to any pid) and
 * then wakes the receiver: IDLE -> QUEUED; RUNNING -> `notified`, so the
 * scheduler re-queues it instead of letting it wait.  The check "mailbox
 * empty and not notified" and the move to IDLE happen under sys->lock, and
 * a waker takes sys->lock after its gh_send, so no wake-up is lost.
 */
#include "actors.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Messages an actor handles before it goes to the back of the queue. */
#define REDUCTIONS 32

enum actor_state { IDLE, QUEUED, RUNNING };

struct actor {
  actor_system *sys;
  gh_proc *proc;
  gh_pid pid;
  actor_fn behaviour;
  void *ctx;
  enum actor_state state; /* sys->lock */
  bool notified;          /* sys->lock: mail arrived while RUNNING */
  bool waiting;           /* between gh_wait and gh_resume (owner only) */
  actor *next_queued;     /* sys->lock */
};

struct actor_system {
  gh_runtime *rt;
  pthread_mutex_t lock;    /* run queue, registry, actor states, counters */
  pthread_cond_t work;     /* schedulers wait for the run queue */
  pthread_cond_t all_done; /* actor_system_wait_all */
  actor *queue_head, *queue_tail;
  actor **by_pid;          /* registry indexed by pid (pids are never reused) */
  size_t by_pid_cap;
  uint64_t alive;
  actor_system_stats stats;
  bool stopping;
  uint64_t tick_ms;
  unsigned nschedulers;
  pthread_t timer;
  pthread_t schedulers[];
};

/* ---- Run queue and registry (sys->lock held) ---------------------------- */

static void enqueue(actor_system *sys, actor *a) {
  a->state = QUEUED;
  a->next_queued = NULL;
  if (sys->queue_tail)
    sys->queue_tail->next_queued = a;
  else
    sys->queue_head = a;
  sys->queue_tail = a;
  pthread_cond_signal(&sys->work);
}

static actor *dequeue(actor_system *sys) {
  actor *a = sys->queue_head;
  if (a) {
    sys->queue_head = a->next_queued;
    if (!sys->queue_head)
      sys->queue_tail = NULL;
  }
  return a;
}

static actor *lookup(actor_system *sys, gh_pid pid) {
  return pid < sys->by_pid_cap ? sys->by_pid[pid] : NULL;
}

static bool register_actor(actor_system *sys, actor *a) {
  if (a->pid >= sys->by_pid_cap) {
    size_t cap = sys->by_pid_cap ? sys->by_pid_cap : 64;
    while (cap <= a->pid)
      cap *= 2;
    actor **grown = realloc(sys->by_pid, cap * sizeof *grown);
    if (!grown)
      return false;
    memset(grown + sys->by_pid_cap, 0, (cap - sys->by_pid_cap) * sizeof *grown);
    sys->by_pid = grown;
    sys->by_pid_cap = cap;
  }
  sys->by_pid[a->pid] = a;
  return true;
}

/* ---- Sending ------------------------------------------------------------ */

/* Makes sure the actor `pid` will look at its mailbox. */
static void wake(actor_system *sys, gh_pid pid) {
  pthread_mutex_lock(&sys->lock);
  actor *a = lookup(sys, pid);
  if (a && a->state == IDLE)
    enqueue(sys, a);
  else if (a && a->state == RUNNING)
    a->notified = true;
  pthread_mutex_unlock(&sys->lock);
}

gh_status actor_send(actor *self, gh_pid to, gh_term msg) {
  gh_status s = gh_send(self->proc, to, msg);
  if (s == GH_OK)
    wake(self->sys, to);
  return s;
}

/* A throw-away process sends the term: gh_send needs a sender, and an
 * immediate needs no heap.  It exits at once, so nothing stays alive. */
gh_status actor_inject(actor_system *sys, gh_pid to, gh_term immediate) {
  gh_spawn_options o;
  gh_spawn_options_init(&o);
  o.name = "inject";
  gh_proc *p;
  gh_status s = gh_spawn(sys->rt, &o, &p);
  if (s != GH_OK)
    return s;
  s = gh_send(p, to, immediate);
  gh_exit(p);
  if (s == GH_OK)
    wake(sys, to);
  return s;
}

/* ---- Spawning and ending ------------------------------------------------ */

gh_status actor_spawn(actor_system *sys, const actor_spawn_options *opts,
                      gh_pid *out) {
  if (!sys || !opts || !opts->behaviour)
    return GH_ERR_NULL;
  actor *a = calloc(1, sizeof *a);
  if (!a)
    return GH_ERR_NOMEM;
  gh_spawn_options so;
  gh_spawn_options_init(&so);
  so.name = opts->name;
  so.max_heap_size = opts->max_heap_size;
  so.hibernate_after_ms = opts->hibernate_after_ms;
  gh_status s = gh_spawn(sys->rt, &so, &a->proc);
  if (s == GH_OK)
    s = gh_push(a->proc, GH_NIL); /* ACTOR_STATE_SLOT: the state */
  if (s == GH_OK)
    s = gh_wait(a->proc); /* waits for its first message */
  a->sys = sys;
  a->pid = a->proc ? gh_self(a->proc) : 0;
  a->behaviour = opts->behaviour;
  a->ctx = opts->ctx;
  a->waiting = true;
  a->state = IDLE;
  pthread_mutex_lock(&sys->lock);
  if (s == GH_OK && !register_actor(sys, a))
    s = GH_ERR_NOMEM;
  if (s == GH_OK) {
    sys->alive++;
    sys->stats.spawned++;
  }
  pthread_mutex_unlock(&sys->lock);
  if (s != GH_OK) {
    if (a->proc)
      gh_exit(a->proc);
    free(a);
    return s;
  }
  if (out)
    *out = a->pid;
  return GH_OK;
}

/* The actor is RUNNING (owned by this thread): unregister it first, so
 * that no waker finds it, then release its process. */
static void end_actor(actor_system *sys, actor *a) {
  pthread_mutex_lock(&sys->lock);
  sys->by_pid[a->pid] = NULL;
  pthread_mutex_unlock(&sys->lock);
  gh_exit(a->proc); /* heaps, binary references, unread mail */
  pthread_mutex_lock(&sys->lock);
  sys->stats.exited++;
  if (--sys->alive == 0)
    pthread_cond_broadcast(&sys->all_done);
  pthread_mutex_unlock(&sys->lock);
  free(a);
}

/* ---- Schedulers --------------------------------------------------------- */

/* Runs up to REDUCTIONS messages; false when the actor has ended. */
static bool run_actor(actor_system *sys, actor *a) {
  if (a->waiting) {
    gh_resume(a->proc); /* waits out a hibernation in progress */
    a->waiting = false;
  }
  gh_term msg;
  for (int n = 0; n < REDUCTIONS && gh_receive(a->proc, &msg) == GH_OK; n++) {
    pthread_mutex_lock(&sys->lock);
    sys->stats.messages++;
    pthread_mutex_unlock(&sys->lock);
    if (a->behaviour(a, msg) == ACTOR_STOP || !gh_is_alive(a->proc)) {
      end_actor(sys, a);
      return false;
    }
  }
  return true;
}

/* After a run: back to the queue if there is mail, else wait. */
static void park(actor_system *sys, actor *a) {
  pthread_mutex_lock(&sys->lock);
  if (a->notified || gh_message_queue_len(a->proc) > 0) {
    a->notified = false;
    enqueue(sys, a);
  } else {
    gh_wait(a->proc); /* from here the timer thread may hibernate it */
    a->waiting = true;
    a->state = IDLE;
  }
  pthread_mutex_unlock(&sys->lock);
}

static void *scheduler_main(void *arg) {
  actor_system *sys = arg;
  for (;;) {
    pthread_mutex_lock(&sys->lock);
    actor *a;
    while (!(a = dequeue(sys)) && !sys->stopping)
      pthread_cond_wait(&sys->work, &sys->lock);
    if (!a) {
      pthread_mutex_unlock(&sys->lock);
      return NULL;
    }
    a->state = RUNNING; /* this thread owns a->proc until it parks it */
    a->notified = false;
    pthread_mutex_unlock(&sys->lock);
    if (run_actor(sys, a))
      park(sys, a);
  }
}

/* ---- Timer thread and kills --------------------------------------------- */

static void *timer_main(void *arg) {
  actor_system *sys = arg;
  struct timespec tick = {(time_t)(sys->tick_ms / 1000),
                          (long)(sys->tick_ms % 1000) * 1000000L};
  for (;;) {
    nanosleep(&tick, NULL);
    size_t n = 0;
    gh_runtime_hibernate_idle(sys->rt, &n); /* [any thread] */
    pthread_mutex_lock(&sys->lock);
    sys->stats.hibernations += n;
    bool stop = sys->stopping;
    pthread_mutex_unlock(&sys->lock);
    if (stop)
      return NULL;
  }
}

/* on_kill: runs on the scheduler thread inside the [GC] call that found
 * the heap too big.  The process is already dead; the behaviour's call
 * returns GH_ERR_KILLED and run_actor ends the actor. */
static void on_kill(void *ctx, gh_proc *proc, gh_pid pid, size_t total_words,
                    size_t limit_words) {
  actor_system *sys = ctx;
  fprintf(stderr, "actors: %s (pid %llu) killed by max_heap_size: %zu words > %zu\n",
          gh_name(proc), (unsigned long long)pid, total_words, limit_words);
  pthread_mutex_lock(&sys->lock);
  sys->stats.killed++;
  pthread_mutex_unlock(&sys->lock);
}

/* ---- The system --------------------------------------------------------- */

gh_status actor_system_new(unsigned schedulers, uint64_t tick_ms,
                           actor_system **out) {
  if (!out)
    return GH_ERR_NULL;
  if (schedulers == 0 || schedulers > 256 || tick_ms == 0)
    return GH_ERR_BADARG;
  actor_system *sys = calloc(1, sizeof *sys + schedulers * sizeof(pthread_t));
  if (!sys)
    return GH_ERR_NOMEM;
  gh_runtime_options ro;
  gh_runtime_options_init(&ro);
  ro.on_kill = on_kill;
  ro.on_kill_ctx = sys;
  gh_status s = gh_runtime_new(&ro, &sys->rt);
  if (s != GH_OK) {
    free(sys);
    return s;
  }
  pthread_mutex_init(&sys->lock, NULL);
  pthread_cond_init(&sys->work, NULL);
  pthread_cond_init(&sys->all_done, NULL);
  sys->tick_ms = tick_ms;
  sys->nschedulers = schedulers;
  for (unsigned i = 0; i < schedulers; i++)
    pthread_create(&sys->schedulers[i], NULL, scheduler_main, sys);
  pthread_create(&sys->timer, NULL, timer_main, sys);
  *out = sys;
  return GH_OK;
}

void actor_system_wait_all(actor_system *sys) {
  pthread_mutex_lock(&sys->lock);
  while (sys->alive > 0)
    pthread_cond_wait(&sys->all_done, &sys->lock);
  pthread_mutex_unlock(&sys->lock);
}

void actor_system_free(actor_system *sys) {
  if (!sys)
    return;
  pthread_mutex_lock(&sys->lock);
  sys->stopping = true;
  pthread_cond_broadcast(&sys->work);
  pthread_mutex_unlock(&sys->lock);
  for (unsigned i = 0; i < sys->nschedulers; i++)
    pthread_join(sys->schedulers[i], NULL);
  pthread_join(sys->timer, NULL);
  for (size_t pid = 0; pid < sys->by_pid_cap; pid++)
    free(sys->by_pid[pid]); /* actors still alive: gh_runtime_free ends them */
  free(sys->by_pid);
  gh_runtime_free(sys->rt);
  free(sys);
}

void actor_system_stats_get(actor_system *sys, actor_system_stats *out) {
  pthread_mutex_lock(&sys->lock);
  *out = sys->stats;
  pthread_mutex_unlock(&sys->lock);
}

gh_runtime *actor_system_runtime(actor_system *sys) { return sys->rt; }
gh_proc *actor_proc(actor *self) { return self->proc; }
void *actor_ctx(actor *self) { return self->ctx; }
actor_system *actor_sys(actor *self) { return self->sys; }
