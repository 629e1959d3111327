/* actors.h -- a minimal actor runtime on genheap, the embedding guide's
 * example (docs/embedding.md walks through actors.c).
 *
 * An actor is a genheap process plus a behaviour: a C function called with
 * each message.  A fixed set of scheduler threads runs the actors that have
 * mail, one thread per actor at a time; an actor without mail waits (and
 * may be hibernated by the system's timer thread).  Actors talk by pid.
 */
#ifndef ACTORS_H
#define ACTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "genheap.h"

typedef struct actor_system actor_system;
typedef struct actor actor;

typedef enum actor_result { ACTOR_CONTINUE, ACTOR_STOP } actor_result;

/* A behaviour: handles one message on a scheduler thread.  `msg` sits in a
 * heap fragment of the actor's process: like any gh_term it is stale after
 * a call marked [GC], so push it (or parts of it) first.  Slot 0 holds the
 * actor's state between messages.  A behaviour returns ACTOR_STOP to end
 * the actor, and also when a call failed: when its max_heap_size kills the
 * process, the call that collected returns GH_ERR_KILLED and every later
 * call on it GH_ERR_DEAD. */
typedef actor_result (*actor_fn)(actor *self, gh_term msg);

typedef struct actor_spawn_options {
  const char *name;
  actor_fn behaviour;
  void *ctx;                  /* the behaviour's own data: actor_ctx() */
  size_t max_heap_size;       /* words; 0: no limit */
  uint64_t hibernate_after_ms; /* 0: never */
} actor_spawn_options;

typedef struct actor_system_stats {
  uint64_t spawned, exited, killed, hibernations, messages;
} actor_system_stats;

/* Starts `schedulers` threads and a timer thread that runs
 * gh_runtime_hibernate_idle every tick_ms. */
gh_status actor_system_new(unsigned schedulers, uint64_t tick_ms,
                           actor_system **out);
/* Blocks until every actor has ended. */
void actor_system_wait_all(actor_system *sys);
/* Stops the threads and frees everything (actors still alive too). */
void actor_system_free(actor_system *sys);
void actor_system_stats_get(actor_system *sys, actor_system_stats *out);
gh_runtime *actor_system_runtime(actor_system *sys);

/* [any thread] A new actor, waiting for its first message. */
gh_status actor_spawn(actor_system *sys, const actor_spawn_options *opts,
                      gh_pid *out);
/* [any thread] Sends an immediate term (atom, small integer, pid) from
 * outside any actor, e.g. to start the first one. */
gh_status actor_inject(actor_system *sys, gh_pid to, gh_term immediate);

/* Inside a behaviour only. */
gh_proc *actor_proc(actor *self);
void *actor_ctx(actor *self);
actor_system *actor_sys(actor *self);
/* Sends `msg` (a term of self's heap) to `to` and wakes it up. */
gh_status actor_send(actor *self, gh_pid to, gh_term msg);

#endif /* ACTORS_H */
