# hot_lv2_plugin(): an LV2 bundle from a plugin description header and its
# logic sources, built with the plugin shell kit. Used by this tree's
# examples and installed with the CMake package (find_package(hotreload)
# gives it), so a project outside the tree builds its plugin the same way:
#
#   hot_lv2_plugin(<name> ID <id> HEADER <description header> LOGIC <sources>...
#                  BUNDLE <bundle dir> [DEFINES <defs>...] [STATIC])
#
#   <bundle dir>/manifest.ttl, <id>.ttl   generated from the description
#   <bundle dir>/<id>-shell.so            what the host loads (never reloads)
#   <bundle dir>/lib<id>-logic.so         the hot logic, reloaded on rebuild
# With STATIC (or HOTRELOAD_STATIC ON) the logic is compiled into the shell:
# one binary, no runtime dependency, no swap code in run().
#
# Targets: <name> (everything), <name>_shell, <name>_logic, <name>_ttl.
# The shell's sources are compiled into each plugin (they are not a
# library): HOTRELOAD_SHELL_DIR, set before this file is included, says
# where they are (shell/ in the tree, <datadir>/hotreload/shell installed).
# Needs hotreload::hotreload_static and hotreload_add_library()
# (hotreload-helpers.cmake) and the LV2 headers (Debian: lv2-dev).
include_guard(GLOBAL)

if(NOT EXISTS "${HOTRELOAD_SHELL_DIR}/lv2/lv2-shell.c")
  message(FATAL_ERROR "hotreload-lv2.cmake: no plugin shell sources in '${HOTRELOAD_SHELL_DIR}' (set HOTRELOAD_SHELL_DIR)")
endif()
# Kept where the function finds it from any directory of the project.
set_property(GLOBAL PROPERTY HOTRELOAD_SHELL_DIR "${HOTRELOAD_SHELL_DIR}")
find_path(HOT_LV2_INCLUDE_DIR lv2/core/lv2.h)

function(hot_lv2_plugin name)
  cmake_parse_arguments(arg "STATIC" "ID;HEADER;BUNDLE" "LOGIC;DEFINES" ${ARGN})
  if(NOT HOT_LV2_INCLUDE_DIR)
    message(FATAL_ERROR "hot_lv2_plugin(${name}): the LV2 headers are not found (lv2/core/lv2.h; Debian: lv2-dev)")
  endif()
  get_property(shell_dir GLOBAL PROPERTY HOTRELOAD_SHELL_DIR)
  get_filename_component(header_dir ${arg_HEADER} DIRECTORY)
  get_filename_component(header_name ${arg_HEADER} NAME)
  set(plugin_defs HOT_PLUGIN_HEADER="${header_name}" HOT_PLUGIN_ID=${arg_ID}
      HOT_PLUGIN_LOGIC_FILE="lib${arg_ID}-logic.so" ${arg_DEFINES})
  set(includes $<TARGET_PROPERTY:hotreload::hotreload_static,INTERFACE_INCLUDE_DIRECTORIES>
      ${shell_dir} ${header_dir} ${HOT_LV2_INCLUDE_DIR})

  # The .ttl files, from the description (compiled as a plain program).
  add_executable(${name}_ttlgen ${shell_dir}/lv2/lv2-ttlgen.c)
  target_compile_definitions(${name}_ttlgen PRIVATE HOT_STATIC ${plugin_defs})
  target_include_directories(${name}_ttlgen PRIVATE ${includes})
  add_custom_command(OUTPUT ${arg_BUNDLE}/manifest.ttl ${arg_BUNDLE}/${arg_ID}.ttl
    COMMAND ${CMAKE_COMMAND} -E make_directory ${arg_BUNDLE}
    COMMAND ${name}_ttlgen ${arg_BUNDLE} ${arg_ID}-shell.so
    DEPENDS ${name}_ttlgen ${arg_HEADER} VERBATIM)
  add_custom_target(${name}_ttl DEPENDS ${arg_BUNDLE}/manifest.ttl ${arg_BUNDLE}/${arg_ID}.ttl)

  set(shell_sources ${shell_dir}/shell.c ${shell_dir}/shell-desc.c ${shell_dir}/lv2/lv2-shell.c)
  if(arg_STATIC OR HOTRELOAD_STATIC)
    add_library(${name}_shell MODULE ${shell_sources} ${shell_dir}/shell-logic-static.c ${arg_LOGIC})
    target_compile_definitions(${name}_shell PRIVATE HOT_STATIC ${plugin_defs})
    target_link_libraries(${name}_shell PRIVATE pthread m)
  else()
    add_library(${name}_shell MODULE ${shell_sources} ${shell_dir}/shell-logic.c)
    target_compile_definitions(${name}_shell PRIVATE ${plugin_defs})
    # The runtime goes inside the shell, its symbols hidden: a host may load
    # several shells, each with its own copy.
    target_link_libraries(${name}_shell PRIVATE hotreload::hotreload_static)
    # nodelete: the runtime inside gives host threads exit destructors (guard
    # records, alternate signal stacks); a host that unloads the plugin must
    # not leave them pointing at unmapped code when its threads end.
    target_link_options(${name}_shell PRIVATE -Wl,--exclude-libs,ALL -Wl,-Bsymbolic -Wl,-z,nodelete)
    hotreload_add_library(${name}_logic ${arg_LOGIC})
    target_compile_definitions(${name}_logic PRIVATE ${arg_DEFINES})
    target_include_directories(${name}_logic PRIVATE ${header_dir}
      $<TARGET_PROPERTY:hotreload::hotreload_static,INTERFACE_INCLUDE_DIRECTORIES>)
    target_compile_options(${name}_logic PRIVATE ${HOTRELOAD_WARNINGS})
    set_target_properties(${name}_logic PROPERTIES OUTPUT_NAME ${arg_ID}-logic LIBRARY_OUTPUT_DIRECTORY ${arg_BUNDLE})
    add_dependencies(${name}_shell ${name}_logic)
  endif()
  target_include_directories(${name}_shell PRIVATE ${includes})
  target_compile_options(${name}_shell PRIVATE ${HOTRELOAD_WARNINGS})
  set_target_properties(${name}_shell PROPERTIES PREFIX "" OUTPUT_NAME ${arg_ID}-shell
    LIBRARY_OUTPUT_DIRECTORY ${arg_BUNDLE} C_VISIBILITY_PRESET hidden)
  add_dependencies(${name}_shell ${name}_ttl)
  add_custom_target(${name} ALL DEPENDS ${name}_shell)
endfunction()
