"""Running a fully convolutional network over a large image in overlapping tiles.

Each tile is processed with its neighbours' pixels as context; where tiles
overlap, their outputs are cross-faded with linear ramps that skip the outer
``margin`` pixels of each tile, whose values the tile edge can disturb most.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

ALIGNMENT = 4  # the networks downsample by 4: tiles start on that grid to match an untiled run


@dataclass(frozen=True)
class TileLayout:
    tile: int
    overlap: int
    margin: int

    def __post_init__(self) -> None:
        if self.tile % ALIGNMENT or self.overlap % ALIGNMENT:
            raise ValueError(f"tile and overlap must be multiples of {ALIGNMENT}")
        if self.overlap < 2 * self.margin + ALIGNMENT or self.overlap >= self.tile:
            raise ValueError("overlap must exceed twice the margin and be smaller than the tile")


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets (multiples of ALIGNMENT) of tiles covering ``length`` pixels."""
    if length <= tile:
        return [0]
    step = tile - overlap
    starts = list(range(0, length - tile, step))
    last = (length - tile) // ALIGNMENT * ALIGNMENT
    if last + tile < length:
        raise ValueError(f"length {length} is not a multiple of {ALIGNMENT}")
    starts.append(last)
    return starts


def blend_weights(starts: list[int], index: int, tile: int, length: int, margin: int, ramp: int) -> torch.Tensor:
    """1-D weights of tile ``index``: zero within ``margin`` of an edge shared with another
    tile, rising linearly to one over ``ramp`` pixels. Image borders get full weight."""
    start = starts[index]
    size = min(tile, length - start)
    offsets = torch.arange(size, dtype=torch.float32)
    weights = torch.ones(size)
    if index > 0:
        weights = torch.minimum(weights, ((offsets - margin) / ramp).clamp(0, 1))
    if index < len(starts) - 1:
        weights = torch.minimum(weights, ((size - 1 - offsets - margin) / ramp).clamp(0, 1))
    return weights


def run_tiled(
    network: Callable[[torch.Tensor], torch.Tensor],
    image: torch.Tensor,
    layout: TileLayout,
    on_tile: Callable[[int, int], None] | None = None,
) -> torch.Tensor:
    """Apply ``network`` ([N,3,h,w] -> [N,3,h,w]) to ``image`` tile by tile.

    ``image`` must have sides that are multiples of ALIGNMENT. The output is
    accumulated on the CPU, so only one tile at a time occupies the device.
    """
    batch, _, height, width = image.shape
    rows, columns = tile_starts(height, layout.tile, layout.overlap), tile_starts(width, layout.tile, layout.overlap)
    output = torch.zeros(batch, 3, height, width, dtype=torch.float32)
    # weights are normalized by their sum, which also covers the last tile overlapping two others
    total_weight = torch.zeros(height, width, dtype=torch.float32)
    ramp = layout.overlap - 2 * layout.margin
    total, done = len(rows) * len(columns), 0
    for row_index, top in enumerate(rows):
        row_weights = blend_weights(rows, row_index, layout.tile, height, layout.margin, ramp)
        for column_index, left in enumerate(columns):
            column_weights = blend_weights(columns, column_index, layout.tile, width, layout.margin, ramp)
            window = image[:, :, top : top + layout.tile, left : left + layout.tile]
            result = network(window).float().cpu()
            weights = row_weights[:, None] * column_weights[None, :]
            output[:, :, top : top + result.shape[2], left : left + result.shape[3]] += result * weights
            total_weight[top : top + result.shape[2], left : left + result.shape[3]] += weights
            done += 1
            if on_tile:
                on_tile(done, total)
    return output.div_(total_weight)
