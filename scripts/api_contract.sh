#!/usr/bin/env bash
# API contract check: schemathesis generates requests from /api/openapi.json
# against a real `posfaq serve` on loopback and checks every response
# against the document (no server errors, documented statuses and shapes).
# Usage: scripts/api_contract.sh [POSFAQ_BINARY] [MAX_EXAMPLES]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/posfaq}
examples=${2:-30}
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=contract-check-token

"$bin" index --corpus corpus --index "$work/index" >/dev/null 2>&1
POSFAQ_ADMIN_TOKEN=$token "$bin" serve --index "$work/index" --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.1
done

schemathesis run "http://127.0.0.1:$port/api/openapi.json" \
  --checks all --max-examples "$examples" --seed 20261122 \
  -H "Authorization: Bearer $token"
