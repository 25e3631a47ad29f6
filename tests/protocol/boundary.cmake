# boundary.cmake: keeps the protocol module inside its boundary. Run as
#   cmake -DDIR=<protocol dir> -P boundary.cmake
# Fails when a file of protocol/ includes anything but the C library,
# jansson and its own headers, when its CMakeLists.txt links anything but
# jansson, or when a file uses a word that belongs to the index (profiles,
# samples, heat levels).
if(NOT DIR)
  message(FATAL_ERROR "usage: cmake -DDIR=<protocol dir> -P boundary.cmake")
endif()

set(allowed_system
  jansson.h stdarg.h stddef.h stdint.h stdio.h stdlib.h string.h)
file(GLOB sources ${DIR}/*.c ${DIR}/*.h ${DIR}/include/*.h)
list(LENGTH sources count)
if(count EQUAL 0)
  message(FATAL_ERROR "no sources found in ${DIR}")
endif()

set(failures 0)
foreach(path ${sources} ${DIR}/CMakeLists.txt)
  get_filename_component(name ${path} NAME)
  file(STRINGS ${path} lines)
  foreach(line IN LISTS lines)
    if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*<([^>]+)>")
      list(FIND allowed_system "${CMAKE_MATCH_1}" at)
      if(at EQUAL -1)
        message(SEND_ERROR "${name}: includes <${CMAKE_MATCH_1}>")
        math(EXPR failures "${failures} + 1")
      endif()
    elseif(line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
      if(NOT EXISTS ${DIR}/${CMAKE_MATCH_1} AND
         NOT EXISTS ${DIR}/include/${CMAKE_MATCH_1})
        message(SEND_ERROR "${name}: includes \"${CMAKE_MATCH_1}\", "
                           "which is not a protocol header")
        math(EXPR failures "${failures} + 1")
      endif()
    endif()
    string(TOLOWER "${line}" lower)
    if(lower MATCHES "profile|pprof|sample|hx_|heat([^l]|$)|uv_|uv\\.h")
      message(SEND_ERROR "${name}: index or libuv word in: ${line}")
      math(EXPR failures "${failures} + 1")
    endif()
    if(name STREQUAL "CMakeLists.txt" AND
       line MATCHES "PkgConfig::(LIBUV|ZLIB|PROTOBUFC)|heatls_index|heatls_proto[^c]")
      message(SEND_ERROR "CMakeLists.txt: links outside jansson: ${line}")
      math(EXPR failures "${failures} + 1")
    endif()
  endforeach()
endforeach()

if(failures GREATER 0)
  message(FATAL_ERROR "${failures} boundary violation(s) in ${DIR}")
endif()
message(STATUS "protocol boundary: ${count} files checked")
