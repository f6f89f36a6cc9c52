"""hotreload run started on a terminal lends it to the host: the host reads
keys as if started directly, Ctrl-Z suspends both (and 'fg' resumes both),
and the terminal's modes come back after the host stops, whatever state it
left them in."""
import os
import shutil
import signal
import sys
import termios

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyrun import run_hotreload  # noqa: E402

shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "keys.py"), "keys.py")
open("src.c", "w").close()

s = run_hotreload(["--host", "./keys.py", "--build", "true"])
s.expect(r"^keys ready\r?\n")
if s.modes() & termios.ICANON:
    s.fail("the host's terminal mode did not take")
s.press(b"a")
s.expect(r"^key a")
print("keys: the host reads key by key, as if started directly")

s.press(b"x")
s.expect(r"^\./keys\.py exited with status 3 · restarting at the next change")
s.assert_cooked("after an error exit")
if s.foreground() != s.pid:
    s.fail("the terminal was not taken back")
print("error exit: terminal modes restored, terminal taken back")

with open("src.c", "a") as f:
    f.write("// changed\n")
s.expect(r"restarted \./keys\.py")
s.expect(r"^keys ready\r?\n")
s.press(b"b")
s.expect(r"^key b")
print("restart: the new host gets the terminal")

s.press(b"\x1a")  # Ctrl-Z
s.wait_stopped()
s.assert_cooked("while suspended")
if s.foreground() != s.pid:
    s.fail("suspended, the terminal is still the host's")
os.kill(s.pid, signal.SIGCONT)  # what the shell's 'fg' sends
s.expect(r"^resumed \./keys\.py")
s.press(b"c")
s.expect(r"^key c")
if s.modes() & termios.ICANON:
    s.fail("the host's mode was not given back after 'fg'")
print("Ctrl-Z: both suspended, terminal given back; fg: the host reads keys again")

s.press(b"q")
s.expect_quit(r"^\./keys\.py exited with status 0 · quitting", "the host quit")
print("quit key: hotreload run ends with status 0, terminal restored")

s = run_hotreload(["--host", "./keys.py", "--build", "true"])
# Ctrl-C flushes the terminal's queues (no NOFLSH): what the host printed just
# before may be lost, so the status line is not anchored at a line start.
s.expect(r"^keys ready\r?\n")
s.press(b"\x03")  # Ctrl-C
s.expect_quit(r"\./keys\.py killed by SIGINT · quitting", "Ctrl-C")
print("Ctrl-C: reaches the host, hotreload run ends with status 0")
