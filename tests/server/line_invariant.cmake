# line_invariant.cmake: the architecture invariant that only
# server/documents.c turns the index's 1-based lines into 0-based document
# lines (docs/architecture.md). Run as
#   cmake -DDIR=<server dir> -P line_invariant.cmake
# Fails when another file of the server takes 1 from a line, or reads a
# point's line (hx_point_t.line) other than to print it: the CLI's outputs
# (cli_output.c) print the profile's own 1-based lines and are allowed to.
cmake_minimum_required(VERSION 3.25)
if(NOT DIR)
  message(FATAL_ERROR "usage: cmake -DDIR=<server dir> -P line_invariant.cmake")
endif()
file(GLOB sources ${DIR}/*.c)
list(LENGTH sources count)
if(count LESS 10)
  message(FATAL_ERROR "only ${count} sources found in ${DIR}")
endif()
set(allowed documents.c cli_output.c)
set(failures 0)
foreach(path ${sources})
  get_filename_component(name ${path} NAME)
  if(name IN_LIST allowed)
    continue()
  endif()
  file(STRINGS ${path} lines)
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(line MATCHES "line[ \t]*-[ \t]*1([^0-9]|$)" OR
       line MATCHES "->line[ \t]*[-+]" OR line MATCHES "\\.line[ \t]*[-+][ \t]*1")
      message(SEND_ERROR "${name}:${n}: a line number converted outside "
                         "documents.c: ${line}")
      math(EXPR failures "${failures} + 1")
    endif()
  endforeach()
endforeach()
if(failures GREATER 0)
  message(FATAL_ERROR "${failures} line conversion(s) outside documents.c")
endif()
message(STATUS "line invariant: ${count} files checked")
