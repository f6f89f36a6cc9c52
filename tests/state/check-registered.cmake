# Compares the cases a state test program lists (--list) with the ones
# CMake registers, so no case is written and never run.
execute_process(COMMAND ${PROGRAM} --list OUTPUT_VARIABLE listed RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --list failed: ${rc}")
endif()
string(STRIP "${listed}" listed)
string(REPLACE "\n" ";" listed "${listed}")
list(SORT listed)
set(want ${WANT})
list(SORT want)
if(NOT listed STREQUAL want)
  message(FATAL_ERROR "cases listed by the program: ${listed}\ncases registered: ${want}")
endif()
