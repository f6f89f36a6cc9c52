# jack-lib.sh: sourced by the jalv tests. Needs $work (a fresh folder).
# Gives: a JACK server on the dummy backend, started by start_jack and
# stopped (clients first) at exit; wait_port, wait_log, xruns;
# build_copies (needs $cc and $cflags).
export JACK_NO_AUDIO_RESERVATION=1
pids=""
jackd_pid=""
# Clients first, then the server; a server that does not stop in 5 s is
# killed (its registry entry is reclaimed by the next run of that name).
stop_jack() {
    for p in $pids; do [ "$p" = "$jackd_pid" ] || kill "$p" 2>/dev/null || true; done
    for p in $pids; do [ "$p" = "$jackd_pid" ] || wait "$p" 2>/dev/null || true; done
    if [ -n "$jackd_pid" ]; then
        kill "$jackd_pid" 2>/dev/null || true
        t=0
        while kill -0 "$jackd_pid" 2>/dev/null && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
        kill -9 "$jackd_pid" 2>/dev/null || true
        wait "$jackd_pid" 2>/dev/null || true
    fi
    pids="" jackd_pid=""
}
cleanup() {
    stop_jack
    rm -rf "$work"
}
trap cleanup EXIT

start_jack() { # RATE PERIOD
# One of a few fixed server names: JACK keeps at most 8 servers in its
# registry and reclaims a dead server's entry only for the same name, so
# unique names would fill it after a few killed runs; several names let
# runs in other build trees go on at the same time.
started=""
for k in 0 1 2 3; do
    export JACK_DEFAULT_SERVER="hotreload-audio-$k"
    jack_wait -c 2>/dev/null | grep -q "^running" && continue # taken by another run
    jackd -n "$JACK_DEFAULT_SERVER" -t 10000 -d dummy -r "$1" -p "$2" >"$work/jackd.log" 2>&1 &
    jackd_pid=$!
    if jack_wait -w -t 10 >/dev/null 2>&1 && kill -0 $jackd_pid 2>/dev/null; then
        pids="$jackd_pid"
        started=1
        break
    fi
    kill $jackd_pid 2>/dev/null || true
    wait $jackd_pid 2>/dev/null || true
    jackd_pid=""
done
if [ -z "$started" ]; then
    cat "$work/jackd.log"
    echo "skip: jackd (dummy backend) did not start"
    exit 77
fi
}

# dropped CLIENT: did JACK's dummy backend drop CLIENT from its graph just
# after it joined ("was not finished, state = Triggered", then nothing runs)?
# Seen here as often with a plugin no one here wrote (Ardour's a-delay) as
# with ours; a test starts JACK again when it happens. Looks for 1 s.
dropped() {
    sleep 1
    grep -q "client = $1 was not finished, state = Triggered" "$work/jackd.log"
}

wait_port() { # PORT: up to 10 s
    t=0
    while ! jack_lsp 2>/dev/null | grep -qx "$1"; do
        t=$((t + 1)); [ $t -lt 100 ] || { echo "FAIL: no JACK port $1"; cat "$work"/*.log; exit 1; }
        sleep 0.1
    done
}
wait_log() { # FILE TEXT: up to 20 s
    t=0
    while ! grep -q "$2" "$1"; do
        t=$((t + 1)); [ $t -lt 200 ] || { echo "FAIL: $1 never said \"$2\""; cat "$1"; tail -20 "$work/jackd.log"; exit 1; }
        sleep 0.1
    done
}
xruns() { grep -c "$1" "$work/jackd.log" || true; }


# build_copies N LOGIC_SOURCE: $work/builds/1.so .. N.so, differing only in
# their build-id. Made before JACK starts: a compiler beside JACK on these
# shared 2-core machines makes every client late now and then, and under
# load it takes seconds.
build_copies() {
    mkdir -p "$work/builds"
    n=1
    while [ $n -le "$1" ]; do
        # shellcheck disable=SC2086
        "$cc" -shared -fPIC -O2 -fvisibility=hidden -DHOT_LIBRARY $cflags \
            -Wl,--build-id=0x$(printf '%040x' $n) -o "$work/builds/$n.so" "$2"
        n=$((n + 1))
    done
}
