# Runs one libFuzzer target for a bounded time (see XenabiFuzz.cmake).
# usage: cmake -DEXE=... -DWORK=dir -DSEED=dir|"" -DSECONDS=n -P XenabiFuzzRun.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
if(SEED AND EXISTS ${SEED})
  file(GLOB seeds ${SEED}/*)
  file(COPY ${seeds} DESTINATION ${WORK})
endif()
execute_process(COMMAND ${EXE} -max_total_time=${SECONDS} -seed=1 -print_final_stats=1 ${WORK}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCH "Done [0-9]+ runs in [0-9]+ second" done "${err}")
message("${done}")
if(NOT rc EQUAL 0)
  message("${err}")
  message(FATAL_ERROR "fuzzer ${EXE} failed (status ${rc})")
endif()
