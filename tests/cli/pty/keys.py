#!/usr/bin/env python3
# A host that reads the keyboard key by key (no line buffering, no echo),
# as a terminal game does. q: quit (status 0); x: an error exit (status 3);
# both leave the terminal in its key-by-key mode on purpose, as a crashed
# program would. Ctrl-C and Ctrl-Z keep their default actions.
import os
import signal
import sys
import termios

signal.signal(signal.SIGINT, signal.SIG_DFL)
mode = termios.tcgetattr(0)
mode[3] &= ~(termios.ICANON | termios.ECHO)
termios.tcsetattr(0, termios.TCSANOW, mode)
print("keys ready", flush=True)
while True:
    key = os.read(0, 1).decode()
    if key == "q":
        sys.exit(0)
    if key == "x":
        sys.exit(3)
    print("key %s" % key, flush=True)
