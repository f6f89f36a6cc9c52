# hotreload run on a terminal (a pty): keys reach the host, Ctrl-Z and fg,
# modes restored, quit key and Ctrl-C end the loop (tests/cli/pty/).
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
exec python3 "$CASE_DIR/pty/run_terminal.py"
