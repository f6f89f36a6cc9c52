"""The scaffold under hotreload run on a terminal: Ctrl-C reaches the host,
which saves its state and exits 0; that ends hotreload run with status 0."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyrun import Session  # noqa: E402

hot = os.environ["HOTRELOAD"]
name = "ctrlc_%d" % os.getpid()
subprocess.run([hot, "new", name, "--build-tree"], check=True, stdout=subprocess.DEVNULL)
os.chdir(name)
s = Session([hot, "run"])
s.expect(r"^tick 2: hello from logic\.c")
s.press(b"\x03")
s.expect_quit(r"\./%s exited with status 0 · quitting" % name, "Ctrl-C")
if subprocess.run(["pgrep", "-x", name], stdout=subprocess.DEVNULL).returncode == 0:
    s.fail("a host is left")
print("Ctrl-C: the scaffold's host saves and exits 0, hotreload run ends with status 0")
