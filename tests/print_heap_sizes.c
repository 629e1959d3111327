/* print_heap_sizes.c -- prints the first N heap sizes as an Erlang list, so
 * beam-heap-sizes.sh can compare them with a live erl's output. */
#include <stdio.h>
#include <stdlib.h>

#include "genheap.h"

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 40;
  putchar('[');
  for (size_t i = 0; i < n; i++)
    printf("%s%zu", i ? "," : "", gh_heap_size_at(i));
  puts("]");
  return 0;
}
