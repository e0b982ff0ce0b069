"""Soak test: many new visitors, one after another, and the server's memory as they come and go.

Starts the app on loopback (127.0.0.1, a free port, its own data folder), then opens ``--sessions``
new ``gradio_client`` sessions one after another; each restyles one ``--side`` x ``--side`` photo
through ``/restyle`` and closes. Printed: the server's resident memory (RSS) every ``--every``
sessions, then every 10 s while the sessions expire (the server runs with
``STYLELAB_SESSION_MINUTES=--expire-minutes``), and the verdict against the targets:

- after the first ``--warm-up`` sessions, RSS grows by at most 300 MB over the rest;
- once the sessions have expired, RSS is back within 150 MB of the warm-up level.

It stops by itself: after the last session it waits for expiry plus ``--settle`` seconds.

    python benchmarks/soak.py                                   # 200 sessions of 2048x2048 (the target's run)
    python benchmarks/soak.py --sessions 40 --side 1024         # a quicker look
    python benchmarks/soak.py --env STYLELAB_SESSION_MINUTES=60 # what a Space does by default
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import skimage.data
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import rss_mb, start_app  # noqa: E402

GROWTH_TARGET_MB = 300  # over the sessions after the warm-up
RETURN_TARGET_MB = 150  # above the warm-up level once sessions expired


@dataclass
class SoakReport:
    sessions: int
    side: int
    warm_up: int
    curve: list[tuple[int, float, float]] = field(default_factory=list)  # (sessions done, seconds, RSS MB)
    expiry: list[tuple[float, float]] = field(default_factory=list)  # (seconds after the last session, RSS MB)
    errors: list[str] = field(default_factory=list)
    session_seconds: list[float] = field(default_factory=list)

    def rss_after(self, sessions: int) -> float:
        return next(rss for done, _, rss in self.curve if done >= sessions)

    @property
    def warm_level(self) -> float:
        return self.rss_after(self.warm_up)

    @property
    def growth(self) -> float:
        """The most RSS rose above the warm-up level while the remaining sessions ran."""
        return max(rss for done, _, rss in self.curve if done >= self.warm_up) - self.warm_level

    @property
    def after_expiry(self) -> float:
        return self.expiry[-1][1] - self.warm_level if self.expiry else float("nan")

    def summary(self) -> str:
        median = sorted(self.session_seconds)[len(self.session_seconds) // 2] if self.session_seconds else float("nan")
        lines = [f"{self.sessions} new sessions, each one {self.side}x{self.side} restyle through /restyle, "
                 f"on loopback; median session {median:.1f} s; {len(self.errors)} errors",
                 "", "| sessions done | minutes | server RSS (MB) |", "|---:|---:|---:|"]
        lines += [f"| {done} | {seconds / 60:.1f} | {rss:.0f} |" for done, seconds, rss in self.curve]
        lines += ["", "| after the last session | server RSS (MB) |", "|---:|---:|"]
        lines += [f"| {seconds:.0f} s | {rss:.0f} |" for seconds, rss in self.expiry]
        growth_ok = self.growth <= GROWTH_TARGET_MB
        back_ok = self.after_expiry <= RETURN_TARGET_MB
        lines += ["",
                  f"warm-up level (after {self.warm_up} sessions): {self.warm_level:.0f} MB",
                  f"growth over the remaining {self.sessions - self.warm_up}: {self.growth:+.0f} MB "
                  f"(target <= {GROWTH_TARGET_MB}): {'met' if growth_ok else 'NOT met'}",
                  f"after the sessions expired: {self.after_expiry:+.0f} MB against the warm-up level "
                  f"(target <= {RETURN_TARGET_MB}): {'met' if back_ok else 'NOT met'}"]
        if self.errors:
            lines.append("first errors: " + " | ".join(self.errors[:3]))
        return "\n".join(lines)


def _restyle_once(url: str, photo: Path) -> None:
    from gradio_client import Client, handle_file

    client = Client(url, verbose=False, download_files=False)  # a new visitor: a new session
    try:
        client.predict(photos=[handle_file(str(photo))], template="Ink wash", style_image=None, strength=0.8,
                       stroke_scale=1.0, keep_colours=True, blend_template="(none)", blend_weight=0.3,
                       image_format="JPEG", quality=90, mode="whole photo", api_name="/restyle")
    finally:
        client.close()


def run_soak(sessions: int, side: int, warm_up: int, every: int, expire_minutes: float, settle: float,
             workdir: Path, extra_env: dict[str, str]) -> SoakReport:
    data_dir = workdir / "data"
    data_dir.mkdir(parents=True)
    photo = workdir / "product.jpg"
    Image.fromarray(skimage.data.astronaut()).resize((side, side), Image.Resampling.LANCZOS).save(photo, quality=92)
    env = {"STYLELAB_SESSION_MINUTES": f"{expire_minutes:g}"} | extra_env
    report = SoakReport(sessions, side, warm_up)
    process, url = start_app(data_dir, env)
    try:
        _restyle_once(url, photo)  # the networks load on the first request: not a visitor's cost
        started = time.monotonic()
        report.curve.append((0, 0.0, rss_mb(process.pid)))
        print(f"server up, first restyle done: {report.curve[0][2]:.0f} MB", flush=True)
        for done in range(1, sessions + 1):
            began = time.monotonic()
            try:
                _restyle_once(url, photo)
            except Exception as error:  # noqa: BLE001 - counted and shown, the soak goes on
                report.errors.append(str(error)[:200])
            report.session_seconds.append(time.monotonic() - began)
            if done % every == 0 or done in (warm_up, sessions):
                report.curve.append((done, time.monotonic() - started, rss_mb(process.pid)))
                print(f"{done:4d} sessions, {(time.monotonic() - started) / 60:5.1f} min: "
                      f"{report.curve[-1][2]:6.0f} MB", flush=True)
        last = time.monotonic()
        wait_until = last + expire_minutes * 60 + settle
        while time.monotonic() < wait_until:
            time.sleep(min(10.0, max(0.0, wait_until - time.monotonic())))
            report.expiry.append((time.monotonic() - last, rss_mb(process.pid)))
            print(f"  {report.expiry[-1][0]:4.0f} s after the last session: {report.expiry[-1][1]:6.0f} MB", flush=True)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except Exception:  # noqa: BLE001
            process.kill()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--side", type=int, default=2048, help="the photo is side x side pixels")
    parser.add_argument("--warm-up", type=int, default=20, help="sessions before the warm-up level is taken")
    parser.add_argument("--every", type=int, default=10, help="print RSS after this many sessions")
    parser.add_argument("--expire-minutes", type=float, default=1.0,
                        help="the server's STYLELAB_SESSION_MINUTES (idle sessions are dropped after it)")
    parser.add_argument("--settle", type=float, default=60.0, help="seconds to wait after expiry")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the app (repeatable)")
    args = parser.parse_args()
    if args.warm_up >= args.sessions:
        raise SystemExit("--warm-up must be less than --sessions")
    extra_env = dict(item.split("=", 1) for item in args.env)
    with tempfile.TemporaryDirectory(prefix="stylelab-soak-") as workdir:
        report = run_soak(args.sessions, args.side, args.warm_up, args.every, args.expire_minutes, args.settle,
                          Path(workdir), extra_env)
    print()
    print(report.summary())
    if report.errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
