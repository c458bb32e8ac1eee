# cmake -DOUT=FILE -DPROG=EXE [-DEMULATOR=...] [-DARGS=a;b] -P run_to_file.cmake
# Runs EXE (under EMULATOR when cross-compiling) and writes its standard
# output to OUT; fails the build if it fails. Makes the manual pages.
execute_process(COMMAND ${EMULATOR} ${PROG} ${ARGS}
                OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${PROG} ${ARGS}: exit ${rc}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
