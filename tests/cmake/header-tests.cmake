# Header hygiene: the public header, with a sample interface in each of its
# three modes (host, HOT_LIBRARY, HOT_STATIC), compiles as strict C89 and as
# C++ with every warning an error. Each compile is a ctest test, so a
# failure names the mode and the language.

set(_hot_header_sample ${CMAKE_CURRENT_SOURCE_DIR}/header/header_sample.c)
set(_hot_header_strict -pedantic -Wall -Wextra -Werror)
set(_hot_header_modes host guarded library static)
set(_hot_header_define_host "")
set(_hot_header_define_guarded -DHS_GUARDED)
set(_hot_header_define_library -DHOT_LIBRARY)
set(_hot_header_define_static -DHOT_STATIC)

function(hot_header_test name compiler)
  foreach(mode ${_hot_header_modes})
    add_test(NAME header.${name}.${mode}
      COMMAND ${compiler} ${ARGN} ${_hot_header_strict} ${_hot_header_define_${mode}}
        -I${PROJECT_SOURCE_DIR}/include -c ${_hot_header_sample}
        -o ${CMAKE_CURRENT_BINARY_DIR}/header-${name}-${mode}.o)
    set_tests_properties(header.${name}.${mode} PROPERTIES TIMEOUT 60)
  endforeach()
endfunction()

hot_header_test(c89 ${CMAKE_C_COMPILER} -x c -std=c89 -Wshadow -Wstrict-prototypes)
hot_header_test(c99 ${CMAKE_C_COMPILER} -x c -std=c99 -Wshadow -Wstrict-prototypes)

find_program(HOT_TEST_CXX NAMES c++ g++ clang++)
if(HOT_TEST_CXX)
  hot_header_test(cxx98 ${HOT_TEST_CXX} -x c++ -std=c++98)
  hot_header_test(cxx17 ${HOT_TEST_CXX} -x c++ -std=c++17)
else()
  message(STATUS "hotreload tests: no C++ compiler found, header C++ tests not registered")
endif()

find_program(HOT_TEST_CLANG NAMES clang)
if(HOT_TEST_CLANG)
  hot_header_test(clang_c89 ${HOT_TEST_CLANG} -x c -std=c89)
endif()

# A library source implementing two interfaces (one including the other's
# header, say) must compile too.
add_test(NAME header.two_interfaces.library
  COMMAND ${CMAKE_C_COMPILER} -x c -std=c99 ${_hot_header_strict} -DHOT_LIBRARY
    -I${PROJECT_SOURCE_DIR}/include -c ${CMAKE_CURRENT_SOURCE_DIR}/header/two_interfaces.c
    -o ${CMAKE_CURRENT_BINARY_DIR}/header-two-interfaces-library.o)
add_test(NAME header.two_interfaces.host
  COMMAND ${CMAKE_C_COMPILER} -x c -std=c99 ${_hot_header_strict}
    -I${PROJECT_SOURCE_DIR}/include -c ${CMAKE_CURRENT_SOURCE_DIR}/header/two_interfaces.c
    -o ${CMAKE_CURRENT_BINARY_DIR}/header-two-interfaces-host.o)
set_tests_properties(header.two_interfaces.library header.two_interfaces.host PROPERTIES TIMEOUT 60)
