#!/bin/sh
echo "demo: being written" >&2
exit 1
