"""The callable class Ray Data runs for ``shots --ray``: product shots of every photo in a catalog.

One ``ShotMaker`` per worker holds a StyleEngine (for painted walls and template palettes) and,
through ``render_scene``, its own Blender render worker. Each job is one photo: it is cut out as
the local CLI cuts it out and its ``count`` shots are written as NAME-seedN.png with their
NAME-seedN.json sidecars — the same bytes as ``stylelab shots`` on one machine, seed for seed.
"""
from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stylelab.cluster.manifest import SCHEMA
from stylelab.cluster.storage import Destination
from stylelab.engine import StyleEngine, StyleMix
from stylelab.errors import StyleLabError
from stylelab.imageio import load_image
from stylelab.product.scene.plan import SceneSettings
from stylelab.product.shots import Placement

Row = dict[str, object]


@dataclass(frozen=True)
class ShotRun:
    """What every photo of a catalog gets: the same shots as one ``stylelab shots`` command."""
    preset: str
    count: int
    seed: int
    placement: Placement
    strength: float
    scene: SceneSettings | None  # None: the painted backdrop
    mix: StyleMix | None = None
    template_palette: bool = False


def shot_name(output: str, seed: int) -> str:
    """The file of seed ``seed`` beside ``output`` (a job's output names its first seed's shot)."""
    stem = output.rsplit("-seed", 1)[0]
    return f"{stem}-seed{seed}.png"


class ShotMaker:
    def __init__(self, run: ShotRun, destination: Destination, quality: int = 92, device: str | None = None,
                 cpu_precision: str | None = None) -> None:
        if device != "cuda":  # one core per worker: Cycles would otherwise start a thread per core in each
            os.environ.setdefault("STYLELAB_RENDER_THREADS", "1")
        self.engine = StyleEngine(device_request=device, precision_request=cpu_precision if device == "cpu" else None)
        self.run, self.destination, self.quality = run, destination, quality
        import ray

        node = ray.get_runtime_context().get_node_id()[:8]
        self.device = f"{self.engine.device_name} on {platform.node()} (Ray node {node})"

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        rows = [self._one(str(source), str(output)) for source, output in zip(batch["source"], batch["output"])]
        return {name: np.array([row[name] for row in rows], dtype=object) for name in SCHEMA.names}

    def _one(self, source: str, output: str) -> Row:
        from stylelab.product.cutout import cutout
        from stylelab.product.restyle import generate_shots

        started = time.perf_counter()
        row: Row = {"source": source, "output": output, "size": None, "ssim": float("nan"), "psnr": float("nan"),
                    "seconds": 0.0, "device": self.device, "error": None}
        run = self.run
        try:
            found = cutout(load_image(Path(source)), None)  # as the local CLI without --box: automatic or alpha
            shots = generate_shots(self.engine, found.rgba, found.mask, run.mix, run.preset, run.count, run.seed,
                                   run.placement, run.strength, run.scene,
                                   paint_wall=run.mix is not None and run.scene is not None,
                                   template_palette=run.template_palette)
            for shot in shots:
                name = shot_name(output, shot.seed)
                self.destination.save(shot.image, name, self.quality)
                self.destination.save_text(shot.sidecar(), name[:-len(".png")] + ".json")
            row["size"] = f"{shots[0].image.width}x{shots[0].image.height}"
        except StyleLabError as error:
            row["error"] = str(error)
        except OSError as error:  # a full disk or a read-only folder: this photo fails, the run goes on
            row["error"] = f"the shots could not be written ({error.strerror or error})."
        row["seconds"] = time.perf_counter() - started
        return row
