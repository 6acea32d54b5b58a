"""``make bench-attachments``: upload and download of 1, 10 and 25 MB
attachments through gunicorn on production settings — throughput and the
web worker's peak memory above its idle size.

The drill's stack (stack.py: two database roles, secrets as files, gunicorn
with 2 workers). Before each request the workers' peak-RSS counters are
reset (``/proc/<pid>/clear_refs``, value 5), so VmHWM afterwards is the
request's peak; the figure printed is the largest (VmHWM - idle VmRSS) of
the two workers. PDFs stream (the path a scan takes); one image shows the
re-encoding path, which holds the decoded picture in memory. Printed, never
asserted; docs/performance.md keeps the figures.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

from stack import Stack, sign_in_with_mfa

MB = 1024 * 1024
SIZES_MB = (1, 10, 25)
ROUNDS = 5


def _pdf(size: int) -> bytes:
    """A real PDF of about ``size`` bytes: one page whose content stream is an incompressible comment."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    stream = StreamObject()
    stream.set_data(b"%" + os.urandom(max(0, size - 2000) // 2).hex().encode() + b"\n")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _photo() -> bytes:
    """A 24-megapixel JPEG (6000 x 4000) of noise: about what a phone's camera takes, larger on disk."""
    from PIL import Image

    image = Image.frombytes("RGB", (6000, 4000), os.urandom(6000 * 4000 * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=60)
    return out.getvalue()


def _workers(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{master}\n" in status:
                pids.append(int(entry.name))
    return pids


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class PeakMemory:
    """The workers' peak resident memory above their idle size, over one request."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids

    def __enter__(self) -> PeakMemory:
        self.idle = {pid: _status_kb(pid, "VmRSS") for pid in self.pids}
        for pid in self.pids:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        return self

    def __exit__(self, *exc: object) -> None:
        self.peak_mb = max(_status_kb(pid, "VmHWM") - self.idle[pid] for pid in self.pids) / 1024
        self.idle_mb = max(self.idle.values()) / 1024


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-attachments-") as work:
        stack = Stack(work=Path(work), extra_env={"API_THROTTLE_USER": "100000000/hour"})
        try:
            stack.start()
            client = sign_in_with_mfa(stack)
            team = client.get("/api/v1/me").json()["teams"][0]["id"]
            survivor = client.post("/api/v1/survivors/", json={"given_names": "Bench"}).json()
            case = client.post("/api/v1/cases/", json={"survivor": survivor["id"], "team": team}).json()
            files = f"/api/v1/cases/{case['id']}/attachments/"
            workers = _workers(stack.processes["web"].pid)
            idle = _status_kb(workers[0], "VmRSS") // 1024
            print(f"gunicorn (2 sync workers, production settings) on {stack.origin}; {ROUNDS} rounds each; "
                  f"memory: the worker's peak RSS above idle (idle ~{idle} MB)")  # fmt: skip
            cases = [("PDF 10 KB (the fixed cost)", _pdf(10 * 1024), "scan.pdf")]
            cases += [(f"PDF {mb} MB", _pdf(mb * MB), "scan.pdf") for mb in SIZES_MB]
            cases.append(("JPEG 24 MP (re-encoded)", _photo(), "photo.jpg"))
            for label, data, name in cases:
                up_times, down_times, up_peak, down_peak = [], [], 0.0, 0.0
                for _ in range(ROUNDS):
                    with PeakMemory(workers) as memory:
                        started = time.perf_counter()
                        response = client.post(
                            files, files={"file": (name, data)}, data={"category": "other"}, timeout=300
                        )
                        up_times.append(time.perf_counter() - started)
                    if response.status_code != 201:
                        raise RuntimeError(f"upload answered {response.status_code}: {response.text[:300]}")
                    up_peak = max(up_peak, memory.peak_mb)
                    url = response.json()["download_url"]
                    with PeakMemory(workers) as memory:
                        started = time.perf_counter()
                        download = client.get(url, stream=True, timeout=300)
                        received = sum(len(piece) for piece in download.iter_content(256 * 1024))
                        down_times.append(time.perf_counter() - started)
                    down_peak = max(down_peak, memory.peak_mb)
                    stored_size = response.json()["size"]
                    if download.status_code != 200 or received != stored_size:
                        raise RuntimeError(f"download answered {download.status_code}, {received} of {stored_size}")
                size_mb = len(data) / MB
                up, down = sorted(up_times)[ROUNDS // 2], sorted(down_times)[ROUNDS // 2]
                print(f"{label:<26} {size_mb:6.1f} MB   upload {size_mb / up:7.1f} MB/s ({up * 1000:6.0f} ms) "
                      f"peak +{up_peak:5.1f} MB   download {stored_size / MB / down:7.1f} MB/s ({down * 1000:6.0f} ms) "
                      f"peak +{down_peak:5.1f} MB")  # fmt: skip
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
