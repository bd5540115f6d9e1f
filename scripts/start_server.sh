# Sourced by the load scripts: `start_server WORK COMMAND...` runs COMMAND
# (a `posfaq serve ... --addr 127.0.0.1:0`) in the background, with its
# stdout in WORK/stdout and its log in WORK/serve.log, and sets `server`
# (its pid) and `addr` (host:port). The server binds a port of its own
# choosing and prints `listening on http://ADDR` once it has loaded the
# index and bound the socket; listening with no index loaded is possible
# (then /readyz says why), so /readyz is checked too.
start_server() {
    local work=$1
    shift
    RUST_LOG=warn "$@" >"$work/stdout" 2>"$work/serve.log" &
    server=$!
    exec 3<"$work/stdout"
    local listening
    if ! read -r -t 120 listening <&3 || [[ $listening != "listening on http://"* ]]; then
        echo "the server did not start: ${listening:-no address printed}" >&2
        cat "$work/serve.log" >&2
        exit 1
    fi
    addr=${listening#listening on http://}
    curl -fsS "http://$addr/readyz" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }
}
