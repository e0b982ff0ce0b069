"""Running a fully convolutional network over a large image in overlapping tiles.

Each tile is processed with its neighbours' pixels as context; where two tiles
overlap, their outputs are cross-faded with linear ramps that skip the outer
``margin`` pixels of each tile, whose values the tile edge can disturb.
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


def blend_weights(starts: list[int], index: int, tile: int, length: int, margin: int) -> torch.Tensor:
    """1-D weights of tile ``index``: they sum to one across tiles at every position."""
    start = starts[index]
    size = min(tile, length - start)
    weights = torch.ones(size)
    positions = torch.arange(size, dtype=torch.float32) + start
    if index > 0:  # fade in over the overlap with the previous tile
        overlap_start, overlap_end = start, starts[index - 1] + tile
        ramp = (positions - overlap_start - margin) / max(overlap_end - overlap_start - 2 * margin, 1)
        weights = torch.minimum(weights, ramp.clamp(0, 1))
    if index < len(starts) - 1:  # fade out over the overlap with the next tile
        overlap_start, overlap_end = starts[index + 1], start + tile
        ramp = (overlap_end - margin - positions) / max(overlap_end - overlap_start - 2 * margin, 1)
        weights = torch.minimum(weights, ramp.clamp(0, 1))
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
    total, done = len(rows) * len(columns), 0
    for row_index, top in enumerate(rows):
        row_weights = blend_weights(rows, row_index, layout.tile, height, layout.margin)
        for column_index, left in enumerate(columns):
            column_weights = blend_weights(columns, column_index, layout.tile, width, layout.margin)
            window = image[:, :, top : top + layout.tile, left : left + layout.tile]
            result = network(window).float().cpu()
            weights = row_weights[:, None] * column_weights[None, :]
            output[:, :, top : top + result.shape[2], left : left + result.shape[3]] += result * weights
            done += 1
            if on_tile:
                on_tile(done, total)
    return output
