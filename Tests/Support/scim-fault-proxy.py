#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for rolecall's SCIM tests (test-only).

    scim-fault-proxy.py UPSTREAM [--rate 0.2] [--seed N] [--retry-after 0] [--slow 0.3]

Listens on 127.0.0.1 on a free port and prints `PORT` on its first line; requests keep their path and go to
UPSTREAM's host and port. A share `--rate` of requests
meets a fault, chosen evenly among: 429 with Retry-After, 500 before the server sees the request, 500
after it did (the change happened, the answer is lost), a slow answer, a dropped connection before
forwarding and one after. Counts are printed to stderr on SIGTERM.
"""
import argparse
import http.client
import random
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ["429", "500-before", "500-after", "slow", "drop-before", "drop-after"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("upstream")
    ap.add_argument("--rate", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--retry-after", default="0")
    ap.add_argument("--slow", type=float, default=0.3)
    args = ap.parse_args()
    up = urllib.parse.urlsplit(args.upstream)
    rng = random.Random(args.seed)
    lock = threading.Lock()
    counts = {name: 0 for name in FAULTS + ["ok"]}

    def pick():
        with lock:
            fault = rng.choice(FAULTS) if rng.random() < args.rate else "ok"
            counts[fault] += 1
            return fault

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def forward(self, body):
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            conn.request(self.command, self.path, body=body, headers=headers)  # same path on the upstream host
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            return resp.status, [(k, v) for k, v in resp.getheaders() if k.lower() not in ("connection", "transfer-encoding", "content-length")], data

        def answer(self, status, headers, data):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def drop(self):
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass

        def handle_any(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            fault = pick()
            err = b'{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"%d","detail":"injected fault"}'
            if fault == "429":
                return self.answer(429, [("Retry-After", args.retry_after), ("Content-Type", "application/scim+json")], err % 429)
            if fault == "500-before":
                return self.answer(500, [("Content-Type", "application/scim+json")], err % 500)
            if fault == "drop-before":
                return self.drop()
            if fault == "slow":
                time.sleep(args.slow)
            status, headers, data = self.forward(body)
            if fault == "500-after":
                return self.answer(500, [("Content-Type", "application/scim+json")], err % 500)
            if fault == "drop-after":
                return self.drop()
            self.answer(status, headers, data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True

    def stop(*_):
        print(" ".join(f"{k}={v}" for k, v in counts.items()), file=sys.stderr, flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
