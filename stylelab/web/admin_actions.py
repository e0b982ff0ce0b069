"""Admin web actions: every one checks the admin credential on the server first."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import skimage.data
from PIL import Image

from stylelab.web.actions import upload_path, user_errors
from stylelab.store.jobs import Job, JobManager
from stylelab.web.auth import AdminAuth
from stylelab.web.workspace import current_workspace
from stylelab.errors import StyleLabError
from stylelab.imageio import to_tensor
from stylelab.studio import Studio
from stylelab.store.templates import clean_template_name
from stylelab.text import literal
from stylelab.training.data import read_training_photos
from stylelab.training.finetune import FinetuneSettings, Progress
from stylelab.training.runs import (figures_table, new_run_dir, publish_refusal, run_finetune_job, style_image_for,
                                    verdict)

SAMPLE_TRAINING_PHOTOS = ("coffee", "chelsea", "astronaut", "rocket", "cat", "hubble_deep_field")


def admin_only(function: Callable) -> Callable:
    """The credential is the first argument after self; nothing runs without it."""

    @functools.wraps(function)
    def wrapper(self: AdminActions, credential: str, *args: Any, **kwargs: Any) -> Any:
        self.auth.check(credential)
        return function(self, *args, **kwargs)

    # advertise the credential parameter, so Gradio and API clients see it
    signature = inspect.signature(function)
    parameters = list(signature.parameters.values())
    credential = inspect.Parameter("credential", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str)
    wrapper.__signature__ = signature.replace(parameters=[parameters[0], credential, *parameters[1:]])
    return user_errors(wrapper)


class AdminActions:
    def __init__(self, studio: Studio, auth: AdminAuth, jobs: JobManager | None = None):
        self.studio = studio
        self.auth = auth
        self.jobs = jobs or JobManager(studio.settings.data_dir / "jobs")

    @property
    def enabled(self) -> bool:
        return self.auth.enabled

    @admin_only
    def sign_in(self) -> str:
        return "Signed in."

    @admin_only
    def publish_house_template(self, name: str, style_image: str | None) -> str:
        """A template everyone sees, read-only for them (it is saved outside every workspace)."""
        template = self.studio.save_template(name, upload_path(style_image) if style_image else None)
        return f"Published **{literal(template.name)}** as a house template: everyone sees it now."

    @admin_only
    def delete_house_template(self, name: str) -> str:
        self.studio.delete_template(name)  # to the data folder's trash, like any template
        return f"Deleted the house template **{literal(name)}** (moved to the trash)."

    @admin_only
    def start_finetune(self, template: str | None, style_image: str | None, photo_files: Sequence[str] | None,
                       name: str | None, trainable: str, steps: int, learning_rate: float | None, batch_size: int,
                       image_size: int, style_weight: float, content_weight: float, tv_weight: float,
                       embedding_weight: float | None) -> tuple[int, str]:
        settings = FinetuneSettings(trainable=trainable, steps=int(steps or 0) or None,  # 0: the recipe's default
                                    learning_rate=learning_rate or None, batch_size=int(batch_size),
                                    image_size=int(image_size), style_weight=float(style_weight),
                                    content_weight=float(content_weight), tv_weight=float(tv_weight),
                                    embedding_weight=None if embedding_weight is None else float(embedding_weight))
        style, template_name = style_image_for(self.studio.store, upload_path(style_image) if style_image else (template or ""))
        target = clean_template_name((name or "").strip() or template_name or "Fine-tuned style")
        if photo_files:
            photos = read_training_photos([upload_path(f) for f in photo_files])
        else:  # the default sample set the project can ship
            photos = [to_tensor(Image.fromarray(getattr(skimage.data, n)()).convert("RGB").resize((384, 288)))
                      for n in SAMPLE_TRAINING_PHOTOS]
        engine = self.studio.engine
        predictor, transformer = engine.networks().predictor, engine.float_transformer()
        run_dir = new_run_dir(self.studio.settings.data_dir / "finetune", target)

        def run(job: Job):
            def progress(p: Progress) -> None:
                job.history.append({"step": p.step, "train_loss": p.train_loss, "validation_loss": p.validation_loss})
                job.eta_seconds = p.eta_seconds
            result, figures = run_finetune_job(predictor, transformer, to_tensor(style), photos, settings, run_dir,
                                               progress, job.cancel.is_set, device=engine.device)
            job.status = result.stopped
            job.message = (f"Verdict: {verdict(figures)}. Validation loss {result.initial_validation_loss:.3f} → "
                           f"{result.best_validation_loss:.3f} (best at step {result.best_step}). "
                           f"Held-out photos: {figures_table(figures)}.")
            return {"result": result, "figures": figures, "run_dir": run_dir, "style": style, "target": target,
                    "trainable": settings.trainable}

        job = self.jobs.submit(target, run)
        return job.id, (f"Job {job.id} queued: fine-tuning **{literal(target)}** ({literal(trainable)}, "
                        f"at most {settings.total_steps} steps).")

    @admin_only
    def job_status(self, job_id: int) -> tuple[str, list[dict], str | None]:
        """A status line, the loss history, and the before/after picture once it exists."""
        job = self.jobs.get(int(job_id))
        latest = job.history[-1] if job.history else None
        parts = [f"Job {job.id} · **{job.status}**"]
        if latest:
            total = job.result["result"].steps_run if job.result else None
            parts.append(f"step {latest['step']}" + (f" of {total}" if total else ""))
        if job.eta_seconds and not job.done:
            parts.append(f"about {job.eta_seconds:.0f} s left")
        if job.message:
            parts.append(literal(job.message))
        picture = str(job.result["run_dir"] / "before-after.png") if job.result else None
        return " · ".join(parts), job.history, picture

    @admin_only
    def cancel_job(self, job_id: int) -> str:
        job = self.jobs.cancel(int(job_id))
        return f"Cancelling job {job.id}…" if job.status == "running" else f"Job {job.id} is {job.status}."

    @admin_only
    def publish(self, job_id: int) -> str:
        job = self.jobs.get(int(job_id))
        if not job.result:
            raise StyleLabError("This job has no result to publish yet.")
        outcome = job.result
        store = self.studio.store
        if outcome["target"].lower() not in [n.lower() for n in store.names()]:
            self.studio.save_template(outcome["target"], outcome["style"])
        version = store.publish_version(outcome["target"], outcome["result"].embedding,
                                        outcome["result"].transformer_state,
                                        {"trainable": outcome["trainable"], "run": outcome["run_dir"].name,
                                         "held_out": outcome["figures"].__dict__,
                                         "verdict": verdict(outcome["figures"])})
        message = f"Published **{literal(outcome['target'])}** {version}; it is now the active version."
        refusal = publish_refusal(outcome["figures"])
        if refusal:  # the admin may have reasons; say plainly what was published and how to undo it
            message += f" **Warning:** {literal(refusal)} Make the previous version active below to roll back."
        return message

    @admin_only
    def versions(self, template: str) -> list[list[Any]]:
        return [[v["version"], "active" if v["active"] else "", v.get("trainable", v.get("note", "")),
                 v.get("run", "")] for v in self.studio.store.versions(template)]

    @admin_only
    def activate_version(self, template: str, version: str) -> str:
        self.studio.store.activate(template, version)
        return f"**{literal(template)}** now uses {literal(version)}."

    @admin_only
    def delete_version(self, template: str, version: str) -> str:
        self.studio.store.delete_version(template, version)
        return f"Deleted {literal(version)} of **{literal(template)}** (moved to the trash)."

    @admin_only
    def list_jobs(self) -> list[list[Any]]:
        """Every job, newest first, including those a restart interrupted: id, kind, name, status, message."""
        return [[job.id, job.kind, job.name, job.status, job.message]
                for job in sorted(self.jobs.jobs(), key=lambda job: job.id, reverse=True)]

    @admin_only
    def dashboard(self) -> list[list[Any]]:
        return self.studio.usage.summary()

    @admin_only
    def creative_dashboard(self) -> list[list[Any]]:
        """The ad creatives' ratings per layout, format, headline, shot and template."""
        return self.studio.usage.creative_summary()

    @admin_only
    def creative_dashboard_csv(self) -> str:
        path = self.studio.new_output_folder() / "stylelab-ad-creatives.csv"
        path.write_bytes(self.studio.usage.creative_summary_csv().encode())
        return str(path)

    @admin_only
    def publish_house_brand_kit(self) -> str:
        """The brand kit saved in this browser's workspace becomes the house kit: everyone without a kit of
        their own uses it."""
        workspace = current_workspace.get()
        stored = self.studio.brand_kits.load(workspace)
        if stored is None or stored.source != "yours":
            raise StyleLabError("Save a brand kit on the Ad creatives tab first; that kit is what gets published.")
        self.studio.save_brand_kit(self.studio.brand_kit(workspace), None)
        return "Published your brand kit as the house brand kit: everyone without a kit of their own now uses it."

    @admin_only
    def dashboard_csv(self) -> str:
        path = self.studio.new_output_folder() / "stylelab-dashboard.csv"
        path.write_bytes(self.studio.usage.summary_csv().encode())  # keep CSV line endings as written
        return str(path)
