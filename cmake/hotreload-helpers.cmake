# Helpers for projects with a hot library, used in this tree and installed
# with the CMake package.
#
#   hotreload_add_library(<name> <sources>...)
#       The hot library lib<name>.so: compiled with HOT_LIBRARY, hidden
#       visibility (only the interface is exported), debug info (so gdb and
#       perf see the reloaded code). With HOTRELOAD_STATIC ON it is a static
#       library compiled with HOT_STATIC instead.
#
#   hotreload_link(<host target> <name>)
#       Links a host to the runtime and makes it depend on the hot library;
#       with HOTRELOAD_STATIC ON, links the library in directly (HOT_STATIC:
#       direct calls, no runtime).
include_guard(GLOBAL)

if(NOT DEFINED HOTRELOAD_STATIC)
  option(HOTRELOAD_STATIC "Build hosts and hot libraries as one static program (HOT_STATIC)" OFF)
endif()

function(hotreload_add_library name)
  if(HOTRELOAD_STATIC)
    add_library(${name} STATIC ${ARGN})
    target_compile_definitions(${name} PUBLIC HOT_STATIC)
  else()
    add_library(${name} SHARED ${ARGN})
    target_compile_definitions(${name} PRIVATE HOT_LIBRARY)
    set_target_properties(${name} PROPERTIES C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden)
    target_compile_options(${name} PRIVATE -g)
  endif()
  if(TARGET hotreload::hotreload)
    target_include_directories(${name} PRIVATE $<TARGET_PROPERTY:hotreload::hotreload,INTERFACE_INCLUDE_DIRECTORIES>)
  endif()
endfunction()

function(hotreload_link host name)
  if(HOTRELOAD_STATIC)
    target_link_libraries(${host} PRIVATE ${name})
    target_compile_definitions(${host} PRIVATE HOT_STATIC)
    if(TARGET hotreload::hotreload)
      target_include_directories(${host} PRIVATE $<TARGET_PROPERTY:hotreload::hotreload,INTERFACE_INCLUDE_DIRECTORIES>)
    endif()
  else()
    target_link_libraries(${host} PRIVATE hotreload::hotreload)
    add_dependencies(${host} ${name})
  endif()
endfunction()
