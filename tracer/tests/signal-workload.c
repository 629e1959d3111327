/* signal-workload.c -- a genheap program that waits for signals, for the
 * recorder's signal tests.
 *
 * Usage: signal-workload READY LOG [--ignore-int]
 *
 * Runs a genheap process "waiter" and collects it (so a trace has events),
 * writes its pid into the file READY, then waits for SIGINT, SIGHUP and
 * SIGTERM.  Each
 * one is appended to LOG as one line, "INT from kernel" (a terminal's ^C) or
 * "TERM from pid N" (kill(2) by process N), and then:
 *
 *   SIGTERM  the program dies of it, as a program that does not catch it;
 *   SIGHUP   it exits with status 3, as one that handles it and ends;
 *   SIGINT   it dies of it, or with --ignore-int goes on waiting.
 *
 * The signals are blocked and taken with sigwaitinfo(), so each is logged
 * from ordinary code, with who sent it.  After 60 s the program dies of
 * SIGALRM: a safety net for a test that went wrong, never a measurement.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "genheap.h"

#define CHECK(call)                                                            \
  do {                                                                         \
    gh_status check_status_ = (call);                                          \
    if (check_status_ != GH_OK) {                                              \
      fprintf(stderr, "signal-workload: %s:%d: %s: %s\n", __FILE__, __LINE__,  \
              #call, gh_strerror(check_status_));                              \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

static void write_pid(const char *path) {
  FILE *f = fopen(path, "w");
  if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
    perror(path);
    exit(1);
  }
}

static void log_signal(const char *path, const siginfo_t *info) {
  FILE *f = fopen(path, "a");
  if (f == NULL) {
    perror(path);
    exit(1);
  }
  const char *name = info->si_signo == SIGINT   ? "INT"
                     : info->si_signo == SIGHUP ? "HUP"
                                                : "TERM";
  if (info->si_code == SI_USER)
    fprintf(f, "%s from pid %ld\n", name, (long)info->si_pid);
  else
    fprintf(f, "%s from kernel\n", name);
  if (fclose(f) != 0) {
    perror(path);
    exit(1);
  }
}

static void die_of(int sig, const sigset_t *blocked) {
  signal(sig, SIG_DFL);
  raise(sig);
  sigprocmask(SIG_UNBLOCK, blocked, NULL); /* delivered here */
  exit(1);                                 /* not reached */
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--ignore-int"))) {
    fprintf(stderr, "usage: signal-workload READY LOG [--ignore-int]\n");
    return 2;
  }
  int ignore_int = argc == 4;
  sigset_t waited;
  sigemptyset(&waited);
  sigaddset(&waited, SIGINT);
  sigaddset(&waited, SIGHUP);
  sigaddset(&waited, SIGTERM);
  sigprocmask(SIG_BLOCK, &waited, NULL);

  gh_runtime_options ropts;
  gh_runtime_options_init(&ropts);
  gh_runtime *rt;
  CHECK(gh_runtime_new(&ropts, &rt));
  gh_spawn_options sopts;
  gh_spawn_options_init(&sopts);
  sopts.name = "waiter";
  gh_proc *p = NULL;
  CHECK(gh_spawn(rt, &sopts, &p));
  CHECK(gh_gc(p, GH_GC_MINOR));
  alarm(60);
  write_pid(argv[1]);

  for (;;) {
    siginfo_t info;
    if (sigwaitinfo(&waited, &info) < 0)
      continue; /* EINTR */
    log_signal(argv[2], &info);
    if (info.si_signo == SIGHUP)
      return 3;
    if (info.si_signo == SIGINT && ignore_int)
      continue;
    die_of(info.si_signo, &waited);
  }
}
