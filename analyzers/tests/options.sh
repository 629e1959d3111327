#!/bin/sh
# options.sh -- one table of analysis options (core/options.c) for the CLI
# and the plugin: both take the same names and values and refuse the same
# mistakes, each with one line naming the option; --help is built from the
# tables and says what the man page says (every option, exit status 130,
# the environment variables).  Hand-made trace (make-ctf.sh): no LTTng.
. "$srcdir/tests/lib.sh"
sh "$srcdir/tests/make-ctf.sh" "$work/t" genheap
MAN=$srcdir/genheap-analyze.1

# bad values: exit 2, one line that names the option and the value
for bad in min-idle=inf min-idle=1e300 min-idle=2e10 min-idle=nan min-idle=-1 \
    min-idle=0x10 min-idle=' 1' min-idle=1s min-idle= idle-factor=nan \
    idle-factor=inf idle-factor=1e10 bloat-min-words=1.5 bloat-min-words=1e3 \
    binleak-min-words=-3 binleak-min-steps=4294967296 burst-min-gcs=abc \
    burst-min-words=99999999999999999999 fail-on=sometimes fail-on=WARNING; do
  name=${bad%%=*} value=${bad#*=}
  expect_status 2 "$ANALYZE" "--$bad" "$work/t"
  expect_one_line_error "for --$name: " "invalid value '$value'"
done
# the same mistake spelled as two arguments
expect_status 2 "$ANALYZE" --idle-factor nan "$work/t"
expect_one_line_error "for --idle-factor: " "invalid value 'nan'"
# names are whole: getopt's abbreviations would be names the plugin refuses
expect_status 2 "$ANALYZE" --min-i=3 "$work/t"
expect_one_line_error "--min-i" "did you mean --min-idle"
expect_status 2 "$ANALYZE" --bogus "$work/t"
expect_one_line_error "--bogus" "unknown option"
expect_status 2 "$ANALYZE" --format=xml "$work/t"
expect_one_line_error "for --format: " "invalid value 'xml'"

# good values: taken, and the JSON report says so
expect_status 0 "$ANALYZE" --format=json --min-idle=0.5 --idle-factor 7.5 \
  --bloat-min-words=1000 --fail-on=error "$work/t"
grep -q '"min_idle_ns":500000000,"idle_factor":7.5,"bloat_min_words":1000,' "$work/out" ||
  fail "options not applied: $(head -c 400 "$work/out")"
cli_options=$(sed 's/.*"options":\({[^}]*}\).*/\1/' "$work/out")

# --help: every option of both tables, the exit statuses and the environment
expect_status 0 "$ANALYZE" --help
cp "$work/out" "$work/help"
for name in fail-on min-idle idle-factor bloat-min-words binleak-min-words \
    binleak-min-steps burst-min-gcs burst-min-words format junit html; do
  grep -q -- "--$name=" "$work/out" || fail "--help lacks --$name"
done
grep -q "130 interrupted (SIGINT)" "$work/out" || fail "--help lacks exit status 130"
# the man page documents every option --help lists, and --help every
# environment variable of the man page's ENVIRONMENT
help_opts=$(grep -o -- '--[a-z][a-z-]*' "$work/out" | sort -u)
man_opts=$(grep -o '\\fB\\-\\-[a-z]*\(\\-[a-z]*\)*' "$MAN" | sed 's/\\fB//; s/\\-/-/g' | sort -u)
for o in $help_opts; do
  echo "$man_opts" | grep -qx -- "$o" || fail "$o is in --help but not in the man page"
done
env_vars=$(sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$MAN" | grep -o 'GENHEAP_ANALYZE_[A-Z_]*' | sort -u)
[ -n "$env_vars" ] || fail "no environment variables found in the man page"
for v in $env_vars; do
  grep -q "$v" "$work/out" || fail "--help lacks $v (man page, ENVIRONMENT)"
done

# the plugin: the same mistakes refused, naming the parameter; the same
# good values give the same options
[ -n "${BABELTRACE2:-}" ] && [ -x "$BABELTRACE2" ] || skip "babeltrace2 CLI not installed (CLI part passed)"
for bad in min-idle=inf min-idle=1e300 min-idle=2e10 idle-factor=nan bloat-min-words=1.5 \
    fail-on=sometimes min-i=3; do
  name=${bad%%=*} value=${bad#*=}
  "$BABELTRACE2" --plugin-path="$PLUGIN_DIR" "$work/t" -c sink.genheap.analyze \
    -p "$name=\"$value\"" >"$work/out" 2>"$work/err" && fail "plugin took $bad"
  grep -q -- "$name" "$work/err" || fail "plugin error for $bad does not name it"
done
expect_status 0 "$BABELTRACE2" --plugin-path="$PLUGIN_DIR" "$work/t" -c sink.genheap.analyze \
  -p 'format="json",min-idle="0.5",idle-factor="7.5",bloat-min-words="1000",fail-on="error"'
plugin_options=$(sed 's/.*"options":\({[^}]*}\).*/\1/' "$work/out")
# the component's help names every option of the table --help shows
expect_status 0 "$BABELTRACE2" --plugin-path="$PLUGIN_DIR" help sink.genheap.analyze
analyses=$(sed -n '/^Analyses/,/^$/p' "$work/help" | grep -o -- '^      --[a-z-]*' | sed 's/ *--//')
[ -n "$analyses" ] || fail "no analysis options in --help"
for name in $analyses; do
  grep -q "$name" "$work/out" || fail "the plugin's help lacks $name"
done
[ "$plugin_options" = "$cli_options" ] ||
  fail "CLI and plugin options differ: $cli_options vs $plugin_options"
note "options: ok"
