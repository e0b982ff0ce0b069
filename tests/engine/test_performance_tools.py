"""The measuring tools behind benchmarks/performance.py, on the CPU at toy sizes."""
from __future__ import annotations

import pytest
import torch

from stylelab.engine.batch import restyle_files
from stylelab.engine import StyleMix
from stylelab.models.layers import ReflectConv
from stylelab.engine.roofline import MachinePeaks, NetworkCost, network_cost
from stylelab.engine.throughput import ThroughputSetting, gpu_throughput_table, megapixels_per_second
from tests.conftest import sample_picture


class _TwoConvs(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.first = ReflectConv(3, 8, 3)
        self.second = ReflectConv(8, 3, 3, upsample=True)

    def forward(self, x: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        return self.second(self.first(x))


def test_network_cost_counts_every_multiply_add_and_the_traffic():
    cost = network_cost(_TwoConvs(), torch.zeros(1), side=10)
    # 3->8 3x3 on 10x10, then 8->3 3x3 on the 20x20 enlargement; 2 FLOPs per multiply-add
    flops = 2 * (100 * 8 * 27 + 400 * 3 * 72)
    values = (300 + 800 + 8 * 27) + (800 + 1200 + 3 * 72)  # input, output and weights of each
    assert cost.flops_per_megapixel == pytest.approx(flops / 1e-4)
    assert cost.bytes_per_megapixel == pytest.approx(4 * values / 1e-4)


def test_roofline_bound_is_the_slower_of_arithmetic_and_traffic():
    cost = NetworkCost(flops_per_megapixel=40e9, bytes_per_megapixel=0.6e9)
    assert MachinePeaks(flops_per_second=400e9, bytes_per_second=1e12).bound_seconds(cost, 2.0) == pytest.approx(0.2)
    assert MachinePeaks(flops_per_second=1e15, bytes_per_second=6e9).bound_seconds(cost, 1.0) == pytest.approx(0.1)


def test_throughput_runs_in_every_precision_and_layout_on_the_cpu():
    for setting in (ThroughputSetting(2, "fp32", True), ThroughputSetting(1, "bf16", False)):
        assert megapixels_per_second("arbitrary_transformer", torch.device("cpu"), setting, side=64, repeats=1) > 0


def test_throughput_table_reports_each_setting(monkeypatch):
    import stylelab.engine.throughput as throughput

    monkeypatch.setattr(throughput, "megapixels_per_second", lambda name, device, setting, side: 10.0 * setting.batch)
    # the real peaks would time 2048x2048 bf16 matrix products, minutes on a CPU without bf16 units
    monkeypatch.setattr(throughput, "measure_peaks", lambda device, dtype: MachinePeaks(1e12, 1e11))
    lines = gpu_throughput_table(torch.device("cpu"), quick=True, side=64)
    rows = [line for line in lines if line.startswith("| batch")]
    assert len(rows) == 2 * 2 * 2 + 1  # precisions x layouts x batches, plus compiled
    assert any("reached" in line and "best 80 MP/s" in line for line in lines)


def test_restyle_files_writes_every_photo_and_names_the_bad_ones(tmp_path, engine):
    jobs = []
    for index in range(3):
        photo = tmp_path / f"in-{index}.jpg"
        sample_picture("coffee", (64 + 16 * index, 48)).save(photo)
        jobs.append((photo, tmp_path / "out" / f"{index}.png"))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a photo")
    jobs.insert(1, (broken, tmp_path / "out" / "broken.png"))
    ticks = []
    report = restyle_files(jobs, StyleMix(builtin=((3, 1.0),)), engine=engine, workers=2, on_photo=lambda: ticks.append(1))
    assert sorted(p.name for p in report.written) == ["0.png", "1.png", "2.png"]
    assert len(report.failures) == 1 and report.failures[0].startswith(str(broken))
    assert len(ticks) == 4 and report.photos_per_second > 0
    from PIL import Image

    assert Image.open(tmp_path / "out" / "2.png").size == (96, 48)
