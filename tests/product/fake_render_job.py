"""A stand-in for the Blender job: runs in the render worker and misbehaves on request (job["action"])."""
from __future__ import annotations

import os
import time
from typing import Callable

import numpy as np

from stylelab.errors import StyleLabError


def run(job: dict, report: Callable[[int, int], None]) -> dict:
    action = job["action"]
    if action == "ok":
        steps = job.get("steps", 3)
        for done in range(1, steps + 1):
            report(done, steps)
        return {"pid": os.getpid(), "image": np.full((4, 4, 3), job.get("value", 0.5), dtype=np.float32),
                "png": b"\x89PNG"}
    if action == "user_error":
        raise StyleLabError("The product picture has no visible product.")
    if action == "bug":
        raise KeyError("missing_light")
    if action == "exit":
        os._exit(3)
    if action == "sleep":
        time.sleep(job.get("seconds", 30.0))
        return {"pid": os.getpid()}
    if action == "allocate":
        hog = np.ones(job["mb"] * 2**20 // 8)  # ones, not empty: the pages must really be touched
        time.sleep(30.0)  # hold it until the parent notices
        return {"sum": float(hog.sum())}
    raise ValueError(f"unknown action {action!r}")
