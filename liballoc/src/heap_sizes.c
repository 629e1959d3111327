/* heap_sizes.c -- BEAM's heap-size table and the sizing lookups.
 *
 * erl_gc.c (erts_init_gc): h[0]=12, h[1]=38, then h[i]=h[i-1]+h[i-2]+1 up to
 * index 22 (the +1 is BEAM's block header word), then 20% steps
 * h[i]=h[i-1]+h[i-1]/5.  The loop stops at the first entry beyond 2^50
 * words and, by a quirk kept here, also drops the last valid one: 137
 * entries ending at 885767171276247 on 64-bit, exactly as
 * erlang:system_info(heap_sizes) prints.
 */
#include "internal.h"

#include <pthread.h>

#define GH_MAX_HEAP_SIZES 154
#define GH_HEAP_SIZE_LIMIT ((uint64_t)1 << 50) /* 2^53 bytes / 8 */

static uint64_t heap_sizes[GH_MAX_HEAP_SIZES];
static size_t num_heap_sizes;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_table(void) {
  heap_sizes[0] = 12;
  heap_sizes[1] = 38;
  size_t i;
  for (i = 2; i < 23; i++)
    heap_sizes[i] = heap_sizes[i - 1] + heap_sizes[i - 2] + 1;
  for (; i < GH_MAX_HEAP_SIZES; i++) {
    heap_sizes[i] = heap_sizes[i - 1] + heap_sizes[i - 1] / 5;
    if (heap_sizes[i] > GH_HEAP_SIZE_LIMIT) {
      i--; /* erts_init_gc's quirk: the last valid entry goes too */
      break;
    }
  }
  num_heap_sizes = i;
}

static void ensure_table(void) { pthread_once(&table_once, build_table); }

size_t gh_heap_sizes_count(void) {
  ensure_table();
  return num_heap_sizes;
}

size_t gh_heap_size_at(size_t index) {
  ensure_table();
  return index < num_heap_sizes ? (size_t)heap_sizes[index] : 0;
}

/* erts_next_heap_size: the first entry >= words, then `offset` further. */
size_t gh_next_heap_size(size_t words, unsigned offset) {
  ensure_table();
  if (words < heap_sizes[0])
    return (size_t)heap_sizes[0];
  size_t lo = 0, hi = num_heap_sizes; /* first index with h >= words */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (heap_sizes[mid] < words)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo + offset >= num_heap_sizes)
    return 0;
  return (size_t)heap_sizes[lo + offset];
}

/* next_heap_size: the table lookup clamped to the process's minimum, which
 * hibernation may have left the heap below. */
size_t gh__next_heap_size(const gh_proc *p, size_t words, unsigned offset) {
  size_t n = gh_next_heap_size(words, offset);
  if (n == 0)
    return 0;
  return n < p->min_heap_size ? p->min_heap_size : n;
}

/* next_vheap_size (erl_gc.c): grow by the golden ratio while more than 75%
 * is used, halve once when under 25%, never below min_bin_vheap_size. */
uint64_t gh__next_vheap_size(const gh_proc *p, uint64_t vheap, uint64_t vheap_sz) {
  if (vheap / 3 > vheap_sz / 4) {
    while (vheap / 3 > vheap_sz / 4) {
      uint64_t grown = (uint64_t)((double)vheap_sz * 1.618);
      if (grown <= vheap_sz)
        break; /* overflow */
      vheap_sz = grown;
    }
  } else if (vheap < vheap_sz / 4) {
    vheap_sz /= 2;
  }
  return vheap_sz < p->min_vheap_size ? p->min_vheap_size : vheap_sz;
}
