#!/usr/bin/env bash
# check-boundaries.sh: the module boundaries of docs/architecture.md, checked
# on the source tree for every module: index/, protocol/, server/ and
# search/ (a module folder that does not exist yet is skipped; index,
# protocol and server must exist and have sources).
#
# For each module it checks
#   sources    the folder has C sources (so that the checks see something)
#   libraries  the library headers it may not include (index: jansson,
#              libuv, curl, zlib; protocol: protobuf-c, zlib, libuv,
#              curl; search: all five); protocol's <...> headers are the
#              C library's and jansson's only (it does no IO)
#   modules    another module's header only from that module's include/
#              folder, and only of a module it may use (index, protocol:
#              none; search: index; server: all). A module without an
#              include/ folder yet counts its headers as public, except
#              internal.h, which is always private.
#   words      index/ and search/ use no LSP or JSON-RPC word, protocol/ no
#              profile word (comments count; CMake files too)
#   links      what its targets link, read from the project's CMake files
#              (top, modules, tests/, cmake/), wherever the call is: index
#              ISA-L and protobuf-c; protocol jansson; search
#              the index;
#              besides their own targets and libm. Only server may link
#              libuv, curl or anything else. A link item it cannot name (a
#              variable, a generator expression) fails outside server.
#              Read from the CMake files rather than a configured build, so
#              that it runs on a bare source tree (no configure step, no
#              libraries needed).
#   cmake      its CMake files name no other module's folder (no include
#              path into another module's private headers)
# and prints one line per check, then "N passed, M failed".
#
# Usage: tools/check-boundaries.sh [SOURCE_DIR]   (default: this checkout)
# Exit status: 0 when every check passed, 1 otherwise, 2 on a usage error.
set -uo pipefail

src=${1:-$(dirname "${BASH_SOURCE[0]}")/..}
src=$(cd "$src" 2>/dev/null && pwd) || {
  echo "check-boundaries: no such folder: ${1:-}" >&2
  exit 2
}

modules=(index protocol server search)
required=" index protocol server "
# Modules whose public headers a module may include.
declare -A uses=([index]="" [protocol]="" [search]="index"
                 [server]="index protocol search")
# Library headers a module may not include (ERE on the name in #include).
declare -A library_re=(
  [jansson]='^jansson(_config)?\.h$'
  [libuv]='^uv\.h$|^uv/'
  [curl]='^curl/'
  [protobuf]='^protobuf-c/|\.pb-c\.h$'
  [zlib]='^z(lib|conf)\.h$')
declare -A banned=(
  [index]="jansson libuv curl zlib"
  [protocol]="protobuf libuv curl zlib"
  [search]="jansson libuv curl protobuf zlib")
# The C11 standard library: all protocol/ may include with <...> besides
# jansson.h (it does no IO).
c_headers=" assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h
  iso646.h limits.h locale.h math.h setjmp.h signal.h stdalign.h stdarg.h
  stdatomic.h stdbool.h stddef.h stdint.h stdio.h stdlib.h stdnoreturn.h
  string.h tgmath.h threads.h time.h uchar.h wchar.h wctype.h "
c_headers=" $(tr -s ' \n' '  ' <<<"$c_headers") "
# Words (ERE, case-insensitive, on every line). LSP and JSON-RPC words:
lsp_words='\b(lsp|json|rpc)|\buris?\b|textdocument|\binlay|\bhover|\bdiagnostic|language[ _-]?server|\butf-?16'
# Profile, index and libuv words ("heat" but not "heatls"):
profile_words='profile|pprof|sample|hx_|heat([^l]|$)|uv_|uv\.h'
declare -A words=([index]=$lsp_words [search]=$lsp_words
                  [protocol]=$profile_words)
declare -A words_what=([index]="LSP or JSON-RPC" [search]="LSP or JSON-RPC"
                       [protocol]="profile, index or libuv")
# What each module's targets may link besides its own targets
# (server: anything).
declare -A links_ok=([index]="isal protobuf-c threads libm"
                     [protocol]="jansson libm"
                     [search]="module:index tree-sitter libdl libm")
declare -A links_what=([index]="ISA-L, protobuf-c and threads" [protocol]="jansson"
                       [search]="the index, tree-sitter and libdl (a user's grammar)")

# words A B C: "A, B or C"
words_or() {
  local out=$1
  shift
  while [[ $# -gt 1 ]]; do out+=", $1"; shift; done
  [[ $# -eq 1 ]] && out+=" or $1"
  echo "$out"
}

passed=0
failed=0
details=$(mktemp)
trap 'rm -f "$details"' EXIT

# result NAME: prints NAME as passed or failed, with the lines collected in
# $details under it, and counts it.
result() {
  if [[ -s $details ]]; then
    echo "FAIL $1"
    sed 's/^/       /' "$details"
    failed=$((failed + 1))
  else
    echo "ok   $1"
    passed=$((passed + 1))
  fi
  : >"$details"
}

present=()
for m in "${modules[@]}"; do
  [[ -d $src/$m ]] && present+=("$m")
done

# Files of module $1 with the given name patterns, relative to $src.
module_files() {
  local m=$1
  shift
  (cd "$src" && find "$m" -type f \( "$@" \) | LC_ALL=C sort)
}
c_files() { module_files "$1" -name '*.c' -o -name '*.h'; }
cmake_files() { module_files "$1" -name CMakeLists.txt -o -name '*.cmake'; }

# The #include lines of module $1: "file:line:<:name" or "file:line:":name"
# per line.
includes() {
  local f
  c_files "$1" | while read -r f; do
    grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"][^>"]+[>"]' \
      "$src/$f" | sed -E "s|^([0-9]+):[^<\"]*([<\"])([^>\"]+)[>\"].*|$f:\1:\2:\3|"
  done
}

# The module a path (relative to $src) is in, or nothing.
module_of() {
  local m
  for m in "${present[@]}"; do
    [[ $1 == "$m"/* ]] && { echo "$m"; return; }
  done
}

# Whether a file of module $1 (path relative to $src) is public to others.
is_public() {
  local m=$1 path=$2
  [[ $path == "$m"/include/* ]] && return 0
  # A module that has no include/ folder yet: all but internal.h.
  [[ ! -d $src/$m/include && $(basename "$path") != internal.h ]]
}

# Every file of the module folders by module and base name: "MODULE/BASE"
# -> the first such file, relative to $src.
declare -A by_name=()
while read -r f; do
  key=${f%%/*}/${f##*/}
  [[ -n ${by_name[$key]:-} ]] || by_name[$key]=$f
done < <(cd "$src" && find "${present[@]}" -type f 2>/dev/null | LC_ALL=C sort)

# find_in MODULE BASENAME: the first file of MODULE with that base name.
find_in() { echo "${by_name[$1/$2]:-}"; }

# Where the #include NAME of FILE (in module M) points: prints
# "MODULE PATH" of the header it finds in another module, or nothing when
# it is the module's own header or no module's header (system, generated
# elsewhere).
resolve() {
  local m=$1 file=$2 name=$3 rel n hit base
  # Quoted includes look beside the including file first.
  if [[ -f $src/$(dirname "$file")/$name ]]; then
    rel=$(realpath -m --relative-to="$src" "$src/$(dirname "$file")/$name")
    n=$(module_of "$rel")
    [[ -n $n && $n != "$m" ]] && echo "$n $rel"
    return
  fi
  base=${name##*/}
  # The module's own header (in any of its folders).
  [[ -n $(find_in "$m" "$base") ]] && return
  for n in "${present[@]}"; do
    [[ $n == "$m" ]] && continue
    if [[ -f $src/$n/include/$name ]]; then
      echo "$n $n/include/$name"
      return
    fi
    hit=$(find_in "$n" "$base")
    # A header generated from another module's .proto file is private.
    [[ -z $hit && $base == *.pb-c.h ]] && hit=$(find_in "$n" "${base%.pb-c.h}.proto")
    if [[ -n $hit ]]; then
      echo "$n $hit"
      return
    fi
  done
}

check_sources() {
  local m=$1
  if ! c_files "$m" | grep -q '\.c$'; then
    echo "no C sources in $m/" >>"$details"
  fi
  result "$m: has C sources"
}

check_libraries() {
  local m=$1 lib what=() file line kind name
  for lib in ${banned[$m]:-}; do
    what+=("$lib")
  done
  [[ ${#what[@]} -eq 0 ]] && return
  while IFS=: read -r file line kind name; do
    for lib in "${what[@]}"; do
      if [[ $name =~ ${library_re[$lib]} ]]; then
        echo "$file:$line: includes $name ($lib)" >>"$details"
      fi
    done
  done < <(includes "$m")
  result "$m: includes no $(words_or "${what[@]}") header"
}

# protocol/ does no IO: its <...> headers are the C library's and jansson's.
check_system_headers() {
  local m=$1 file line kind name
  while IFS=: read -r file line kind name; do
    [[ $kind == "<" ]] || continue
    [[ $c_headers == *" $name "* || $name == jansson.h ]] && continue
    echo "$file:$line: includes <$name>" >>"$details"
  done < <(includes "$m")
  result "$m: <...> headers are the C library's and jansson.h only"
}

check_modules() {
  local m=$1 file line kind name found n path allowed
  allowed=${uses[$m]}
  while IFS=: read -r file line kind name; do
    found=$(resolve "$m" "$file" "$name")
    [[ -z $found ]] && continue
    n=${found%% *}
    path=${found#* }
    if [[ " $allowed " != *" $n "* ]]; then
      echo "$file:$line: includes $name, a header of $n/ ($path)" >>"$details"
    elif ! is_public "$n" "$path"; then
      echo "$file:$line: includes $name, private to $n/ ($path)" >>"$details"
    fi
  done < <(includes "$m")
  if [[ -z $allowed ]]; then
    result "$m: includes no other module's header"
  else
    read -r -a allowed <<<"$allowed"
    result "$m: includes only the public headers (include/) of $(words_or "${allowed[@]}")"
  fi
}

check_words() {
  local m=$1 f
  [[ -n ${words[$m]:-} ]] || return
  { c_files "$m"; module_files "$m" -name '*.proto'; cmake_files "$m"; } |
    while read -r f; do
      grep -inE "${words[$m]}" "$src/$f" | sed "s|^|$f:|" >>"$details"
    done
  result "$m: no ${words_what[$m]} words"
}

# The project's CMake files: the top CMakeLists.txt and those of the module
# folders, tests/ and cmake/ (never a build tree). Read once into
# $commands, comments removed, one command per line: "FILE: command(...)".
cmake_folders=()
for d in "${present[@]}" tests cmake; do
  [[ -d $src/$d ]] && cmake_folders+=("$d")
done
commands=$(cd "$src" && {
  [[ -f CMakeLists.txt ]] && echo CMakeLists.txt
  find "${cmake_folders[@]}" -type f \( -name CMakeLists.txt -o -name '*.cmake' \) |
    LC_ALL=C sort
} | while read -r f; do
  sed -E 's/(^|[[:space:]])#.*$//' "$f" | tr '\n' ' ' |
    grep -oiE '[a-z_]+[[:space:]]*\([^)]*\)' | sed "s|^|$f: |"
done)

# The module that defines each target.
declare -A target_module=()
for m in "${present[@]}"; do
  while read -r t; do
    [[ -n $t ]] && target_module[$t]=$m
  done < <(grep -E "^$m/" <<<"$commands" |
    sed -nE 's/^[^:]*: add_(library|executable)[[:space:]]*\([[:space:]]*([^[:space:])]+).*/\2/Ip')
done

# What a link item is: a library name, module:NAME, or unknown:ITEM.
link_kind() {
  case $1 in
    PkgConfig::LIBUV | PkgConfig::UV | uv | -luv | libuv::*) echo libuv ;;
    PkgConfig::JANSSON | jansson | -ljansson | jansson::*) echo jansson ;;
    PkgConfig::PROTOBUFC | protobuf-c | -lprotobuf-c) echo protobuf-c ;;
    PkgConfig::ZLIB | ZLIB::ZLIB | z | -lz) echo zlib ;;
    PkgConfig::LIBISAL | isal | -lisal) echo isal ;;
    PkgConfig::CURL | PkgConfig::LIBCURL | CURL::libcurl | curl | -lcurl) echo curl ;;
    m | -lm) echo libm ;;
    PkgConfig::TREESITTER | tree-sitter | -ltree-sitter) echo tree-sitter ;;
    '${CMAKE_DL_LIBS}' | dl | -ldl) echo libdl ;;
    Threads::Threads | pthread | -pthread | -lpthread) echo threads ;;
    *)
      if [[ -n ${target_module[$1]:-} ]]; then
        echo "module:${target_module[$1]}"
      else
        echo "unknown:$1"
      fi ;;
  esac
}

check_links() {
  local m=$1 where cmd args target item kind ok
  ok="${links_ok[$m]} module:$m"
  while IFS= read -r line; do
    where=${line%%: *}
    cmd=${line#*: }
    args=${cmd#*(}
    args=${args%)}
    read -r -a args <<<"$args"
    if [[ ${cmd,,} =~ ^target_link_libraries ]]; then
      target=${args[0]:-}
      [[ ${target_module[$target]:-} == "$m" ]] || continue
      args=("${args[@]:1}")
    elif [[ ${cmd,,} =~ ^link_libraries && $where == "$m"/* ]]; then
      target="(every target of $m/)"
    else
      continue
    fi
    for item in "${args[@]}"; do
      case $item in
        PUBLIC | PRIVATE | INTERFACE | LINK_PUBLIC | LINK_PRIVATE) continue ;;
      esac
      kind=$(link_kind "$item")
      if [[ " $ok " != *" $kind "* ]]; then
        echo "$where: $target links $item" >>"$details"
      fi
    done
  done <<<"$commands"
  result "$m: links ${links_what[$m]} only, besides its own targets (libuv, curl: server only)"
}

check_cmake_reach() {
  local m=$1 others="" n f
  for n in "${modules[@]}"; do
    [[ $n != "$m" ]] && others+="${others:+|}$n"
  done
  while read -r f; do
    grep -nE "(\.\./|\}/)($others)([/[:space:]\")]|$)" "$src/$f" |
      sed "s|^|$f:|" >>"$details"
  done < <(cmake_files "$m")
  result "$m: CMake files name no other module's folder"
}

for m in "${modules[@]}"; do
  if [[ ! -d $src/$m ]]; then
    if [[ $required == *" $m "* ]]; then
      echo "no folder $m/" >>"$details"
      result "$m: has C sources"
    else
      echo "skip $m: no $m/ folder yet"
    fi
    continue
  fi
  check_sources "$m"
  check_libraries "$m"
  [[ $m == protocol ]] && check_system_headers "$m"
  check_modules "$m"
  check_words "$m"
  [[ $m != server ]] && check_links "$m"
  check_cmake_reach "$m"
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
