/* stats.c -- process_info-style figures (erts_process_gc_info). */
#include "term.h"

#include <string.h>

void gh__fill_info(const gh_proc *p, gh_gc_info *out) {
  memset(out, 0, sizeof *out);
  if (!p->alive)
    return;
  out->old_heap_block_size = p->old_heap ? (size_t)(p->old_hend - p->old_heap) : 0;
  out->heap_block_size = p->heap_sz;
  out->mbuf_size = p->mbuf_sz;
  out->recent_size = (size_t)(p->high_water - p->fast.heap);
  out->stack_size = (size_t)(p->fast.hend - p->fast.stop);
  out->old_heap_size = p->old_heap ? (size_t)(p->old_htop - p->old_heap) : 0;
  out->heap_size = (size_t)(p->fast.htop - p->fast.heap);
  out->bin_vheap_size = p->overhead;
  out->bin_vheap_block_size = p->bin_vheap_sz;
  out->bin_old_vheap_size = p->bin_old_vheap;
  out->bin_old_vheap_block_size = p->bin_old_vheap_sz;
  out->minor_gcs = p->minor_gcs;
  out->full_sweeps = p->full_sweeps;
  out->hibernations = p->hibernations;
  out->words_promoted = p->words_promoted;
  out->words_reclaimed = p->words_reclaimed;
  out->gen_gcs = p->gen_gcs;
  out->message_queue_len = mailbox_len(p);
  out->refc_binaries = p->refc_binaries;
}

gh_status gh_proc_info(const gh_proc *p, gh_gc_info *out) {
  if (!p || !out)
    return GH_ERR_NULL;
  if (!p->alive)
    return GH_ERR_DEAD;
  gh__fill_info(p, out);
  return GH_OK;
}

size_t gh_total_heap_size(const gh_proc *p) {
  if (!p || !p->alive)
    return 0;
  size_t old = p->old_heap ? (size_t)(p->old_hend - p->old_heap) : 0;
  return p->heap_sz + old + p->mbuf_sz;
}
