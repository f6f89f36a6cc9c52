# Run by gdb (see run_gdb_test.sh): a breakpoint on fx_step must stop in the
# build that is answering calls. gdb_host calls fx_step under build 1, then
# reloads build 2 and calls it again. The first stop in the library must be
# in fx_lib.c inside build 1's shadow copy; the second on the marked line of
# fx_gdb_v2.c inside build 2's copy. gdb may also stop in the host's inline
# wrapper of the same name; those stops are skipped.
import os

import gdb


def finish(code, message):
    print(("PASS: " if code == 0 else "FAIL: ") + message, flush=True)
    try:
        gdb.execute("kill")
    except gdb.error:
        pass
    os._exit(code)


def marked_line(path):
    with open(path) as f:
        for number, text in enumerate(f, start=1):
            if "GDB-V2-LINE" in text:
                return number
    finish(1, "no GDB-V2-LINE marker in " + path)


def same_file(a, b):
    return os.path.realpath(a) == os.path.realpath(b)


def library_stop():
    """Continues until a stop in a shared library; returns its details."""
    while True:
        if gdb.selected_inferior().pid == 0:
            finish(1, "the program ended before stopping in the library twice")
        frame = gdb.selected_frame()
        objfile = gdb.solib_name(frame.pc())
        if objfile is not None and "fx" in os.path.basename(objfile):
            sal = frame.find_sal()
            loaded = gdb.parse_and_eval("g_loaded_path").string()
            filename = sal.symtab.fullname() if sal.symtab else "?"
            print("stop: %s:%d in %s (loaded: %s)" % (filename, sal.line, objfile, loaded),
                  flush=True)
            return filename, sal.line, objfile, loaded
        gdb.execute("continue")


v2_source = os.environ["FX_GDB_V2_SOURCE"]
v1_source = os.environ["FX_LIB_SOURCE"]
v2_line = marked_line(v2_source)

gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set breakpoint pending on")
gdb.execute("break fx_step")
gdb.execute("run")

filename, line, objfile, loaded = library_stop()
if not same_file(filename, v1_source):
    finish(1, "first stop should be in build 1 (%s), was %s:%d" % (v1_source, filename, line))
if not same_file(objfile, loaded):
    finish(1, "first stop in %s, but build 1 runs from %s" % (objfile, loaded))

gdb.execute("continue")
filename, line, objfile, loaded = library_stop()
if not same_file(filename, v2_source) or line != v2_line:
    finish(1, "second stop should be %s:%d, was %s:%d" % (v2_source, v2_line, filename, line))
if not same_file(objfile, loaded):
    finish(1, "second stop in %s, but build 2 runs from %s" % (objfile, loaded))
finish(0, "stopped in build 2 at %s:%d in its copy %s" % (filename, line, objfile))
