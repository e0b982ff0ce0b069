"""Load test: start the app, run N concurrent gradio_client clients on loopback for a bounded time.

Each client restyles a photo (longer side ``--side`` pixels) through the /restyle API, again and
again, until the time is up. Printed: requests, errors (anything but a clear "busy, try again" from
the queue limit counts), p50 / p95 latency, requests per second, and the server's resident memory
after warm-up and at the end (flat = no leak).

    python benchmarks/load_test.py --clients 16 --seconds 60 --side 512     # docs/limits.md and benchmarks/results/load-test.md
    python benchmarks/load_test.py --clients 4 --seconds 10 --side 256      # what CI runs (tests/e2e/test_load.py)
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import skimage.data
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
BUSY = ("queue is full", "busy")  # the queue limit's answer: a clear "try again", not a failure


@dataclass
class LoadReport:
    clients: int
    seconds: float
    side: int
    latencies: list[float] = field(default_factory=list)
    busy: int = 0
    errors: list[str] = field(default_factory=list)
    rss_after_warmup_mb: float = 0.0
    rss_end_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_quarters_mb: list[float] = field(default_factory=list)  # at 25, 50, 75 and 100 % of the run
    wall_seconds: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]

    @property
    def requests_per_second(self) -> float:
        return self.ok / self.wall_seconds if self.wall_seconds else 0.0

    def summary(self) -> str:
        lines = [
            f"clients {self.clients}, {self.seconds:.0f} s of {self.side}-px restyles on loopback",
            f"requests: {self.ok} ok, {self.busy} busy (queue limit), {len(self.errors)} errors",
            f"latency: p50 {self.percentile(50):.2f} s, p95 {self.percentile(95):.2f} s, "
            f"max {max(self.latencies, default=float('nan')):.2f} s",
            f"throughput: {self.requests_per_second:.2f} requests/s",
            f"server memory (RSS): {self.rss_after_warmup_mb:.0f} MB after warm-up, {self.rss_end_mb:.0f} MB at the "
            f"end ({self.rss_end_mb - self.rss_after_warmup_mb:+.0f} MB), peak {self.rss_peak_mb:.0f} MB",
            "server memory at 25/50/75/100 % of the run: " + " / ".join(f"{m:.0f}" for m in self.rss_quarters_mb)
            + " MB",
        ]
        if self.errors:
            lines.append("first errors: " + " | ".join(self.errors[:3]))
        return "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_app(data_dir: Path, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = os.environ | {"GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1",
                        "STYLELAB_DATA_DIR": str(data_dir), "STYLELAB_DEVICE": os.environ.get("STYLELAB_DEVICE", "cpu")
                        } | (extra_env or {})
    log = open(data_dir.parent / "load-test-server.log", "w")
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited early; see {log.name}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the app did not start within 180 s")


def _restyle(client, photo: Path) -> None:
    from gradio_client import handle_file

    client.predict(photos=[handle_file(str(photo))], template="Ink wash", style_image=None, strength=0.8,
                   stroke_scale=1.0, keep_colours=True, blend_template="(none)", blend_weight=0.3,
                   image_format="JPEG", quality=90, mode="whole photo", api_name="/restyle")


def run_load(clients: int, seconds: float, side: int, workdir: Path, extra_env: dict[str, str] | None = None
             ) -> LoadReport:
    from gradio_client import Client

    data_dir = workdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    photo = workdir / "product.jpg"
    coffee = Image.fromarray(skimage.data.coffee())
    coffee.resize((side, round(side * coffee.height / coffee.width)), Image.Resampling.LANCZOS).save(photo, quality=92)
    report = LoadReport(clients, seconds, side)
    process, url = start_app(data_dir, extra_env)
    lock = threading.Lock()
    try:
        _restyle(Client(url, verbose=False), photo)  # warm-up: the networks load on the first request
        connected = [Client(url, verbose=False) for _ in range(clients)]
        started = time.monotonic()
        deadline = started + seconds
        warm_until = started + max(1.0, seconds / 4)  # memory is measured from here on
        samples: list[tuple[float, float]] = []
        stop_sampling = threading.Event()

        def sample() -> None:
            while not stop_sampling.wait(0.5):
                samples.append((time.monotonic(), rss_mb(process.pid)))

        def client_loop(client) -> None:
            while time.monotonic() < deadline:
                began = time.perf_counter()
                try:
                    _restyle(client, photo)
                    with lock:
                        report.latencies.append(time.perf_counter() - began)
                except Exception as error:  # noqa: BLE001 - every failure is counted and shown
                    message = str(error)
                    with lock:
                        if any(word in message.lower() for word in BUSY):
                            report.busy += 1
                        else:
                            report.errors.append(message[:200])

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        threads = [threading.Thread(target=client_loop, args=(c,)) for c in connected]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report.wall_seconds = time.monotonic() - started
        stop_sampling.set()
        sampler.join()
        after_warmup = [rss for t, rss in samples if t >= warm_until] or [rss_mb(process.pid)]
        report.rss_after_warmup_mb = after_warmup[0]
        report.rss_end_mb = rss_mb(process.pid)
        report.rss_peak_mb = max(rss for _, rss in samples) if samples else report.rss_end_mb
        report.rss_quarters_mb = [next((rss for t, rss in samples if t >= started + seconds * q / 4), report.rss_end_mb)
                                  for q in (1, 2, 3, 4)]
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--side", type=int, default=512, help="longer side of the photo each client restyles")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the app, e.g. STYLELAB_QUEUE_SIZE=4 (repeatable)")
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    with tempfile.TemporaryDirectory(prefix="stylelab-load-") as workdir:
        report = run_load(args.clients, args.seconds, args.side, Path(workdir), extra_env)
    print(report.summary())
    if report.errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
