#!/usr/bin/env python3
"""tidy-flags.py COMPILE_COMMANDS FILE: the flags the build compiles FILE
with (its first entry: the runtime or the CLI itself, not the sanitizer
copies of the tests), one per line, without the compiler, -o and -c, for
`clang-tidy FILE -- FLAGS`. Given through `--` rather than -p, clang-tidy
analyses the file once, with clang's own headers (run through gcc's driver
name it reported va_start as an uninitialised va_list)."""
import json
import os
import shlex
import sys


def flags(db_path, source):
    source = os.path.realpath(source)
    for entry in json.load(open(db_path, encoding="utf-8")):
        if os.path.realpath(os.path.join(entry["directory"], entry["file"])) != source:
            continue
        args = entry.get("arguments") or shlex.split(entry["command"])
        out, skip = [], False
        for a in args[1:]:
            if skip:
                skip = False
            elif a == "-o":
                skip = True
            elif a != "-c" and os.path.realpath(os.path.join(entry["directory"], a)) != source:
                out.append(a)
        return out
    return None


if __name__ == "__main__":
    found = flags(sys.argv[1], sys.argv[2])
    if found is None:
        sys.exit("tidy-flags: %s is not in %s" % (sys.argv[2], sys.argv[1]))
    print("\n".join(found))
