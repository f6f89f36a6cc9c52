"""Drives `hotreload run` on a pseudo terminal, as a user at a terminal
would: key presses are bytes written to the terminal, what the user sees is
what is read back. Shared by the terminal test cases (tests/cli/run-*.sh)."""
import os
import pty
import re
import select
import signal
import sys
import termios
import time


class Session:
    def __init__(self, argv, env=None):
        self.output = b""
        self.pos = 0
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # a new session whose controlling terminal is the pty
            try:
                os.execvpe(argv[0], argv, env or os.environ)
            finally:
                os._exit(127)

    def fail(self, why):
        sys.stdout.write("FAIL: %s\n--- terminal\n%s\n" % (why, self.output.decode(errors="replace")))
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        sys.exit(1)

    def _read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if r:
            try:
                data = os.read(self.fd, 4096)
            except OSError:  # EIO: every process left the terminal
                data = b""
            self.output += data
            return len(data) > 0
        return True

    def expect(self, pattern, timeout=15):
        """Waits for a line matching the regex after the last match."""
        rx = re.compile(pattern.encode(), re.M)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.output, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.2)):
                if not rx.search(self.output, self.pos):
                    self.fail("nothing matched '%s'" % pattern)

    def press(self, keys):
        os.write(self.fd, keys)

    def modes(self):
        """The terminal's local modes (the master reports the slave's)."""
        return termios.tcgetattr(self.fd)[3]

    def assert_cooked(self, when):
        lflag = self.modes()
        if not (lflag & termios.ICANON and lflag & termios.ECHO):
            self.fail("terminal not restored %s (lflag %#x)" % (when, lflag))

    def foreground(self):
        return os.tcgetpgrp(self.fd)

    def wait_stopped(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, st = os.waitpid(self.pid, os.WNOHANG | os.WUNTRACED)
            if pid == self.pid and os.WIFSTOPPED(st):
                return
            self._read(0.05)
        self.fail("hotreload run did not stop with its host")

    def wait_exit(self, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                while self._read(0.05) and select.select([self.fd], [], [], 0)[0]:
                    pass
                return os.waitstatus_to_exitcode(st)
            self._read(0.05)
        self.fail("hotreload run did not exit")


    def expect_quit(self, line, after):
        """The status line, then hotreload run's exit 0, terminal restored."""
        self.expect(line)
        code = self.wait_exit()
        if code != 0:
            self.fail("hotreload run exited with %d after %s" % (code, after))
        self.assert_cooked("after " + after)


def run_hotreload(args):
    return Session([os.environ["HOTRELOAD"], "run"] + args)
