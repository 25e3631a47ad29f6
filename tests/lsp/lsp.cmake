# Helper of the lsp tests, run as `cmake -DMODE=... -DCLIENT=DIR -P lsp.cmake`.
# node and npm are looked up when the test runs, and a missing one fails the
# test, naming the Debian packages to install.
#   MODE=npm      npm ci in CLIENT unless CLIENT/node_modules is up to date
#   MODE=session  node CLIENT/session.test.mjs ARGS (when CMake found no node)
cmake_minimum_required(VERSION 3.25)

function(need_program var name)
  find_program(${var} ${name})
  if(NOT ${var})
    message(FATAL_ERROR "lsp tests: ${name} not found: install the Debian "
                        "packages nodejs and npm (tools/deps.sh does)")
  endif()
endfunction()

if(MODE STREQUAL "npm")
  need_program(NODE node)
  need_program(NPM npm)
  set(stamp ${CLIENT}/node_modules/.package-lock.json)
  if(EXISTS ${stamp} AND NOT ${CLIENT}/package-lock.json IS_NEWER_THAN ${stamp})
    message(STATUS "lsp tests: ${CLIENT}/node_modules is up to date")
    return()
  endif()
  message(STATUS "lsp tests: npm ci in ${CLIENT}")
  execute_process(COMMAND ${NPM} ci --no-audit --no-fund
                  WORKING_DIRECTORY ${CLIENT} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "lsp tests: npm ci in ${CLIENT} failed (${rc})")
  endif()
elseif(MODE STREQUAL "session")
  need_program(NODE node)
  execute_process(COMMAND ${NODE} ${CLIENT}/session.test.mjs ${ARGS}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "lsp tests: the session failed (${rc})")
  endif()
else()
  message(FATAL_ERROR "lsp.cmake: MODE must be npm or session, not '${MODE}'")
endif()
