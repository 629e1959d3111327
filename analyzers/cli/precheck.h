/* precheck.h -- checks a CTF trace folder before babeltrace2 opens it.
 *
 * babeltrace2 2.0.4 spins forever on a metadata file cut inside a packet,
 * aborts on a packet size with bit 63 set, allocates without bound on a
 * packet size of zero, and skips empty or non-regular stream files without a
 * word.  Everything that can be validated cheaply is validated here, without
 * babeltrace2: the metadata packet headers (CTF 1.8 packetized TSDL), the
 * packet header and context layout declared by the TSDL, the header and
 * context of every packet of every stream file (one small read per packet),
 * and the index files (index/NAME.idx).  What cannot be checked this way is
 * left to the watchdog (watchdog.h).
 *
 * A problem that would make the reader hang, crash or decode garbage is an
 * error (the trace must not be opened); a trace that can be read but lacks
 * data (a stream cut at a packet boundary or truncated to nothing) gets a
 * warning and is counted in struct gha_trace_facts.  No babeltrace2 here:
 * the CLI, the plugin and the fuzz harness can all call it.
 */
#ifndef GHA_PRECHECK_H
#define GHA_PRECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the pre-check saw in one trace folder; report writers may show it. */
struct gha_trace_facts {
  uint32_t traces;         /* trace folders checked (1; sums count them) */
  uint32_t streams;        /* stream files checked */
  uint64_t packets;        /* packets in them */
  uint32_t empty_streams;  /* stream files with no packet (the reader skips them) */
  uint32_t cut_streams;    /* fewer packets than their index lists: data missing */
  bool layout_unchecked;   /* packet layout not understood: streams not checked */
};

/* True when the trace lacks data it once had (see gha_trace_facts). */
bool gha_trace_facts_partial(const struct gha_trace_facts *f);

#define GHA_PRECHECK_MSG 512

struct gha_precheck {
  struct gha_trace_facts facts;
  char error[GHA_PRECHECK_MSG]; /* one line naming the file, when it failed */
  char **warnings;              /* one line each, naming the file */
  size_t nwarnings;
};

/* Checks the trace folder `dir` (the one that holds `metadata`).  0 when
 * babeltrace2 may open it (warnings possibly set), -1 with pc->error set.
 * Free with gha_precheck_free either way. */
int gha_precheck_trace(const char *dir, struct gha_precheck *pc);
void gha_precheck_free(struct gha_precheck *pc);

/* The stream file of `dir` whose first packet has this stream class and
 * stream instance id (how babeltrace2 names a stream), as DIR/NAME in
 * `name`.  0, or -1 when not found.  For error messages. */
int gha_precheck_find_stream(const char *dir, uint64_t class_id,
                             uint64_t instance, char *name, size_t cap);

#endif /* GHA_PRECHECK_H */
