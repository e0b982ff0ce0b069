"""Start or join Ray, and restyle a catalog on it with Ray Data: photos in, files and a manifest out.

The pipeline is the list of photos still to do -> ``map_batches`` over a pool of ``PhotoRestyler``
actors (one engine each; a GPU each where the cluster has GPUs) -> manifest rows streamed back to
this process, which writes them and shows progress. Actors that die are restarted and their batch
is run again.
"""
from __future__ import annotations

import logging
import math
import socket
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stylelab.cluster import RAY_MISSING, ray_is_installed
from stylelab.cluster.manifest import ManifestWriter, finished_outputs, read_manifest
from stylelab.cluster.storage import Destination
from stylelab.cluster.worker import PhotoRestyler
from stylelab.engine import RestyleSettings, StyleMix
from stylelab.errors import StyleLabError

MAX_BLOCKS = 10_000
Job = tuple[str, str]  # (photo path every worker can read, output path relative to the destination)


def cpu_precision() -> str:
    """What this machine's engine computes in on the CPU ($STYLELAB_PRECISION or auto's measured choice)."""
    from stylelab.engine import StyleEngine

    return StyleEngine(device_request="cpu").precision


@dataclass
class RunSummary:
    done: int = 0
    skipped: int = 0  # finished by an earlier run: output and manifest row both there
    failed: list[str] = field(default_factory=list)  # "source: reason"
    seconds: float = 0.0

    @property
    def photos_per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def describe(self, destination: str) -> str:
        return (f"Ray run into {destination}: {self.done} done, {self.skipped} skipped (done before), "
                f"{len(self.failed)} failed, in {self.seconds:.1f} s ({self.photos_per_second:.2f} photos/s).")


def connect(address: str) -> None:
    """``local``: a Ray of our own on this machine, ended with the process; ``auto`` or HOST:PORT: a running one."""
    if not ray_is_installed():
        raise StyleLabError(RAY_MISSING)
    import ray

    if ray.is_initialized():
        return
    if address not in ("local", "auto") and "://" not in address:
        _check_reachable(address)  # Ray itself would keep retrying an address nobody answers at for minutes
    try:
        ray.init(address="local" if address == "local" else address, include_dashboard=False,
                 logging_level=logging.WARNING, log_to_driver=False)
    except (ConnectionError, ValueError, RuntimeError) as error:
        raise StyleLabError(f"Could not join the Ray cluster at '{address}' ({error}): start one with `ray start "
                            "--head` or use --ray local; a cluster with token authentication (Ray's default) also "
                            "needs RAY_AUTH_MODE=token and its token in ~/.ray/auth_token or RAY_AUTH_TOKEN.") from None


def _check_reachable(address: str) -> None:
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except ValueError:
        raise StyleLabError(f"--ray takes local, auto or HOST:PORT (as `ray start --head` prints it); "
                            f"got '{address}'.") from None
    except OSError as error:
        raise StyleLabError(f"No Ray cluster answers at '{address}' ({error.strerror or error}): start one with "
                            "`ray start --head`, or use --ray local.") from None


def worker_resources(cluster: dict[str, float], workers: int | None,
                     device: str | None) -> tuple[int, dict[str, float]]:
    """How many engines to run and what each asks Ray for, from ``ray.cluster_resources()``: a GPU
    where there are GPUs, else a CPU.

    More workers than GPUs share them (``num_gpus`` 0.5, 0.25, ...): each worker decodes, encodes and
    measures its photos on its own CPU, which can keep a GPU busier than one worker alone.
    """
    gpus, cpus = int(cluster.get("GPU", 0)), int(cluster.get("CPU", 1))
    if gpus and device != "cpu":
        count = workers or gpus
        share = math.floor(min(1.0, gpus / count) * 10_000) / 10_000  # Ray counts in 1/10000ths: never over-ask
        return count, {"num_gpus": share, "num_cpus": 1}
    return workers or max(1, cpus), {"num_cpus": 1}


def run_catalog(
    jobs: Sequence[Job],
    destination: Destination,
    mix: StyleMix | None,
    settings: RestyleSettings = RestyleSettings(),
    quality: int = 92,
    workers: int | None = None,
    device: str | None = None,
    on_photo: Callable[[int], None] | None = None,
    worker_class: type = PhotoRestyler,
    worker_kwargs: dict | None = None,
) -> RunSummary:
    """Restyle every job not already finished on the connected Ray cluster; ``on_photo(n)`` after each n rows.

    ``worker_class`` and ``worker_kwargs`` make it run another job per photo (``ShotMaker`` with its
    ``run``); the destination, quality, device and CPU precision are added to the kwargs here."""
    import ray
    import ray.data

    if workers is not None and workers < 1:
        raise StyleLabError(f"--workers must be 1 or more; got {workers}.")
    summary = RunSummary()
    started = time.perf_counter()
    finished = finished_outputs(read_manifest(destination)) & destination.existing_files()
    # local photo paths made absolute here: Ray workers run in folders of their own
    pending = [(source if "://" in source else str(Path(source).resolve()), output)
               for source, output in jobs if output not in finished]
    summary.skipped = len(jobs) - len(pending)
    if on_photo and summary.skipped:
        on_photo(summary.skipped)
    if not pending:
        summary.seconds = time.perf_counter() - started
        return summary
    count, resources = worker_resources(ray.cluster_resources(), workers, device)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # ours counts photos; Ray's count blocks
    context.print_on_execution_start = False
    # every engine loaded before the first batch, and batches (a few file names) sent to the least busy engine
    # rather than to one beside the data, so the work is spread over all of them from the start
    context.wait_for_min_actors_s = 600
    with warnings.catch_warnings():  # deprecated after 2.60, which requirements-ray.txt pins; still honoured
        warnings.simplefilter("ignore")
        context.execution_options.actor_locality_enabled = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)  # its notes on plans and bars would bury ours
    batch_size = 8 if "num_gpus" in resources else 2
    # one batch per block for small runs, so every worker gets work from the start; at most MAX_BLOCKS, so a
    # million photos make ~100-photo tasks: few enough for Ray to track, small enough that a lost one costs little
    blocks = min(math.ceil(len(pending) / batch_size), MAX_BLOCKS)
    photos = ray.data.from_items([{"source": source, "output": output} for source, output in pending],
                                 override_num_blocks=blocks)
    rows = photos.map_batches(
        worker_class, batch_size=batch_size, batch_format="numpy",
        fn_constructor_kwargs={**(worker_kwargs if worker_kwargs is not None else {"mix": mix, "settings": settings}),
                               "destination": destination, "quality": quality,
                               "device": "cuda" if "num_gpus" in resources else "cpu",
                               "cpu_precision": None if "num_gpus" in resources else cpu_precision()},
        # Ray Data's actor pools restart dead actors and rerun their batches without limit
        # (max_restarts=-1, max_task_retries=-1 are its defaults), so a lost worker costs time, not photos
        compute=ray.data.ActorPoolStrategy(size=min(count, blocks)), **resources,
    )
    manifest = ManifestWriter(destination)
    try:
        for batch in rows.iter_batches(batch_size=None, batch_format="pyarrow"):
            manifest.add(batch)
            for row in batch.select(["source", "error"]).to_pylist():
                if row["error"] is None:
                    summary.done += 1
                else:
                    summary.failed.append(f"{row['source']}: {row['error']}")
            if on_photo:
                on_photo(batch.num_rows)
    finally:  # rows that came back before a crash or Ctrl+C are kept, so a rerun resumes after them
        manifest.flush()
    manifest.compact()
    summary.seconds = time.perf_counter() - started
    return summary
