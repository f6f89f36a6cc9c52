# Turns the scaffold's template files into C string literals, so the
# hotreload command carries them:
#   cmake -DOUT=templates.c -DDIR=cli/templates -DFILES="a;b" -P embed-templates.cmake
set(body "/* Generated from cli/templates/ by cli/embed-templates.cmake: edit those. */\n")
string(APPEND body "#include \"cli.h\"\n\nconst struct cli_template cli_templates[] = {\n")
foreach(name ${FILES})
  file(READ "${DIR}/${name}" text)
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE "\"" "\\\"" text "${text}")
  string(REPLACE "\t" "\\t" text "${text}")
  string(REPLACE "\n" "\\n\"\n     \"" text "${text}")
  string(APPEND body "    {\"${name}\",\n     \"${text}\"},\n")
endforeach()
string(APPEND body "    {0, 0},\n};\n")
file(WRITE "${OUT}.tmp" "${body}")
# configure_file rewrites the output only when it changed.
configure_file("${OUT}.tmp" "${OUT}" COPYONLY)
file(REMOVE "${OUT}.tmp")
