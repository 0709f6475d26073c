# xenabi_add_fuzz_test(NAME name SOURCES ... [SECONDS n] [CORPUS dir] [LIBS ...])
# A libFuzzer target (clang -fsanitize=fuzzer,address,undefined), built only when the compiler is
# Clang, and a CTest test "fuzz:<name>" that runs it for SECONDS seconds (default 5) from the seed
# CORPUS (copied to a scratch directory so runs never modify the sources). The test's output ends
# with libFuzzer's "Done N runs in T second(s)" line: N is the exec count to report. Run longer by
# hand: build/clang-asan/<dir>/<name> -max_total_time=600 <corpus dir>.
function(xenabi_add_fuzz_test)
  cmake_parse_arguments(F "" "NAME;SECONDS;CORPUS" "SOURCES;LIBS" ${ARGN})
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    return()
  endif()
  if(NOT F_SECONDS)
    set(F_SECONDS 5)
  endif()
  add_executable(${F_NAME} ${F_SOURCES})
  target_link_libraries(${F_NAME} PRIVATE xenabi xenabi_hosted_flags ${F_LIBS})
  target_compile_options(${F_NAME} PRIVATE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
  target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
  set(work ${CMAKE_CURRENT_BINARY_DIR}/${F_NAME}-corpus)
  set(seed "")
  if(F_CORPUS)
    set(seed ${F_CORPUS})
  endif()
  add_test(NAME fuzz:${F_NAME}
           COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:${F_NAME}> -DWORK=${work} -DSEED=${seed}
                   -DSECONDS=${F_SECONDS} -P ${PROJECT_SOURCE_DIR}/cmake/XenabiFuzzRun.cmake)
  set_tests_properties(fuzz:${F_NAME} PROPERTIES LABELS fuzz TIMEOUT 300)
endfunction()
