#!/bin/sh
# run.sh -- `make bench`: make sure every peer allocator is there, build the
# contenders, and run the driver (arguments are passed to bench-driver).
#
# Run from the bench build directory (make does).  The peers come from
# Debian's packages; if a header is missing and we are root with apt-get,
# they are installed, else that contender is left out of the tables.
set -u
MAKE=${MAKE:-make}

missing=""
[ -f /usr/include/jemalloc/jemalloc.h ] || missing="$missing libjemalloc-dev"
[ -f /usr/include/mimalloc.h ] || missing="$missing libmimalloc-dev"
[ -f /usr/include/gc.h ] || missing="$missing libgc-dev"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "run.sh: installing$missing"
    if ! apt-get install -y $missing >/dev/null; then
      apt-get update >/dev/null && apt-get install -y $missing >/dev/null
    fi
  else
    echo "run.sh: missing$missing (not root or no apt-get): skipped"
  fi
fi

for peer in jemalloc mimalloc boehm; do
  $MAKE bench-$peer >/dev/null 2>&1 ||
    echo "run.sh: bench-$peer could not be built: left out"
done

# The tests' GC stress mode would time a different library: never inherit it.
unset GENHEAP_GC_STRESS GENHEAP_VERIFY
exec ./bench-driver "$@"
