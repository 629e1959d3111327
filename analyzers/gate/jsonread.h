/* jsonread.h -- reads JSON text as a stream of values, without a tree.
 *
 * A baseline report of a BEAM node holds 10^5-10^6 processes; the gate
 * keeps one row per process name, so the reader hands each value to a
 * callback with where it sits (its path from the root) and keeps nothing
 * but the path and the string at hand.  Strict RFC 8259: anything else is
 * an error naming the byte offset.
 */
#ifndef GHA_JSONREAD_H
#define GHA_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GHA_JR_DEPTH 16 /* nesting deeper than this is refused */
#define GHA_JR_KEY   64 /* keys are compared on their first 63 bytes */

enum gha_jr_kind {
  GHA_JR_NULL,
  GHA_JR_BOOL,
  GHA_JR_NUMBER,
  GHA_JR_STRING,
  GHA_JR_OBJECT, /* an object begins (its members follow) */
  GHA_JR_ARRAY,  /* an array begins */
  GHA_JR_END,    /* the object or array at this path ended */
};

struct gha_jr_value {
  enum gha_jr_kind kind;
  const char *str; /* GHA_JR_STRING: unescaped UTF-8 (\u0000 is refused) */
  double num;      /* GHA_JR_NUMBER; GHA_JR_BOOL: 0 or 1 */
};

/* Where a value sits: at[d] is the member key or the array index at depth
 * d + 1; the root value has depth 0. */
struct gha_jr_path {
  unsigned depth;
  struct {
    bool in_array;
    uint64_t index;
    char key[GHA_JR_KEY];
  } at[GHA_JR_DEPTH];
};

/* True when the path is exactly these steps: a member name, or "#" for any
 * array element (NULL-terminated). */
bool gha_jr_at(const struct gha_jr_path *p, ...) __attribute__((sentinel));

/* 0 to go on; -1 to stop, with the reason in why. */
typedef int (*gha_jr_fn)(void *ctx, const struct gha_jr_path *p,
                         const struct gha_jr_value *v, char *why, size_t size);

/* Reads one JSON value from f to its end.  0, or -1 with the problem in why
 * ("not JSON at byte N: ..." or the callback's reason). */
int gha_jr_read(FILE *f, gha_jr_fn fn, void *ctx, char *why, size_t size);

#endif /* GHA_JSONREAD_H */
