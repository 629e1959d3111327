/* convert.h -- babeltrace2 messages to gha_event, the only place that knows
 * both the trace IR and the analyzer core.
 */
#ifndef GHA_CONVERT_H
#define GHA_CONVERT_H

#include <babeltrace2/babeltrace.h>

#include "gha.h"

struct gha_ec_entry; /* cached decoding plan of one event class */
struct gha_trace_entry;

struct gha_bt2 {
  struct gha_analyzer *an;
  struct gha_ec_entry *ecs;   /* open addressing by event class pointer */
  size_t ecs_cap, ecs_len;
  struct gha_trace_entry *traces;
  size_t ntraces;
  uint64_t genheap_events;
  char error[512];            /* the first conversion error, one line */
};

void gha_bt2_init(struct gha_bt2 *cv, struct gha_analyzer *an);
void gha_bt2_fini(struct gha_bt2 *cv);
/* Feeds one message to the analyzer.  0, or -1 with cv->error set. */
int gha_bt2_handle(struct gha_bt2 *cv, const bt_message *msg);

#endif /* GHA_CONVERT_H */
