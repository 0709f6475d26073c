# Compile a TU that includes HEADER with the freestanding flags, link it -nostdlib -static with
# the stubs, and compare the outcome with EXPECT (pass|fail). For an expected failure, NEEDLE must
# appear in the diagnostics (the failure is for the reason we think).
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/tu.cpp "#include <${HEADER}>\nextern \"C\" int probe_use() { return 0; }\n")
separate_arguments(flags UNIX_COMMAND "${FLAGS}")
set(incs "")
foreach(i IN LISTS INCLUDES)
  list(APPEND incs -I${i})
endforeach()
execute_process(COMMAND ${CXX} -std=c++20 ${flags} ${incs} -c ${WORK}/tu.cpp -o ${WORK}/tu.o
                RESULT_VARIABLE rc1 OUTPUT_VARIABLE out1 ERROR_VARIABLE err1)
set(rc2 1)
set(err2 "")
if(rc1 EQUAL 0)
  execute_process(COMMAND ${CXX} -std=c++20 ${flags} -c ${STUBS} -o ${WORK}/stubs.o
                  RESULT_VARIABLE rcs ERROR_VARIABLE errs)
  if(NOT rcs EQUAL 0)
    message(FATAL_ERROR "stubs did not compile: ${errs}")
  endif()
  execute_process(COMMAND ${CXX} -nostdlib -static -nostartfiles -Wl,-e,xenabi_freestanding_entry
                          ${WORK}/tu.o ${WORK}/stubs.o -o ${WORK}/probe.elf
                  RESULT_VARIABLE rc2 OUTPUT_VARIABLE out2 ERROR_VARIABLE err2)
endif()
if(rc1 EQUAL 0 AND rc2 EQUAL 0)
  set(outcome pass)
else()
  set(outcome fail)
endif()
message(STATUS "freestanding probe of ${HEADER}: ${outcome} (expected ${EXPECT})\n${err1}${err2}")
if(NOT outcome STREQUAL EXPECT)
  message(FATAL_ERROR "freestanding probe of ${HEADER}: got ${outcome}, expected ${EXPECT}")
endif()
if(EXPECT STREQUAL "fail" AND NEEDLE)
  string(FIND "${err1}${err2}" "${NEEDLE}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "failed, but not because of '${NEEDLE}'")
  endif()
endif()
