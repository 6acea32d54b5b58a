"""``make bench-load``: a bounded load on gunicorn with production settings.

The drill's stack (stack.py: the two database roles, secrets as files,
gunicorn with 2 workers, a Celery worker and beat) with one caseworker who
works 50 cases; then wrk (Debian's package: ``apt-get install -y wrk``) from
loopback, with her bearer token and the proxy's headers, for GET /cases/ and
GET /cases/{id}: requests per second and the 50th/99th percentile latency.
Printed, never asserted; docs/performance.md keeps the figures.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from stack import HOST, Stack, sign_in_with_mfa

CASES = 50
SECONDS = 30
THREADS = 2
CONNECTIONS = 8


def _wrk(url: str, token: str) -> dict[str, str]:
    out = subprocess.run(
        [
            "wrk", f"--threads={THREADS}", f"--connections={CONNECTIONS}", f"--duration={SECONDS}s", "--latency",
            "--header", f"Authorization: Bearer {token}", "--header", f"Host: {HOST}",
            "--header", "X-Forwarded-Proto: https", "--header", "Accept: application/json", url,
        ],
        capture_output=True, text=True, check=True, timeout=SECONDS + 60,
    ).stdout  # fmt: skip
    figures = {
        "rps": re.search(r"Requests/sec:\s+([\d.]+)", out),
        "p50": re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE),
        "p99": re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE),
        "non2xx": re.search(r"Non-2xx or 3xx responses: (\d+)", out),
    }
    return {name: match.group(1) if match else "0" for name, match in figures.items()}


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-load-") as work:
        # the per-user limit (1200/hour) would answer 429 to almost every request of a load test
        stack = Stack(work=Path(work), extra_env={"API_THROTTLE_USER": "100000000/hour"})
        try:
            stack.start()
            caseworker = sign_in_with_mfa(stack)
            team = caseworker.get("/api/v1/me").json()["teams"][0]["id"]
            case_id = ""
            for number in range(CASES):
                survivor = caseworker.post("/api/v1/survivors/", json={"given_names": f"Load {number}"}).json()
                case_id = caseworker.post("/api/v1/cases/", json={"survivor": survivor["id"], "team": team}).json()[
                    "id"
                ]
            token = str(caseworker.headers["Authorization"]).removeprefix("Bearer ")
            print(f"gunicorn (2 workers, production settings) on {stack.origin}; wrk {THREADS} threads, "
                  f"{CONNECTIONS} connections, {SECONDS} s per route; {CASES} cases")  # fmt: skip
            for label, path in (("GET /cases/", "/api/v1/cases/"), ("GET /cases/{id}", f"/api/v1/cases/{case_id}")):
                figures = _wrk(stack.origin + path, token)
                print(f"{label:<16} {figures['rps']:>8} req/s   p50 {figures['p50']:>8}   p99 {figures['p99']:>8}   "
                      f"non-2xx {figures['non2xx']}")  # fmt: skip
                if figures["non2xx"] != "0":
                    print("  (some answers were not 2xx: the figures above are not the API's)", file=sys.stderr)
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
