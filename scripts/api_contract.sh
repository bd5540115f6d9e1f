#!/usr/bin/env bash
# API contract check: schemathesis generates requests from /api/openapi.json
# against a real `posfaq serve` on loopback and checks every response
# against the document (no server errors, documented statuses and shapes).
# It runs twice: with an admin token (reload on, requests carry the token)
# and without one (reload off: every reload request must get the
# documented 401).
# Usage: scripts/api_contract.sh [POSFAQ_BINARY] [MAX_EXAMPLES]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/posfaq}
examples=${2:-30}
work=$(mktemp -d)
token=contract-check-token
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

"$bin" index --corpus corpus --index "$work/index" >/dev/null 2>&1

# check TOKEN: serves the index with TOKEN as the admin token (none if
# empty) and runs schemathesis against it.
check() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  POSFAQ_ADMIN_TOKEN=$1 "$bin" serve --index "$work/index" --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 $server 2>/dev/null || { cat "$work/serve.log"; exit 1; }
    sleep 0.1
  done
  local auth=()
  [ -n "$1" ] && auth=(-H "Authorization: Bearer $1")
  schemathesis run "http://127.0.0.1:$port/api/openapi.json" \
    --checks all --max-examples "$examples" --seed 20261122 "${auth[@]}"
  kill $server
  wait $server 2>/dev/null || true
  server=
}

echo "== with an admin token"
check "$token"
echo "== without an admin token"
check ""
