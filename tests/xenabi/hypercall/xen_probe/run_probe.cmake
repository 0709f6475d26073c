# Boot KERNEL as PVH dom0 of the real Xen with ORACLE (run-on-xen) and require the probe's
# verdict line "xenabi probe done: 0 mismatch(es)".
execute_process(COMMAND ${ORACLE} --pvh --timeout 240 --log ${LOG} ${KERNEL}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCHALL "probe [^\n]*" lines "${out}")
string(REPLACE ";" "\n" lines "${lines}")
message(STATUS "run-on-xen exit ${rc}\n${lines}")
if(NOT out MATCHES "xenabi probe done: 0 mismatch")
  message(FATAL_ERROR "the probe did not finish with 0 mismatches (see ${LOG})\n${err}")
endif()
