"""The fine-tuning loop: the any-image transformer adapted to one style and a catalog.

Trains (1) the style's 100-number embedding only, (2) the embedding plus the
transformer's residual/expand layers and all normalization maps, with the contract
layers frozen, or (3) everything. Losses are balanced by their values at step 0, so the
weights say how much each term matters relative to where the pretrained network starts.
Takes ``progress_fn`` and ``abort_fn`` callbacks, as a UI with a progress bar and a
Cancel button needs, and writes settings, metrics and the best checkpoint to its run folder.
"""
from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

from stylelab.engine import imageops
from stylelab.errors import StyleLabError
from stylelab.models import ArbitraryStyleTransformer, StylePredictor
from stylelab.store.files import fsync_file
from stylelab.training import losses
from stylelab.training.data import augmented_batch, colours_and_alpha, on_white, split, validation_batch

TRAINABLE = ("embedding", "upper", "all")
DEFAULT_LEARNING_RATES = {"embedding": 0.05, "upper": 1e-3, "all": 5e-4}


@dataclass(frozen=True)
class FinetuneSettings:
    trainable: str = "embedding"
    steps: int = 60
    learning_rate: float | None = None  # None: a safe default for the chosen mode
    batch_size: int = 2
    image_size: int = 256
    style_weight: float = 1.0
    content_weight: float = 2.0  # measured: 2x content keeps products best (benchmarks/finetune_losses.py)
    tv_weight: float = 0.1
    embedding_weight: float = 0.0
    validation_fraction: float = 0.25
    validate_every: int = 10
    patience: int = 3  # validations without improvement before stopping early
    seed: int = 0

    def __post_init__(self) -> None:
        if self.trainable not in TRAINABLE:
            raise StyleLabError(f"Choose what to train from: {', '.join(TRAINABLE)}.")
        checks = [(1 <= self.steps <= 20000, "Steps must be from 1 to 20000."),
                  (1 <= self.batch_size <= 64, "Batch size must be from 1 to 64."),
                  (64 <= self.image_size <= 1024 and self.image_size % 4 == 0,
                   "Image size must be a multiple of 4 from 64 to 1024."),
                  (self.learning_rate is None or 0 < self.learning_rate <= 1, "Learning rate must be in (0, 1]."),
                  (min(self.style_weight, self.content_weight, self.tv_weight, self.embedding_weight) >= 0,
                   "Loss weights must be zero or more."),
                  (0 < self.validation_fraction < 1, "The validation share must be between 0 and 1."),
                  (self.validate_every >= 1 and self.patience >= 1, "Validate at least every step, patience >= 1.")]
        for ok, message in checks:
            if not ok:
                raise StyleLabError(message)

    @property
    def lr(self) -> float:
        return self.learning_rate or DEFAULT_LEARNING_RATES[self.trainable]


@dataclass(frozen=True)
class Progress:
    step: int
    steps: int
    train_loss: float
    validation_loss: float | None
    seconds: float
    eta_seconds: float


@dataclass
class FinetuneResult:
    embedding: torch.Tensor
    transformer_state: dict[str, torch.Tensor] | None  # None when only the embedding was trained
    initial_validation_loss: float
    best_validation_loss: float
    best_step: int
    steps_run: int
    stopped: str  # "finished", "early stopping" or "cancelled"
    history: list[dict] = field(default_factory=list)


class _Objective:
    def __init__(self, loss_network: losses.LossNetwork, style_image: torch.Tensor, settings: FinetuneSettings):
        self.net = loss_network
        self.settings = settings
        with torch.no_grad():
            style_features = loss_network(style_image[None])
            self.style_grams = {n: losses.gram(style_features[n]) for n in losses.STYLE_LAYERS}
            self.style_embedding = loss_network.embed(style_image[None])
        self.scales = {"style": 1.0, "content": 1.0, "embedding": 1.0}

    def terms(self, output: torch.Tensor, photos: torch.Tensor) -> dict[str, torch.Tensor]:
        output_features = self.net(output)
        with torch.no_grad():
            content_features = self.net(photos)
        terms = {"style": losses.style_loss(output_features, self.style_grams),
                 "content": losses.content_loss(output_features, content_features),
                 "tv": losses.total_variation(output)}
        if self.settings.embedding_weight > 0:
            terms["embedding"] = (self.net.embed(output) - self.style_embedding).pow(2).mean()
        return terms

    def calibrate(self, output: torch.Tensor, photos: torch.Tensor) -> None:
        with torch.no_grad():
            for name, value in self.terms(output, photos).items():
                if name in self.scales:
                    self.scales[name] = 1.0 / max(float(value), 1e-12)

    def __call__(self, output: torch.Tensor, photos: torch.Tensor) -> torch.Tensor:
        terms = self.terms(output, photos)
        s = self.settings
        total = (s.style_weight * self.scales["style"] * terms["style"]
                 + s.content_weight * self.scales["content"] * terms["content"] + s.tv_weight * terms["tv"])
        if "embedding" in terms:
            total = total + s.embedding_weight * self.scales["embedding"] * terms["embedding"]
        return total


def trainable_parameters(transformer: nn.Module, embedding: nn.Parameter, trainable: str) -> list[nn.Parameter]:
    """Freeze what the mode keeps fixed; return what the optimizer may change."""
    transformer.requires_grad_(False)
    if trainable in ("upper", "all"):
        for module in (*transformer.residual, *transformer.expand):
            module.requires_grad_(True)
    if trainable == "all":
        transformer.contract.requires_grad_(True)
    return [embedding, *(p for p in transformer.parameters() if p.requires_grad)]


def finetune(
    predictor: StylePredictor,
    transformer: ArbitraryStyleTransformer,
    style_image: torch.Tensor,
    photos: Sequence[torch.Tensor],
    settings: FinetuneSettings = FinetuneSettings(),
    run_dir: Path | None = None,
    progress_fn: Callable[[Progress], None] | None = None,
    abort_fn: Callable[[], bool] | None = None,
    device: torch.device | str = "cpu",
) -> FinetuneResult:
    """Fine-tune a copy of ``transformer``; the given modules are never modified."""
    device = torch.device(device)
    torch.manual_seed(settings.seed)
    generator = torch.Generator().manual_seed(settings.seed)
    train_photos, validation_photos = split(photos, settings.validation_fraction, settings.seed)
    loss_network = losses.LossNetwork(copy.deepcopy(predictor)).to(device)
    model = copy.deepcopy(transformer).to(device).train()
    style = _square(style_image, settings.image_size).to(device)
    with torch.no_grad():
        start_embedding = loss_network.embed(style[None])[0]
    embedding = nn.Parameter(start_embedding.clone())
    parameters = trainable_parameters(model, embedding, settings.trainable)
    optimizer = torch.optim.Adam(parameters, lr=settings.lr)
    objective = _Objective(loss_network, style, settings)
    validation, validation_alpha = colours_and_alpha(
        validation_batch(validation_photos, settings.image_size).to(device))

    def painted(photos: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
        # a cut-out's transparent ground is put back on white, so no loss asks the network to paint it
        return on_white(model(photos, embedding.expand(len(photos), -1)), alpha)

    def validation_loss() -> float:
        with torch.no_grad():
            return float(objective(painted(validation, validation_alpha), validation))

    with torch.no_grad():
        objective.calibrate(painted(validation, validation_alpha), validation)
    initial = best = validation_loss()
    best_step, best_state = 0, _snapshot(embedding, model, settings.trainable)
    history: list[dict] = [{"step": 0, "train_loss": None, "validation_loss": initial, "seconds": 0.0}]
    metrics = _RunLog(run_dir, settings)
    metrics.write(history[0])
    if progress_fn:
        progress_fn(Progress(0, settings.steps, initial, initial, 0.0, 0.0))
    started, stale, stopped, step = time.perf_counter(), 0, "finished", 0
    for step in range(1, settings.steps + 1):
        if abort_fn and abort_fn():
            stopped, step = "cancelled", step - 1
            break
        batch, alpha = colours_and_alpha(
            augmented_batch(train_photos, settings.batch_size, settings.image_size, generator).to(device))
        loss = objective(painted(batch, alpha), batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        record = {"step": step, "train_loss": float(loss.detach()), "validation_loss": None,
                  "seconds": round(time.perf_counter() - started, 3)}
        if step % settings.validate_every == 0 or step == settings.steps:
            record["validation_loss"] = validation_loss()
            if record["validation_loss"] < best:
                best, best_step, stale = record["validation_loss"], step, 0
                best_state = _snapshot(embedding, model, settings.trainable)
                metrics.checkpoint(best_state)
            else:
                stale += 1
        history.append(record)
        metrics.write(record)
        if progress_fn:
            elapsed = time.perf_counter() - started
            progress_fn(Progress(step, settings.steps, record["train_loss"], record["validation_loss"], elapsed,
                                 elapsed / step * (settings.steps - step)))
        if stale >= settings.patience:
            stopped = "early stopping"
            break
    return FinetuneResult(
        embedding=best_state["embedding"],
        transformer_state={k: v for k, v in best_state.items() if k != "embedding"} or None,
        initial_validation_loss=initial, best_validation_loss=best, best_step=best_step, steps_run=step,
        stopped=stopped, history=history,
    )


def _square(image: torch.Tensor, size: int) -> torch.Tensor:
    return imageops.resize(imageops.center_square(image)[None], size, size)[0]


def _snapshot(embedding: nn.Parameter, model: nn.Module, trainable: str) -> dict[str, torch.Tensor]:
    state = {"embedding": embedding.detach().cpu().clone()}
    if trainable != "embedding":
        state |= {name: value.detach().cpu().clone() for name, value in model.state_dict().items()}
    return state


class _RunLog:
    """settings.json, metrics.jsonl and checkpoint-best.safetensors in the run folder."""

    def __init__(self, run_dir: Path | None, settings: FinetuneSettings):
        self.run_dir = run_dir
        if run_dir is not None:
            run_dir.mkdir(parents=True, exist_ok=True)
            (run_dir / "settings.json").write_text(json.dumps(asdict(settings) | {"lr": settings.lr}, indent=2))

    def write(self, record: dict) -> None:
        if self.run_dir is not None:
            with open(self.run_dir / "metrics.jsonl", "a") as stream:
                stream.write(json.dumps(record) + "\n")

    def checkpoint(self, state: dict[str, torch.Tensor]) -> None:
        if self.run_dir is not None:
            partial = self.run_dir / "checkpoint-best.partial"
            save_file({k: v.contiguous() for k, v in state.items()}, str(partial))
            fsync_file(partial)  # on disk before the rename: a crash keeps the previous checkpoint
            os.replace(partial, self.run_dir / "checkpoint-best.safetensors")
