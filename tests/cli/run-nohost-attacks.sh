# The supervisor socket under attack. The host must never block on it nor
# send to anything but a socket of its own user; `hotreload run` with
# host = none must refuse a name taken by something else, replace a stale
# socket of a killed run, and a supervisor that stops reading must not
# slow the host down.
. "$CASE_DIR/common.sh"
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
host=attack_$$
"$HOTRELOAD" new $host --build-tree >/dev/null || fail "hotreload new"
RUN_LOG=$PWD/run.log
cd $host || fail "no project folder"
make -s >/dev/null 2>&1 || fail "make"
sed -i 's/^host = .*/host = none/' hotreload.conf
trap 'kill -9 $run_pid $hpid $py 2>/dev/null' EXIT

# The socket's name, from a run that is then stopped.
"$HOTRELOAD" run >"$RUN_LOG" 2>&1 &
run_pid=$!
wait_for '(socket .*)$' "$RUN_LOG" 15
sock=$(sed -n 's/.*(socket \(.*\))$/\1/p' "$RUN_LOG")
kill -INT $run_pid; wait $run_pid

n=0
edit() { # edit: a new message, built by hand (no run), seen in the host's output
    n=$((n + 1))
    sed -i "s/\"hello from logic.c\"\|\"edit [0-9]*\"/\"edit $n\"/" logic.c
    make -s liblogic.so >/dev/null 2>&1 || fail "make"
    wait_for "^tick [0-9]*: edit $n\$" host.log 10
}

# A regular file at the name: the host sends nothing there and says so once;
# run refuses to use the name.
echo "not a socket" >"$sock"
HOTRELOAD_LOG=warn ./$host --interval 20 >host.log 2>&1 &
hpid=$!
wait_for '^tick 1: ' host.log 10
edit
wait_for 'supervisor-[0-9a-f]* is not a socket of this user: no events are sent there$' host.log 5
[ "$(cat "$sock")" = "not a socket" ] || fail "the file changed"
"$HOTRELOAD" run >refused.log 2>&1 && fail "run used a name taken by a regular file"
grep -q "cannot listen for the processes that load liblogic.so: .*supervisor-[0-9a-f]* exists and is not a socket: not using it$" refused.log || fail "run's message: $(cat refused.log)"
echo "a regular file at the name: nothing sent to it, run refuses it with the cause"
rm -f "$sock"

# Another user's socket (needs root to make one): nothing is sent to it.
if [ "$(id -u)" = 0 ]; then
    python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chown(sys.argv[1], 65534, 65534)
open("planted", "w").write("bound\n")
s.settimeout(4)
try:
    print("received", s.recv(4096))
except socket.timeout:
    print("nothing received")
' "$sock" >planted.log 2>&1 &
    py=$!
    wait_for bound planted 5
    edit
    wait $py
    grep -q '^nothing received$' planted.log || fail "sent to another user's socket: $(cat planted.log)"
    "$HOTRELOAD" run >refused.log 2>&1 && fail "run used another user's socket"
    grep -q "is a socket of uid 65534, not of this user: not using it$" refused.log || fail "run's message: $(cat refused.log)"
    rm -f "$sock"
fi
echo "another user's socket: nothing sent to it, run refuses it"

# A stale socket: a run killed with SIGKILL leaves its socket; the host's
# reloads go on, and the next run replaces it and hears the host.
"$HOTRELOAD" run >"$RUN_LOG" 2>&1 &
run_pid=$!
wait_for '(socket .*)$' "$RUN_LOG" 15
kill -9 $run_pid; wait $run_pid 2>/dev/null
[ -S "$sock" ] || fail "no stale socket left to test with"
edit
"$HOTRELOAD" run >"$RUN_LOG" 2>&1 &
run_pid=$!
wait_for '(socket .*)$' "$RUN_LOG" 15
n=$((n + 1))
sed -i "s/\"edit $((n - 1))\"/\"edit $n\"/" logic.c
wait_for "^pid $hpid ($host): built in [0-9]* ms · reloaded v[0-9]* in [0-9.]* ms\$" "$RUN_LOG" 10
kill -INT $run_pid; wait $run_pid
echo "a stale socket: the host goes on, the next run replaces it and hears the host"

# A supervisor that binds and never reads: the host's reloads never wait.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); open("bound", "w").write("bound\n")
time.sleep(float(sys.argv[2]))
s.setblocking(False)
got = 0
try:
    while True:
        s.recv(65536); got += 1
except BlockingIOError:
    pass
print("queued", got)
' "$sock" 60 >stuck.log 2>&1 &
py=$!
wait_for bound bound 5
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do
    edit
done
kill -0 $py || fail "the reader is gone"
echo "a supervisor that never reads: 25 reloads, none waited"
kill $hpid; wait $hpid 2>/dev/null
trap - EXIT
kill $py 2>/dev/null
