"""The fine-tuning loop: the any-image transformer adapted to one style and a catalog.

Trains (1) the style's 100-number embedding only, (2) the embedding plus the style norms
(embedding -> instance-norm scale and shift) of the transformer's residual/expand layers, with
every convolution frozen, or (3) everything. Losses are balanced by their values at step 0, so the
weights say how much each term matters relative to where the pretrained network starts. Besides
the Gram style and content terms, the painting's palette (in Lab) and a light pull on the style
predictor's embedding keep the result close to the painting as a person sees it, not only in
texture statistics.

The default recipe (see ``recipe.py``): batches of 4 augmented photo crops (gradient
accumulation for bigger batches where memory is short), a warm-up then cosine-decayed
learning rate, each photo paired with a random crop of the style image at one of several
scales, an exponential moving average of the weights for what is validated and published,
and validation on fixed held-out crops: the lowest value picks the checkpoint, the smoothed
curve with a patience in steps decides when to stop.
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
from stylelab.models import STYLE_IMAGE_SIZE, ArbitraryStyleTransformer, StylePredictor
from stylelab.models.arbitrary import StyleNorm
from stylelab.store.files import fsync_file
from stylelab.training import losses
from stylelab.training.data import augmented_batch, colours_and_alpha, on_white, split
from stylelab.training.recipe import (EarlyStopping, WeightAverage, ema_decay_for, style_crops, validation_crops,
                                      warmup_cosine)

TRAINABLE = ("embedding", "upper", "all")
DEFAULT_LEARNING_RATES = {"embedding": 0.05, "upper": 1e-3, "all": 5e-4}
DEFAULT_STEPS = {"embedding": 32, "upper": 150, "all": 150}
# the palette term and the pull on the style predictor's embedding keep the result close to the painting as a
# person sees it (the Gram term alone greyed and blurred it); on the upper layers the pull is as strong as the
# style term and the palette light (at 0.3 it repainted products: a red vase came out blue and white)
DEFAULT_COLOUR_WEIGHTS = {"embedding": 1.0, "upper": 0.1, "all": 0.0}
DEFAULT_EMBEDDING_WEIGHTS = {"embedding": 0.3, "upper": 1.0, "all": 0.0}
VALIDATION_CROPS = 12  # at most: each held-out photo gives up to 3 fixed crops (its centre square first)
STYLE_CROPS_PER_SCALE = 4


@dataclass(frozen=True)
class FinetuneSettings:
    trainable: str = "embedding"
    steps: int | None = None  # None: the recipe's default for the chosen mode
    learning_rate: float | None = None  # None: a safe default for the chosen mode
    batch_size: int = 4
    accumulate: int = 1  # micro-batches per step: the same step on less memory
    image_size: int = 192
    style_weight: float = 1.0
    content_weight: float = 2.0  # measured: 2x content keeps products best (benchmarks/finetune_losses.py)
    tv_weight: float = 0.1
    colour_weight: float | None = None  # the painting's palette in pixel space (the Gram term alone greys
    # colours); None: the mode's default
    embedding_weight: float | None = None  # a light pull towards the painting as the style predictor sees it;
    # None: the mode's default
    validation_fraction: float = 0.25
    validate_every: int | None = None  # None: about 8 evaluations per run
    patience: int | None = None  # steps without a better smoothed validation loss; None: a third of the run
    warmup: int | None = None  # learning-rate warm-up steps; None: a tenth of the run
    ema_decay: float | None = None  # None: a half-life of a tenth of the run; 0 turns the average off
    seed: int = 0

    def __post_init__(self) -> None:
        if self.trainable not in TRAINABLE:
            raise StyleLabError(f"Choose what to train from: {', '.join(TRAINABLE)}.")
        checks = [(self.steps is None or 1 <= self.steps <= 20000, "Steps must be from 1 to 20000."),
                  (1 <= self.batch_size <= 64, "Batch size must be from 1 to 64."),
                  (1 <= self.accumulate <= 16, "Accumulate from 1 to 16 micro-batches per step."),
                  (64 <= self.image_size <= 1024 and self.image_size % 4 == 0,
                   "Image size must be a multiple of 4 from 64 to 1024."),
                  (self.learning_rate is None or 0 < self.learning_rate <= 1, "Learning rate must be in (0, 1]."),
                  (min(self.style_weight, self.content_weight, self.tv_weight, self.colour,
                       self.embedding_pull) >= 0,
                   "Loss weights must be zero or more."),
                  (0 < self.validation_fraction < 1, "The validation share must be between 0 and 1."),
                  ((self.validate_every or 1) >= 1 and (self.patience or 1) >= 1,
                   "Validate at least every step, patience >= 1."),
                  (self.warmup is None or self.warmup >= 0, "Warm-up must be zero steps or more."),
                  (self.ema_decay is None or 0 <= self.ema_decay < 1, "The weight average's decay must be in [0, 1).")]
        for ok, message in checks:
            if not ok:
                raise StyleLabError(message)

    @property
    def lr(self) -> float:
        return self.learning_rate or DEFAULT_LEARNING_RATES[self.trainable]

    @property
    def colour(self) -> float:
        return DEFAULT_COLOUR_WEIGHTS[self.trainable] if self.colour_weight is None else self.colour_weight

    @property
    def embedding_pull(self) -> float:
        return DEFAULT_EMBEDDING_WEIGHTS[self.trainable] if self.embedding_weight is None else self.embedding_weight

    @property
    def total_steps(self) -> int:
        return self.steps or DEFAULT_STEPS[self.trainable]

    @property
    def evaluation_interval(self) -> int:
        return self.validate_every or max(1, self.total_steps // 8)

    @property
    def patience_steps(self) -> int:
        return self.patience or max(self.evaluation_interval * 3, self.total_steps // 3)

    @property
    def warmup_steps(self) -> int:
        return self.total_steps // 10 if self.warmup is None else self.warmup

    @property
    def decay(self) -> float:
        return ema_decay_for(self.total_steps) if self.ema_decay is None else self.ema_decay

    def resolved(self) -> dict:
        """Every setting with the recipe's defaults filled in, as the run folder records them."""
        return asdict(self) | {"lr": self.lr, "steps": self.total_steps, "colour_weight": self.colour,
                               "embedding_weight": self.embedding_pull,
                               "validate_every": self.evaluation_interval,
                               "patience": self.patience_steps, "warmup": self.warmup_steps,
                               "ema_decay": self.decay}


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
    seconds: float = 0.0


class StyleTarget:
    """The style as the loss network sees it: Gram matrices of crops of the style image at several scales
    (one drawn per training photo) and their mean (the fixed target validation and evaluation use)."""

    def __init__(self, loss_network: losses.LossNetwork, style_image: torch.Tensor, size: int, seed: int):
        crops = style_crops(style_image, size, STYLE_CROPS_PER_SCALE, seed)
        with torch.no_grad():
            features = loss_network(crops.to(next(loss_network.parameters()).device))
        self.bank = {name: losses.gram(features[name]) for name in losses.STYLE_LAYERS}
        self.mean = {name: grams.mean(0, keepdim=True) for name, grams in self.bank.items()}
        self.palette = losses.palette(style_image).to(next(loss_network.parameters()).device)

    def draw(self, count: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        picks = torch.randint(len(next(iter(self.bank.values()))), (count,), generator=generator)
        return {name: grams[picks.to(grams.device)] for name, grams in self.bank.items()}

    def distance(self, output_features: dict[str, torch.Tensor]) -> torch.Tensor:
        """Held-out style distance: the Gram loss against the mean of the style crops."""
        return losses.style_loss(output_features, self.mean)

    def palette_distance(self, images: torch.Tensor) -> torch.Tensor:
        """Palette distance: how far the images' colours are from the whole painting's, averaged."""
        return losses.palette_distance(images, self.palette).mean()


class _Objective:
    def __init__(self, loss_network: losses.LossNetwork, target: StyleTarget, style_embedding: torch.Tensor,
                 settings: FinetuneSettings):
        self.net = loss_network
        self.settings = settings
        self.target = target
        self.style_embedding = style_embedding
        self.scales = {"style": 1.0, "content": 1.0, "colour": 1.0, "embedding": 1.0}

    def terms(self, output: torch.Tensor, photos: torch.Tensor, style_grams: dict[str, torch.Tensor]
              ) -> dict[str, torch.Tensor]:
        output_features = self.net(output)
        with torch.no_grad():
            content_features = self.net(photos)
        terms = {"style": losses.style_loss(output_features, style_grams),
                 "content": losses.content_loss(output_features, content_features),
                 "tv": losses.total_variation(output)}
        if self.settings.colour > 0:
            terms["colour"] = self.target.palette_distance(output)
        if self.settings.embedding_pull > 0:
            terms["embedding"] = (self.net.embed_from(output_features) - self.style_embedding).pow(2).mean()
        return terms

    def calibrate(self, output: torch.Tensor, photos: torch.Tensor) -> None:
        with torch.no_grad():
            for name, value in self.terms(output, photos, self.target.mean).items():
                if name in self.scales:
                    self.scales[name] = 1.0 / max(float(value), 1e-12)

    def __call__(self, output: torch.Tensor, photos: torch.Tensor,
                 style_grams: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        terms = self.terms(output, photos, self.target.mean if style_grams is None else style_grams)
        s = self.settings
        total = (s.style_weight * self.scales["style"] * terms["style"]
                 + s.content_weight * self.scales["content"] * terms["content"] + s.tv_weight * terms["tv"])
        if "colour" in terms:
            total = total + s.colour * self.scales["colour"] * terms["colour"]
        if "embedding" in terms:
            total = total + s.embedding_pull * self.scales["embedding"] * terms["embedding"]
        return total


def trainable_parameters(transformer: nn.Module, embedding: nn.Parameter, trainable: str) -> list[nn.Parameter]:
    """Freeze what the mode keeps fixed; return what the optimizer may change.

    "upper" trains the style norms (the maps from the embedding to each instance norm's scale and shift) of the
    residual and expand layers, not their convolutions: trained convolutions learned to blur, to draw bright
    halos around products and to grey the colours (benchmarks/finetune_styles.py), while the norms, the part of
    the network that carries a style, change colours and strokes and keep the shapes."""
    transformer.requires_grad_(False)
    if trainable == "upper":
        for module in (*transformer.residual, *transformer.expand):
            for part in module.modules():
                if isinstance(part, StyleNorm):
                    part.requires_grad_(True)
    if trainable == "all":
        transformer.requires_grad_(True)
    return [embedding, *(p for p in transformer.parameters() if p.requires_grad)]


def start_embedding(predictor: nn.Module, style_image: torch.Tensor) -> torch.Tensor:
    """The style's embedding [100] exactly as the engine computes it for an untuned template."""
    square = imageops.resize(imageops.center_square(style_image)[None], STYLE_IMAGE_SIZE, STYLE_IMAGE_SIZE)
    device = next(predictor.parameters()).device
    with torch.no_grad():
        return predictor(square.to(device))[0]


def held_out_crops(photos: Sequence[torch.Tensor], settings: FinetuneSettings) -> torch.Tensor:
    """The fixed validation crops [N, 4, S, S] of the held-out photos: training validates on them, and the
    before/after evaluation measures on them."""
    _, held_out = split(photos, settings.validation_fraction, settings.seed)
    per_photo = max(1, min(3, VALIDATION_CROPS // len(held_out)))
    return validation_crops(held_out, settings.image_size, per_photo, settings.seed + 1)


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
    steps = settings.total_steps
    train_photos, _ = split(photos, settings.validation_fraction, settings.seed)
    loss_network = losses.LossNetwork(copy.deepcopy(predictor)).to(device)
    model = copy.deepcopy(transformer).to(device).train()
    embedding = nn.Parameter(start_embedding(loss_network.predictor, style_image).clone())
    parameters = trainable_parameters(model, embedding, settings.trainable)
    optimizer = torch.optim.Adam(parameters, lr=settings.lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: warmup_cosine(step, steps, settings.warmup_steps))
    average = WeightAverage(parameters, settings.decay)
    target = StyleTarget(loss_network, style_image, settings.image_size, settings.seed)
    objective = _Objective(loss_network, target, embedding.detach().clone(), settings)
    validation, validation_alpha = colours_and_alpha(held_out_crops(photos, settings).to(device))

    def painted(photos: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
        # a cut-out's transparent ground is put back on white, so no loss asks the network to paint it
        return on_white(model(photos, embedding.expand(len(photos), -1)), alpha)

    def validation_loss() -> float:
        """The objective on the fixed held-out crops, for the averaged weights (what would be published)."""
        average.swap()
        try:
            with torch.no_grad():
                return float(objective(painted(validation, validation_alpha), validation))
        finally:
            average.swap()

    with torch.no_grad():
        objective.calibrate(painted(validation, validation_alpha), validation)
    initial = validation_loss()
    stopping = EarlyStopping(settings.patience_steps)
    stopping.update(0, initial)
    best, best_step = initial, 0
    best_state = _snapshot(embedding, model, settings.trainable)
    history: list[dict] = [{"step": 0, "train_loss": None, "validation_loss": initial, "smoothed_validation": initial,
                            "lr": settings.lr * warmup_cosine(0, steps, settings.warmup_steps), "seconds": 0.0}]
    metrics = _RunLog(run_dir, settings)
    metrics.write(history[0])
    if progress_fn:
        progress_fn(Progress(0, steps, initial, initial, 0.0, 0.0))
    started, stopped, step = time.perf_counter(), "finished", 0
    for step in range(1, steps + 1):
        if abort_fn and abort_fn():
            stopped, step = "cancelled", step - 1
            break
        lr = optimizer.param_groups[0]["lr"]
        optimizer.zero_grad(set_to_none=True)
        train_loss = 0.0
        for _ in range(settings.accumulate):
            batch, alpha = colours_and_alpha(
                augmented_batch(train_photos, settings.batch_size, settings.image_size, generator).to(device))
            loss = objective(painted(batch, alpha), batch, target.draw(len(batch), generator)) / settings.accumulate
            loss.backward()
            train_loss += float(loss.detach())
        optimizer.step()
        schedule.step()
        average.update()
        record = {"step": step, "train_loss": train_loss, "validation_loss": None, "lr": lr,
                  "seconds": round(time.perf_counter() - started, 3)}
        if step % settings.evaluation_interval == 0 or step == steps:
            record["validation_loss"] = validation_loss()
            stopping.update(step, record["validation_loss"])
            # the crops are fixed, so the lowest raw value is the best checkpoint; the smoothed curve decides
            # only when to stop (a short run must not lose its best step to the average)
            if record["validation_loss"] < best:
                best, best_step = record["validation_loss"], step
                average.swap()
                best_state = _snapshot(embedding, model, settings.trainable)
                average.swap()
                metrics.checkpoint(best_state)
            record["smoothed_validation"] = stopping.smoothed
        history.append(record)
        metrics.write(record)
        if progress_fn:
            elapsed = time.perf_counter() - started
            progress_fn(Progress(step, steps, record["train_loss"], record["validation_loss"], elapsed,
                                 elapsed / step * (steps - step)))
        if record["validation_loss"] is not None and step < steps and stopping.should_stop(step):
            stopped = "early stopping"
            break
    return FinetuneResult(
        embedding=best_state["embedding"],
        transformer_state={k: v for k, v in best_state.items() if k != "embedding"} or None,
        initial_validation_loss=initial, best_validation_loss=best, best_step=best_step,
        steps_run=step, stopped=stopped, history=history, seconds=time.perf_counter() - started,
    )


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
            (run_dir / "settings.json").write_text(json.dumps(settings.resolved(), indent=2))

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
