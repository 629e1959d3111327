/* status.c -- version, error messages and names of enumerations. */
#include "internal.h"

/* configure's PACKAGE_VERSION; a build without config.h (the fuzzers
 * compile the sources directly) spells genheap.h's numbers, which
 * configure checks are the same. */
#ifndef PACKAGE_VERSION
#define GH_STR_(x) #x
#define GH_STR(x) GH_STR_(x)
#define PACKAGE_VERSION                                                        \
  GH_STR(GH_VERSION_MAJOR) "." GH_STR(GH_VERSION_MINOR) "." GH_STR(GH_VERSION_PATCH)
#endif

const char *gh_version(void) { return PACKAGE_VERSION; }

const char *gh_strerror(gh_status status) {
  switch (status) {
  case GH_OK: return "success";
  case GH_ERR_NULL: return "a required pointer argument was NULL";
  case GH_ERR_BADARG: return "an argument is out of range or of the wrong kind";
  case GH_ERR_NOMEM: return "the backing allocator could not provide memory";
  case GH_ERR_DEAD: return "the process has exited or was killed";
  case GH_ERR_NOPROC: return "no live process has that pid";
  case GH_ERR_FOREIGN_TERM: return "the term lives on another process's heap (copy it with gh_send)";
  case GH_ERR_NOT_A_BINARY: return "the term is not a binary";
  case GH_ERR_RANGE: return "a slot index or a binary slice is out of range";
  case GH_ERR_EMPTY: return "nothing to take: the mailbox or the stack is empty";
  case GH_ERR_PENDING: return "hibernate skipped: a message is waiting";
  case GH_ERR_KILLED: return "the process exceeded max_heap_size and was killed";
  case GH_ERR_TOO_LARGE: return "the request exceeds the largest heap size";
  case GH_ERR_BUSY: return "the process is not in the state this call needs";
  case GH_ERR_NOT_A_RESOURCE: return "the term is not a resource of that type";
  }
  return "unknown status";
}

const char *gh_sweep_reason_name(gh_sweep_reason reason) {
  switch (reason) {
  case GH_SWEEP_FULLSWEEP_AFTER: return "fullsweep_after";
  case GH_SWEEP_OLD_HEAP_FULL: return "old_heap_full";
  case GH_SWEEP_VHEAP_OVERFLOW: return "vheap_overflow";
  case GH_SWEEP_EXPLICIT: return "explicit";
  case GH_SWEEP_HIBERNATE: return "hibernate";
  case GH_SWEEP_NO_OLD_HEAP: return "no_old_heap";
  }
  return "unknown";
}

const char *gh_census_trigger_name(gh_census_trigger trigger) {
  switch (trigger) {
  case GH_CENSUS_EXPLICIT: return "explicit";
  case GH_CENSUS_IDLE: return "idle";
  case GH_CENSUS_EXIT: return "exit";
  case GH_CENSUS_RUNTIME_END: return "runtime_end";
  case GH_CENSUS_RECORDER: return "recorder";
  }
  return "unknown";
}
