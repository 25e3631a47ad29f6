#!/usr/bin/env bash
# heatls search as a user runs it: outputs, flags, bad input, exit statuses
# (0 matched, 1 nothing matched, 2 an error, as gogrep's).
# usage: cli_search_test.sh HEATLS TESTDATA TMP FAKE_GRAMMAR_SO [GO_GRAMMAR_SO]
set -uo pipefail
heatls=$1
testdata=$2
tmp=$3
fake_so=$4
go_so=${5:-}
profile=$testdata/golden/utf8/utf8.pb.gz
rm -rf "$tmp"
mkdir -p "$tmp/src/sub"
passed=0
failed=0

# A small package named like the profiled one, under another root: the
# profile says /usr/lib/go-1.19/src/unicode/utf8/utf8.go; suffix matching
# finds it in $tmp/src/unicode/utf8.
mkdir -p "$tmp/src/unicode/utf8"
cp /usr/share/go-1.19/src/unicode/utf8/utf8.go "$tmp/src/unicode/utf8/"
printf 'package p\n\nfunc f() {\n\tg(1)\n}\n' >"$tmp/src/sub/a.go"
printf 'not go\x00\x01' >"$tmp/src/sub/blob.go"

expect() { # expect NAME STATUS STDOUT-PATTERN STDERR-PATTERN -- ARGS...
  local name=$1 want_status=$2 want_out=$3 want_err=$4
  shift 5
  local out err status
  out=$("$heatls" search "$@" 2>"$tmp/stderr")
  status=$?
  err=$(cat "$tmp/stderr")
  if [ "$status" -ne "$want_status" ] ||
     ! grep -Eq -- "$want_out" <<<"$out" ||
     ! grep -Eq -- "$want_err" <<<"$err"; then
    echo "FAIL $name: status $status (want $want_status)"
    echo "  stdout: $(head -c 600 <<<"$out")"
    echo "  stderr: $err"
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
}

u=$tmp/src/unicode/utf8
# Default: the hot matches, gogrep's file:line: text.
expect default 0 "^$u/utf8.go:[0-9]+: " '^$' -- "$profile" 'len($_)' "$tmp/src"
expect count 0 . '^$' -- "$profile" 'len($_)' "$tmp/src"
all=$("$heatls" search --min-level 0 "$profile" 'len($_)' "$tmp/src" | wc -l)
hot=$("$heatls" search "$profile" 'len($_)' "$tmp/src" | wc -l)
cold=$("$heatls" search --cold "$profile" 'len($_)' "$tmp/src" | wc -l)
hot5=$("$heatls" search --min-level 5 "$profile" 'len($_)' "$tmp/src" | wc -l)
if [ "$all" -gt 0 ] && [ "$hot" -gt 0 ] && [ $((hot + cold)) -eq "$all" ] &&
   [ "$hot" -lt "$all" ] && [ "$hot5" -le "$hot" ]; then
  passed=$((passed + 1))
else
  echo "FAIL hot/cold split: all $all hot $hot cold $cold hot5 $hot5"
  failed=$((failed + 1))
fi
# Nothing hot: exit 1, no output; a note when no file is in the profile.
expect nothing 1 '^$' '^heatls search: none of the 1 files with matches is in the profile \(it names files such as /' -- "$profile" 'g($_)' "$tmp/src/sub"
expect everything 0 "^$tmp/src/sub/a.go:4: g\\(1\\)$" '^$' -- --min-level 0 "$profile" 'g($_)' "$tmp/src/sub"
# PATH defaults to "."; below it, files are named as gogrep names them.
out=$(cd "$tmp/src/sub" && "$heatls" search --min-level 0 "$profile" 'g($_)' 2>/dev/null)
if [ "$out" = "a.go:4: g(1)" ]; then
  passed=$((passed + 1))
else
  echo "FAIL default path: $out"
  failed=$((failed + 1))
fi
# Flag forms and places.
expect flags-after 0 "a.go:4" '^$' -- "$profile" 'g($_)' "$tmp/src/sub" --min-level=0
expect dashdash 0 "a.go:4" '^$' -- --min-level 0 -- "$profile" 'g($_)' "$tmp/src/sub"
# JSON: range, captures, heat.
expect json 0 '^\[$' '^$' -- --format json "$profile" 'len($x)' "$tmp/src" --min-level 0
expect json-fields 0 '"line": [0-9]+, "end_line": [0-9]+, "start": [0-9]+, "end": [0-9]+, "language": "go", "text": "len\(p\)", "captures": \{"x": "p"\}, "hot": (true|false), "heat": ' '^$' -- --format json --min-level 0 "$profile" 'len($x)' "$tmp/src"
expect json-heat 0 '"heat": \{"line": [0-9]+, "global": [1-5], "local": [0-5], "cum": [0-9]+, "flat": [0-9]+, "cumText": "[0-9.]+s"\}' '^$' -- --format json "$profile" 'len($_)' "$tmp/src"
expect json-none 1 '^\[\]$' 'none of the 1 files' -- --format json "$profile" 'g($_)' "$tmp/src/sub"
# --sort heat: hottest first, with the time.
sorted=$("$heatls" search --sort heat "$profile" 'len($_)' "$tmp/src" | sed -E 's/.*\[([0-9.]+)s G([0-9]).*/\2 \1/')
if [ -n "$sorted" ] && [ "$sorted" = "$(sort -s -k1,1nr -k2,2gr <<<"$sorted")" ]; then
  passed=$((passed + 1))
else
  echo "FAIL sort heat: $sorted"
  failed=$((failed + 1))
fi
expect sort-format 0 "^$u/utf8.go:[0-9]+: \\[[0-9.]+s G[1-5] L[0-5]\\] " '^$' -- --sort heat "$profile" 'len($_)' "$tmp/src"
# --hot: the capture's lines; --local.
expect hot-capture 0 'utf8.go' '^$' -- --hot '$x' "$profile" 'for $x := 0; $_; $_ { $*_ }' "$tmp/src"
expect local 0 'utf8.go' '^$' -- --local "$profile" 'len($_)' "$tmp/src"
# Queries and regexes.
expect query 0 'utf8.go:[0-9]+: ' '^$' -- --query --min-level 0 "$profile" '((identifier) @i (#eq? @i "RuneError"))' "$tmp/src"
expect regex 0 'utf8.go:[0-9]+: ' '^$' -- --regex "$profile" 'len\(p\)' "$tmp/src"
expect regex-binary 0 'a.go:4' '^$' -- --regex --min-level 0 "$profile" 'g|not' "$tmp/src/sub"
# Path mapping: the profile's file is found under another root.
expect mapping 0 "^$u/utf8.go:[0-9]+: " '^$' -- "$profile" 'len($_)' "$u/utf8.go" --min-level 1
# Languages.
expect lang-go 0 'a.go:4' '^$' -- --lang go --min-level 0 "$profile" 'g($_)' "$tmp/src/sub"
expect lang-c 1 '^$' '^$' -- --lang c --min-level 0 "$profile" 'g($_)' "$tmp/src/sub"
# Errors: exit 2, one line.
expect unknown-lang 2 '^$' 'unknown language "rust"' -- --lang rust "$profile" 'x' "$tmp/src"
expect bad-pattern 2 '^$' 'pattern does not parse as go code: syntax error at column' -- "$profile" 'for (' "$tmp/src"
expect bad-metavar 2 '^$' "bad metavariable at column 3" -- "$profile" 'f($)' "$tmp/src"
expect bad-regex 2 '^$' 'regex does not compile' -- --regex "$profile" '(' "$tmp/src"
expect bad-query 2 '^$' 'query for go: syntax error at line 1, column 17' -- --query "$profile" '(call_expression' "$tmp/src"
expect bad-predicate 2 '^$' 'unsupported predicate #foo\?' -- --query "$profile" '((identifier) @i (#foo? @i "x"))' "$tmp/src"
expect bad-hot 2 '^$' 'no capture named \$y' -- --hot '$y' "$profile" '$x.String()' "$tmp/src"
expect hot-regex 2 '^$' '--hot needs a pattern or a query' -- --regex --hot x "$profile" 'x' "$tmp/src"
expect lang-regex 2 '^$' '--lang does not apply to --regex' -- --regex --lang go "$profile" 'x' "$tmp/src"
expect sort-json 0 '^\{"file": ' '^$' -- --sort heat --format json "$profile" 'len($_)' "$tmp/src"
expect bad-sort 2 '^$' '--sort size: must be file or heat' -- --sort size "$profile" 'x' "$tmp/src"
expect flag-value 2 '^$' 'flag -local takes no value' -- --local=yes "$profile" 'x' "$tmp/src"
expect flag-missing 2 '^$' 'flag needs an argument: -lang' -- "$profile" 'x' "$tmp/src" --lang
expect bad-profile 2 '^$' "nosuch.pb: No such file or directory" -- "$tmp/nosuch.pb" 'len($_)' "$tmp/src"
expect bad-level 2 '^$' '--min-level 9: must be 0 to 5' -- --min-level 9 "$profile" 'x' "$tmp/src"
expect bad-threshold 2 '^$' '-threshold 2: must be in \(0, 1\]' -- -threshold 2 "$profile" 'x' "$tmp/src"
expect bad-format 2 '^$' '--format xml: must be text or json' -- --format xml "$profile" 'x' "$tmp/src"
expect bad-flag 2 '^$' 'flag provided but not defined: --nope' -- --nope "$profile" 'x' "$tmp/src"
expect no-pattern 2 '^$' 'expected PROFILE and PATTERN' -- "$profile"
expect both-kinds 2 '^$' '--query and --regex exclude each other' -- --query --regex "$profile" 'x'
expect cold-all 2 '^$' '--cold with --min-level 0' -- --cold --min-level 0 "$profile" 'x'
expect missing-grammar 2 '^$' 'grammar /no/such.so: no such file' -- --grammar /no/such.so "$profile" 'x' "$tmp/src"
expect wrong-abi 2 '^$' "ABI 99, this tree-sitter reads ABI 13 to 14" -- --grammar "$fake_so" "$profile" 'x' "$tmp/src"
if [ -n "$go_so" ]; then
  expect user-grammar 0 'a.go:4' '^$' -- --grammar "$go_so" --min-level 0 "$profile" 'g($_)' "$tmp/src/sub"
fi
# Warnings go to stderr and the search goes on.
ln -sf no-such-file.go "$tmp/src/sub/broken.go"
expect warning 0 'a.go:4' 'broken.go: cannot open: No such file or directory' -- --min-level 0 "$profile" 'g($_)' "$tmp/src/sub"
expect named-binary 1 '^$' 'blob.go: binary file: skipped' -- --min-level 0 "$profile" 'g($_)' "$tmp/src/sub/blob.go"
# Help and version.
if "$heatls" search --help | grep -q '^usage: heatls search' &&
   "$heatls" --version | grep -Eq '^languages: ' &&
   "$heatls" --help | grep -q 'search'; then
  passed=$((passed + 1))
else
  echo "FAIL help/version"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
