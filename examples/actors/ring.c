/* ring.c -- the actors example program: a ring of actors passes a token
 * that carries a shared binary, a "hog" actor outgrows its max_heap_size
 * and is killed, idle ring members hibernate, and at the end nothing is
 * left alive: no process, no binary.
 *
 * The token is {token, HopsLeft, Bin}.  The first actor makes Bin (a refc
 * binary, shared by every copy of the message); each actor counts its
 * visits in its state (ACTOR_STATE_SLOT) and passes the token on; at zero
 * hops the holder drops it.  Terms are built the way genheap's README
 * teaches: gh_reserve, with the terms still needed as its roots, then put
 * builders, which never collect (docs/embedding.md, Rule 2).  The ring
 * then idles until every member has hibernated (--idle-ms at least), and
 * main sends `stop`: each actor passes it on and ends.
 *
 * Output: "stats actors ..." and "stats runtime ..." (key=value).  Exit
 * status 0 when every actor ended, one was killed (the hog) and the
 * runtime holds no process and no binary; 1 otherwise; 2 on usage errors.
 */
#include <getopt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/example.h"
#include "actors.h"

enum { A_START = 1, A_TOKEN, A_STOP, A_GROW };
#define HIBERNATE_GRACE_MS 10000

/* Set by the member that drops the token: main's cue to idle, then stop. */
static atomic_bool token_dropped;

typedef struct member {
  gh_pid next;
  uint64_t hops; /* for the first member: hops of the whole run */
  size_t bin_bytes;
} member;

static gh_term state_of(actor *self) {
  gh_term t;
  gh_slot_get(actor_proc(self), ACTOR_STATE_SLOT, &t);
  return t;
}

/* State: the number of visits, a small integer (GH_NIL before the first).
 * gh_slot_set never collects. */
static gh_status count_visit(actor *self) {
  gh_term s = state_of(self);
  int64_t visits = s == GH_NIL ? 0 : gh_small_value(s);
  return gh_slot_set(actor_proc(self), ACTOR_STATE_SLOT, gh_small(visits + 1));
}

/* Builds {token, Hops, Bin} and sends it to the next member: one
 * reservation (bin is its root), one put, and gh_send, which never
 * collects the sender. */
static gh_status pass_token(actor *self, int64_t hops, gh_term bin) {
  member *m = actor_ctx(self);
  gh_proc *p = actor_proc(self);
  gh_status s = gh_reserve(p, 4, &bin, 1);
  if (s != GH_OK)
    return s;
  gh_term elems[3] = {gh_atom(A_TOKEN), gh_small(hops), bin};
  return actor_send(self, m->next, gh_put_tuple(p, 3, elems));
}

static actor_result ring_member(actor *self, gh_term msg) {
  member *m = actor_ctx(self);
  gh_proc *p = actor_proc(self);
  if (msg == gh_atom(A_STOP)) {
    actor_send(self, m->next, msg); /* GH_ERR_NOPROC at the end: fine */
    return ACTOR_STOP;
  }
  if (msg == gh_atom(A_START)) {
    /* The token's binary, pushed as it is made (the push form: rooted at
     * once), read from the top slot, and popped once the token has it. */
    gh_term bin;
    if (gh_push_binary(p, NULL, m->bin_bytes) != GH_OK ||
        gh_slot_get(p, -1, &bin) != GH_OK)
      return ACTOR_STOP;
    gh_status s = pass_token(self, (int64_t)m->hops, bin);
    gh_pop(p, 1);
    return s == GH_OK ? ACTOR_CONTINUE : ACTOR_STOP;
  }
  /* {token, Hops, Bin}: its binary goes on in the next token. */
  if (count_visit(self) != GH_OK)
    return ACTOR_STOP;
  int64_t hops = gh_small_value(gh_tuple_element(msg, 1));
  gh_status s = GH_OK;
  if (hops > 0)
    s = pass_token(self, hops - 1, gh_tuple_element(msg, 2));
  else
    atomic_store(&token_dropped, true);
  return s == GH_OK ? ACTOR_CONTINUE : ACTOR_STOP;
}

/* The hog: on `grow`, conses an ever longer list onto its state, a
 * reservation of HOG_CHUNK cells at a time, until a reservation's
 * collection finds it over max_heap_size and kills it (GH_ERR_KILLED). */
#define HOG_CHUNK 256

static actor_result hog(actor *self, gh_term msg) {
  gh_proc *p = actor_proc(self);
  for (int64_t i = 0;; i += HOG_CHUNK) {
    gh_term list = state_of(self);
    if (gh_reserve(p, 2 * HOG_CHUNK, &list, 1) != GH_OK)
      return ACTOR_STOP;
    for (int64_t j = 0; j < HOG_CHUNK; j++)
      list = gh_put_cons(p, gh_small(i + j), list);
    if (gh_slot_set(p, ACTOR_STATE_SLOT, list) != GH_OK)
      return ACTOR_STOP;
  }
}

typedef struct config {
  uint64_t actors, hops, bin_bytes, schedulers, hibernate_after_ms, tick_ms,
      hog_limit, idle_ms;
} config;

static void usage(FILE *out) {
  fprintf(out,
"Usage: actors [OPTION]...\n"
"A minimal actor runtime on genheap (docs/embedding.md): a ring of actors\n"
"passes a token carrying a shared binary, a hog is killed by max_heap_size,\n"
"idle actors hibernate, and at the end nothing is left alive.\n"
"\n"
"      --actors N            actors in the ring (default 100)\n"
"      --hops N              token passes (default 5000)\n"
"      --bin-bytes N         size of the token's binary (default 4096)\n"
"      --schedulers N        scheduler threads (default 2)\n"
"      --hibernate-after MS  ring members' hibernate_after_ms (default 5)\n"
"      --tick-ms MS          timer thread period (default 2)\n"
"      --idle-ms MS          idle time after the token run (default 50),\n"
"                            and until every member hibernated\n"
"      --hog-limit WORDS     the hog's max_heap_size (default 50000)\n"
"  -h, --help                print this help\n"
"  -V, --version             print the version\n"
"\n"
"Output: 'stats actors key=value...' and 'stats runtime key=value...'.\n"
"Exit status: 0 all ended and nothing alive, 1 otherwise, 2 usage error.\n");
}

static const struct option long_options[] = {
    {"actors", required_argument, NULL, 'a'},
    {"hops", required_argument, NULL, 'n'},
    {"bin-bytes", required_argument, NULL, 'b'},
    {"schedulers", required_argument, NULL, 's'},
    {"hibernate-after", required_argument, NULL, 'H'},
    {"tick-ms", required_argument, NULL, 't'},
    {"idle-ms", required_argument, NULL, 'd'},
    {"hog-limit", required_argument, NULL, 'l'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}};

static void parse_args(int argc, char **argv, config *c) {
  *c = (config){.actors = 100, .hops = 5000, .bin_bytes = 4096, .schedulers = 2,
                .hibernate_after_ms = 5, .tick_ms = 2, .hog_limit = 50000,
                .idle_ms = 50};
  opterr = 0;
  int opt;
  while ((opt = getopt_long(argc, argv, "hV", long_options, NULL)) != -1) {
    switch (opt) {
    case 'h': usage(stdout); exit(EX_OK);
    case 'V': printf("actors (genheap) %s\n", gh_version()); exit(EX_OK);
    case 'a': c->actors = example_number("--actors", optarg, 1, 100000); break;
    case 'n': c->hops = example_number("--hops", optarg, 0, 100000000); break;
    case 'b': c->bin_bytes = example_number("--bin-bytes", optarg, 0, 64 << 20); break;
    case 's': c->schedulers = example_number("--schedulers", optarg, 1, 256); break;
    case 'H': c->hibernate_after_ms = example_number("--hibernate-after", optarg, 0, 86400000); break;
    case 'd': c->idle_ms = example_number("--idle-ms", optarg, 0, 3600000); break;
    case 't': c->tick_ms = example_number("--tick-ms", optarg, 1, 10000); break;
    case 'l': c->hog_limit = example_number("--hog-limit", optarg, 1000, 1 << 30); break;
    default: example_usage_error(argv[optind - 1]);
    }
  }
  if (optind < argc) {
    fprintf(stderr, "actors: unexpected argument '%s' (try --help)\n", argv[optind]);
    exit(EX_USAGE);
  }
}

/* Spawns the ring; members[i].next is set before any message is sent. */
static gh_pid spawn_ring(actor_system *sys, const config *c, member *members) {
  gh_pid first = 0;
  for (uint64_t i = 0; i < c->actors; i++) {
    members[i] = (member){.hops = c->hops, .bin_bytes = c->bin_bytes};
    actor_spawn_options o = {.name = "ring", .behaviour = ring_member,
                             .ctx = &members[i],
                             .hibernate_after_ms = c->hibernate_after_ms};
    gh_pid pid;
    CHECK(actor_spawn(sys, &o, &pid));
    if (i == 0)
      first = pid;
    else
      members[i - 1].next = pid;
  }
  members[c->actors - 1].next = first;
  return first;
}

/* Waits for the token run to end, then idle_ms, then (with hibernation on)
 * until every ring member hibernated at least once, or a grace period. */
static void idle_ring(actor_system *sys, const config *c) {
  while (!atomic_load(&token_dropped))
    example_sleep_ms(1);
  example_sleep_ms(c->idle_ms);
  uint64_t give_up = example_now_ms() + c->hibernate_after_ms + HIBERNATE_GRACE_MS;
  actor_system_stats st;
  actor_system_stats_get(sys, &st);
  while (c->hibernate_after_ms && st.hibernations < c->actors &&
         example_now_ms() < give_up) {
    example_sleep_ms(c->tick_ms);
    actor_system_stats_get(sys, &st);
  }
}

int main(int argc, char **argv) {
  example_progname = "actors";
  config c;
  parse_args(argc, argv, &c);
  member *members = calloc(c.actors, sizeof *members);
  if (!members)
    example_fail(example_progname, "calloc", GH_ERR_NOMEM);
  actor_system *sys;
  CHECK(actor_system_new((unsigned)c.schedulers, c.tick_ms, &sys));
  gh_pid first = spawn_ring(sys, &c, members);
  actor_spawn_options ho = {.name = "hog", .behaviour = hog,
                            .max_heap_size = c.hog_limit};
  gh_pid hog_pid;
  CHECK(actor_spawn(sys, &ho, &hog_pid));
  CHECK(actor_inject(sys, hog_pid, gh_atom(A_GROW)));
  CHECK(actor_inject(sys, first, gh_atom(A_START)));
  idle_ring(sys, &c);
  CHECK(actor_inject(sys, first, gh_atom(A_STOP)));
  actor_system_wait_all(sys);

  actor_system_stats st;
  actor_system_stats_get(sys, &st);
  gh_runtime_stats rs;
  gh_runtime_stats_get(actor_system_runtime(sys), &rs);
  printf("stats actors spawned=%llu exited=%llu killed=%llu hibernations=%llu "
         "messages=%llu\n",
         (unsigned long long)st.spawned, (unsigned long long)st.exited,
         (unsigned long long)st.killed, (unsigned long long)st.hibernations,
         (unsigned long long)st.messages);
  printf("stats runtime processes_alive=%llu processes_spawned=%llu "
         "processes_killed=%llu binaries_alive=%llu binary_bytes=%llu "
         "heap_words=%llu\n",
         (unsigned long long)rs.processes_alive,
         (unsigned long long)rs.processes_spawned,
         (unsigned long long)rs.processes_killed,
         (unsigned long long)rs.binaries_alive,
         (unsigned long long)rs.binary_bytes, (unsigned long long)rs.heap_words);
  fflush(stdout);
  actor_system_free(sys);
  free(members);
  bool clean = st.exited == st.spawned && st.killed == 1 &&
               rs.processes_alive == 0 && rs.binaries_alive == 0;
  return clean ? EX_OK : EX_FAILED;
}
