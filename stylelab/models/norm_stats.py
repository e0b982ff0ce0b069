"""Instance-norm statistics that can be recorded on one pass and replayed on another."""
from __future__ import annotations

import torch


class NormStats:
    """Records (mean, var) of every instance norm in call order, or replays them.

    A tiled run first records the statistics on a whole-image pass at a size that
    fits in memory, then replays them on each full-resolution tile: every tile is
    then normalized like the whole image instead of like itself.
    """

    def __init__(self) -> None:
        self._recorded: list[tuple[torch.Tensor, torch.Tensor]] = []
        self._replay_index: int | None = None

    @property
    def is_replaying(self) -> bool:
        return self._replay_index is not None

    def start_replay(self) -> None:
        self._replay_index = 0

    def exchange(self, mean: torch.Tensor, var: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self._replay_index is None:
            self._recorded.append((mean.detach(), var.detach()))
            return mean, var
        recorded_mean, recorded_var = self._recorded[self._replay_index]
        self._replay_index = (self._replay_index + 1) % len(self._recorded)
        return recorded_mean.to(mean.device), recorded_var.to(var.device)
