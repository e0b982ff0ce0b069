"""Web actions for the catalog generator: sampling for everyone, training for admins.

Plain arguments and display-ready results (file paths, captions, rows, sentences), as the
Generate tab's "From my catalog" section and the Admin tab's "Catalog generator" section use.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from stylelab.web.actions import upload_path, user_errors
from stylelab.store.jobs import Job, JobManager
from stylelab.web.auth import AdminAuth
from stylelab.web.admin_actions import admin_only
from stylelab.engine import RestyleSettings
from stylelab.errors import StyleLabError
from stylelab.gan.jobs import (FINETUNE_FREEZE_D, GENERATORS_FOLDER, new_generator_folder, run_training,
                               source_network, summary, training_images)
from stylelab.gan.dataset import check_catalog_zips
from stylelab.gan.library import GeneratorLibrary
from stylelab.gan.settings import ARCHITECTURES, DEFAULT_LEARNING_RATES, GanProgress, GanSettings
from stylelab.imageio import load_image, save_image
from stylelab.web.workspace import current_workspace
from stylelab.studio import StyleChoice, Studio

DISPLAY_SIDE = 256  # generated images are saved at least this large (Lanczos), for viewing and restyling
TRAIN_MODES = ("scratch", "finetune")
NETWORK_NAMES = {"stylegan": "a StyleGAN-style generator", "fastgan": "a FastGAN-lite generator"}


def _display_size(image: Image.Image) -> Image.Image:
    factor = max(1, math.ceil(DISPLAY_SIDE / image.width))
    return image.resize((image.width * factor, image.height * factor), Image.Resampling.LANCZOS)


class CatalogActions:
    def __init__(self, studio: Studio, auth: AdminAuth, jobs: JobManager):
        self.studio = studio
        self.auth = auth
        self.jobs = jobs
        self.library = GeneratorLibrary(studio.settings.data_dir / GENERATORS_FOLDER, studio.engine.device)
        self._folders: dict[int, Path] = {}  # job id -> the generator folder it trains into

    # -- everyone: sampling ----------------------------------------------------------

    def generator_names(self) -> list[str]:
        return self.library.names()

    @user_errors
    def sample(self, generator: str | None, seed: int, truncation: float, count: int
               ) -> tuple[list[tuple[str, str]], str]:
        """Gallery items (PNG path, caption) for seeds seed..seed+count-1, and a status line."""
        folder = self.studio.new_output_folder()
        items = []
        for used_seed, image in self.library.samples(generator, seed, truncation, count):
            path = save_image(_display_size(image), folder / f"{generator}-seed{used_seed}-t{float(truncation):.2f}.png")
            items.append((str(path), f"seed {used_seed}"))
        return items, (f"{len(items)} sample(s) from **{generator}** at truncation {float(truncation):.2f} "
                       f"(same seed, same image).")

    @user_errors
    def interpolate(self, generator: str | None, seed_a: int, seed_b: int, steps: int, truncation: float
                    ) -> list[tuple[str, str]]:
        folder = self.studio.new_output_folder()
        images = self.library.interpolation(generator, seed_a, seed_b, steps, truncation)
        items = []
        for index, image in enumerate(images):
            path = save_image(_display_size(image), folder / f"{generator}-{int(seed_a)}-to-{int(seed_b)}-{index}.png")
            items.append((str(path), f"{index / (len(images) - 1):.0%} of the way to seed {int(seed_b)}"))
        return items

    @user_errors
    def restyle_generated(self, image: str | None, template: str | None, strength: float
                          ) -> tuple[Image.Image, Image.Image]:
        """The generated image and the same image restyled with a template, side by side."""
        if not image:
            raise StyleLabError("Generate samples and click one first.")
        generated = load_image(upload_path(image), what="generated image").convert("RGB")
        photo = self.studio.load_photo(generated, name="generated")
        restyled = self.studio.preview(photo, StyleChoice(template=template, workspace=current_workspace.get()), RestyleSettings(strength=float(strength)))
        return generated, restyled

    @user_errors
    def evaluations(self, generator: str | None) -> list[list[Any]]:
        return [[e["step"], e["images_seen"], e["fd_mobilenet"], e["kid_mobilenet"], e["seconds"]]
                for e in self.library.evaluations(generator)]

    # -- admins: training -------------------------------------------------------------

    @admin_only
    def start_training(self, mode: str, data_files: Sequence[str] | None, name: str | None, source: str | None,
                       resolution: int, steps: int, batch_size: int, freeze_d: int | None = None,
                       center_products: bool = True, mirror: bool = True, eval_every: int | None = None,
                       eval_samples: int = 500, architecture: str = "stylegan") -> tuple[int, str]:
        """Queue a training job: from scratch, or fine-tuning ``source`` with FreezeD. No files: the synthetic set.

        ``architecture`` ("stylegan" or "fastgan") applies to training from scratch; fine-tuning keeps the source's.
        """
        if mode not in TRAIN_MODES:
            raise StyleLabError("Choose to train from scratch or to fine-tune an existing generator.")
        if architecture not in ARCHITECTURES:
            raise StyleLabError(f"Choose the network: {' or '.join(ARCHITECTURES)}.")
        start_from = self.library.folder(source) if mode == "finetune" else None
        network = source_network(start_from) if start_from else {"resolution": int(resolution)}
        architecture = "stylegan" if start_from else architecture  # run_training refuses a FastGAN source clearly
        settings = GanSettings(**network, steps=int(steps), batch_size=int(batch_size), architecture=architecture,
                               learning_rate=DEFAULT_LEARNING_RATES[architecture],
                               freeze_d=(FINETUNE_FREEZE_D if freeze_d is None else int(freeze_d)) if start_from else 0,
                               eval_every=int(eval_every or max(min(int(steps), 50), int(steps) // 10)),
                               eval_samples=int(eval_samples), held_out=int(eval_samples))
        sources = [upload_path(f) for f in data_files or []]
        check_catalog_zips(sources)  # an unsafe ZIP is refused now, with its sentence, not as a failed job
        target = (name or "").strip() or ("fine-tuned" if start_from else "catalog")
        data_dir = self.studio.settings.data_dir
        folder = new_generator_folder(data_dir, target)
        device = self.studio.engine.device

        def run(job: Job) -> dict:
            def progress(p: GanProgress) -> None:
                job.history.append({"step": p.step, "generator_loss": p.generator_loss,
                                    "discriminator_loss": p.discriminator_loss, "fd_mobilenet": p.fd,
                                    "kid_mobilenet": p.kid})
                job.eta_seconds = p.eta_seconds

            job.message = "Preparing the photos…"
            images = training_images(sources, settings.resolution, center_products=center_products, mirror=mirror)
            job.message = ""
            result = run_training(data_dir, target, images, settings, start_from, progress, job.cancel.is_set,
                                  device, folder=folder)
            job.status = result.stopped
            job.message = summary(result)
            return {"folder": folder, "result": result}

        job = self.jobs.submit(f"generator: {target}", run)
        self._folders[job.id] = folder
        what = f"fine-tuning **{source}** (discriminator's lower {settings.freeze_d} blocks frozen)" if start_from \
            else f"training {NETWORK_NAMES[architecture]} from scratch"
        data = f"{len(sources)} upload(s)" if sources else "the built-in synthetic bottles-and-mugs set"
        return job.id, (f"Job {job.id} queued: {what} on {data} at {settings.resolution} px, {settings.steps} steps, "
                        f"into **{folder.name}**.")

    @admin_only
    def training_status(self, job_id: int) -> tuple[str, list[dict], str | None, list[list[Any]]]:
        """A status line, the progress history, the latest sample grid, and the FD/KID table."""
        job = self.jobs.get(int(job_id))
        parts = [f"Job {job.id} · **{job.status}**"]
        latest = job.history[-1] if job.history else None
        if latest:
            parts.append(f"step {latest['step']}")
        if job.eta_seconds and not job.done:
            parts.append(f"about {job.eta_seconds:.0f} s left")
        if job.message:
            parts.append(job.message)
        figures = [[h["step"], "", h["fd_mobilenet"], h["kid_mobilenet"], ""] for h in job.history
                   if h.get("fd_mobilenet") is not None]
        folder = self._folders.get(job.id)
        grid = folder / "samples.png" if folder and (folder / "samples.png").is_file() else None
        if folder is not None and (folder / "config.json").is_file():
            figures = self.evaluations(folder.name)
        return " · ".join(parts), job.history, str(grid) if grid else None, figures

    @admin_only
    def cancel_training(self, job_id: int) -> str:
        job = self.jobs.cancel(int(job_id))
        return f"Cancelling job {job.id}…" if job.status == "running" else f"Job {job.id} is {job.status}."
