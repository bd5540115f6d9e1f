#!/usr/bin/env python3
"""Hammer /api/search on a real `posfaq serve` while the index is rebuilt and
reloaded, and count every request that did not get a 200 with hits.

Loopback only, bounded in time. Exits 1 if any request was lost.

    python3 scripts/reload_under_load.py [--posfaq target/release/posfaq]
        [--workers 16] [--reloads 5] [--max-seconds 120]
"""
import argparse
import http.client
import json
import os
import pathlib
import select
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
QUERIES = ["83无效终端", "终端未登记", "商户状态异常", "手续费", "签到失败", "刷卡显示51", "押金能退吗", "结算卡", "lakala", "終端未登記"]
TOKEN = "reload-under-load"


def start_server(command, env):
    """Starts `posfaq serve` on a port it picks itself (`--addr 127.0.0.1:0`)
    and returns the process and that port, read from the line it prints on
    stdout once the index is loaded and the socket bound."""
    server = subprocess.Popen(command + ["--addr", "127.0.0.1:0"], env=env, stdout=subprocess.PIPE)
    ready, _, _ = select.select([server.stdout], [], [], 60)
    line = server.stdout.readline().decode() if ready else ""
    if not line.startswith("listening on http://"):
        server.kill()
        sys.exit(f"the server did not start: {line.strip() or 'no address printed'}")
    return server, int(line.strip().rsplit(":", 1)[1])


def worker(port, stop, tally, lock, n):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    i = n
    ok = bad = 0
    errors = []
    while not stop.is_set():
        q = urllib.parse.quote(QUERIES[i % len(QUERIES)])
        i += 1
        try:
            conn.request("GET", f"/api/search?q={q}&limit=5")
            response = conn.getresponse()
            body = response.read()
            if response.status == 200 and json.loads(body)["hits"]:
                ok += 1
            else:
                bad += 1
                errors.append(f"{response.status} {body[:80]!r}")
        except Exception as e:  # a refused or reset connection is a lost request
            bad += 1
            errors.append(repr(e))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    with lock:
        tally["ok"] += ok
        tally["bad"] += bad
        tally["errors"].extend(errors[:5])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posfaq", default=str(ROOT / "target/release/posfaq"))
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--reloads", type=int, default=5)
    ap.add_argument("--max-seconds", type=float, default=120)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as work:
        index = os.path.join(work, "index")
        subprocess.run([a.posfaq, "index", "--corpus", str(ROOT / "corpus"), "--index", index], check=True, capture_output=True)
        env = dict(os.environ, POSFAQ_ADMIN_TOKEN=TOKEN, RUST_LOG="warn")
        server, port = start_server([a.posfaq, "serve", "--index", index], env)
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/readyz")
            if c.getresponse().status != 200:
                sys.exit("the server is listening but not ready")

            stop, lock = threading.Event(), threading.Lock()
            tally = {"ok": 0, "bad": 0, "errors": []}
            threads = [threading.Thread(target=worker, args=(port, stop, tally, lock, n)) for n in range(a.workers)]
            started = time.time()
            for t in threads:
                t.start()
            reloads = []
            for _ in range(a.reloads):
                if time.time() - started > a.max_seconds:
                    break
                subprocess.run([a.posfaq, "index", "--corpus", str(ROOT / "corpus"), "--index", index], check=True, capture_output=True)
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                c.request("POST", "/api/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
                r = c.getresponse()
                reloads.append((r.status, json.loads(r.read()).get("generation")))
                time.sleep(0.5)
            stop.set()
            for t in threads:
                t.join()
            seconds = time.time() - started
        finally:
            server.terminate()
            server.wait(timeout=30)

    print(f"{a.workers} workers for {seconds:.1f} s, {len(reloads)} rebuild+reload cycles: {reloads}")
    print(f"requests: {tally['ok'] + tally['bad']}, ok: {tally['ok']}, lost: {tally['bad']}")
    for e in tally["errors"]:
        print("  ", e)
    if tally["bad"] or len(reloads) < a.reloads or any(s != 200 for s, _ in reloads):
        sys.exit(1)


if __name__ == "__main__":
    main()
