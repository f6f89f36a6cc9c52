# The scaffold on a terminal (a pty): Ctrl-C ends the loop cleanly.
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
exec python3 "$CASE_DIR/pty/run_scaffold_ctrl_c.py"
