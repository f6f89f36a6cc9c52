#!/bin/sh
# test-http-server.sh HOST CC INCLUDE_DIR
# wrk drives the server for 4 s on 127.0.0.1 while the handler is rebuilt
# 10 times: no failed request, no dropped connection, every body one whole
# version, every rebuild served (drive-wrk.sh checks; make bench runs the
# long one: bench/extra-wrk.sh).
exec sh "$(dirname "$0")/drive-wrk.sh" "$1" "$2" "$3" 4 10
