"""The callable class Ray Data runs on every worker: one StyleEngine, loaded once, restyling batches.

Each batch is a dict of arrays (``source``, ``output``); each photo comes back as one manifest row.
A photo that cannot be read or written becomes a row with its error, not a failed batch.
"""
from __future__ import annotations

import platform
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from stylelab.cluster.manifest import SCHEMA
from stylelab.cluster.storage import Destination
from stylelab.engine import RestyleSettings, StyleEngine, StyleMix
from stylelab.engine.batch import photo_tensor
from stylelab.errors import StyleLabError
from stylelab.imageio import load_image, to_image
from stylelab.metrics import compare_images

Row = dict[str, object]


class PhotoRestyler:
    def __init__(self, mix: StyleMix, settings: RestyleSettings, destination: Destination, quality: int = 92,
                 device: str | None = None, cpu_precision: str | None = None) -> None:
        # CPU workers compute in the precision the driver chose, so every node makes the same pixels as the CLI
        self.engine = StyleEngine(device_request=device, precision_request=cpu_precision if device == "cpu" else None)
        self.engine.networks()  # loaded here, once per worker, not on its first batch
        self.mix, self.settings, self.destination, self.quality = mix, settings, destination, quality
        import ray

        node = ray.get_runtime_context().get_node_id()[:8]
        self.device = f"{self.engine.device_name} on {platform.node()} (Ray node {node})"

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        rows: list[Row] = []
        decoded: list[tuple[Row, Image.Image, torch.Tensor, Image.Image | None, float]] = []
        for source, output in zip(batch["source"], batch["output"]):
            row = self._row(str(source), str(output))
            started = time.perf_counter()
            try:
                photo = load_image(Path(row["source"]))
                tensor, alpha = photo_tensor(photo)
                decoded.append((row, photo, tensor, alpha, time.perf_counter() - started))
            except StyleLabError as error:
                row["error"] = str(error)
            rows.append(row)
        if decoded:
            started = time.perf_counter()
            results = self.engine.restyle([tensor for _, _, tensor, _, _ in decoded], self.mix, self.settings)
            share = (time.perf_counter() - started) / len(decoded)  # the batch's engine time, shared evenly
            for (row, photo, _, alpha, decode_seconds), result in zip(decoded, results):
                self._finish(row, photo, to_image(result, alpha), decode_seconds + share)
        return {name: np.array([row[name] for row in rows], dtype=object) for name in SCHEMA.names}

    def _row(self, source: str, output: str) -> Row:
        return {"source": source, "output": output, "size": None, "ssim": float("nan"), "psnr": float("nan"),
                "seconds": 0.0, "device": self.device, "error": None}

    def _finish(self, row: Row, photo: Image.Image, result: Image.Image, seconds: float) -> None:
        started = time.perf_counter()
        try:
            self.destination.save(result, str(row["output"]), self.quality)
        except StyleLabError as error:
            row["error"] = str(error)
        except OSError as error:  # a full disk or a read-only folder: this photo fails, the run goes on
            row["error"] = f"the result could not be written ({error.strerror or error})."
        else:
            similarity = compare_images(photo, result)
            row.update(size=f"{result.width}x{result.height}", ssim=similarity.ssim, psnr=similarity.psnr)
        row["seconds"] = seconds + time.perf_counter() - started
