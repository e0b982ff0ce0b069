"""The compiled CPU graph (OpenVINO): the same pictures as the eager modules, a disk cache that
rebuilds itself, and auto choosing a reduced precision only where it pays."""
from __future__ import annotations

import logging

import pytest
import torch

from stylelab.engine import RestyleSettings, StyleEngine, StyleMix, compiled, precision
from stylelab.engine.compiled import CompiledStylizer, graph_key, load_graph
from stylelab.engine.precision import choose_precision, pick_cpu_precision
from stylelab.models.exportable import ExportableStylizer
from stylelab.weights.store import load_network
from tests.conftest import sample_picture
from stylelab.imageio import to_tensor

CPU = torch.device("cpu")


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(10 * torch.log10(1 / torch.mean((a - b) ** 2).clamp_min(1e-12)))


@pytest.fixture(scope="module")
def networks():
    return {name: load_network(name).eval() for name in ("multistyle26", "arbitrary_transformer")}


def condition_for(name: str) -> torch.Tensor:
    return torch.eye(26)[[7]] * 0.6 + torch.eye(26)[[19]] * 0.4 if name == "multistyle26" else torch.randn(1, 100) * 0.3


@pytest.mark.parametrize("name", ["multistyle26", "arbitrary_transformer"])
def test_the_exported_form_computes_what_the_module_computes(networks, name):
    network, condition = networks[name], condition_for(name)
    image = torch.rand(1, 3, 76, 100)
    with torch.inference_mode():
        expected = network(image, condition)
        exported = ExportableStylizer(network)(image, condition)
    assert torch.allclose(exported, expected, atol=1e-5)


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STYLELAB_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("name", ["multistyle26", "arbitrary_transformer"])
def test_the_compiled_graph_matches_eager_fp32_on_odd_sizes_and_keeps_the_gate_in_bf16(networks, cache, name):
    network, condition = networks[name], condition_for(name)
    for height, width in ((52, 140), (124, 36)):  # what the engine hands over: multiples of 4, any aspect
        image = torch.rand(1, 3, height, width)
        with torch.inference_mode():
            expected = network(image, condition)
        assert torch.allclose(CompiledStylizer(network, "fp32")(image, condition), expected, atol=1e-4)
        assert psnr(CompiledStylizer(network, "bf16")(image, condition), expected) >= 35


def test_the_cache_is_rebuilt_after_a_weights_change_and_after_damage(networks, cache, caplog):
    network = networks["arbitrary_transformer"]
    image, condition = torch.rand(1, 3, 48, 64), condition_for("arbitrary_transformer")
    expected = CompiledStylizer(network, "fp32")(image, condition)
    folders = list((cache / "openvino").iterdir())
    assert len(folders) == 1 and (folders[0] / "graph.bin").stat().st_size > 100_000

    graph = folders[0] / "graph.bin"
    graph.write_bytes(graph.read_bytes()[:1000])  # a crash or a full disk left half a file
    with caplog.at_level(logging.WARNING):
        again = CompiledStylizer(network, "fp32")(image, condition)
    assert "damaged; rebuilding" in caplog.text
    assert torch.allclose(again, expected, atol=1e-6)

    changed = load_network("arbitrary_transformer").eval()
    with torch.no_grad():
        changed.expand[2].conv.conv.bias += 0.5  # a fine-tuned or re-imported network
    assert graph_key(changed) != graph_key(network)
    with torch.inference_mode():
        eager = changed(image, condition)
    assert torch.allclose(CompiledStylizer(changed, "fp32")(image, condition), eager, atol=1e-4)
    assert len(list((cache / "openvino").iterdir())) == 2
    assert load_graph(network, cache) is not None


def test_the_engine_restyles_through_the_compiled_graph_like_the_eager_one(cache, monkeypatch):
    photo = to_tensor(sample_picture("chelsea", (131, 97)))
    settings = RestyleSettings(strength=0.7, keep_colours=True)
    compiled_engine = StyleEngine(device_request="cpu", precision_request="fp32")
    style = compiled_engine.embed_styles([to_tensor(sample_picture("rocket", (96, 96)))])[0]
    mix = StyleMix(builtin=((3, 0.5),), images=((style, 0.5),))
    result = compiled_engine.restyle([photo], mix, settings)[0]
    assert len(compiled_engine._compiled) == 2  # both stylization networks ran compiled
    monkeypatch.setattr(compiled, "openvino_available", lambda: False)
    eager = StyleEngine(device_request="cpu", precision_request="fp32").restyle([photo], mix, settings)[0]
    assert result.shape == photo.shape and torch.allclose(result, eager, atol=2e-4)


def figures(**speedups: tuple[float, float]) -> dict:
    """Faked measurements: precision -> (speed-up, PSNR) on both networks alike."""
    return {name: {network: {"speedup": speed, "psnr": db} for network in ("multistyle26", "arbitrary_transformer")}
            for name, (speed, db) in speedups.items()}


@pytest.mark.parametrize("measured, expected", [
    (figures(int8=(0.98, 45.0)), "fp32"),  # int8 that buys no speed (the AMD EPYC with VNNI, eager)
    (figures(int8=(1.3, 45.0), bf16=(1.2, 45.0)), "fp32"),  # faster, but not by 1.5x
    (figures(int8=(2.0, 40.0), bf16=(2.3, 45.0)), "bf16"),  # the faster of two that pay
    (figures(int8=(2.5, 40.0), bf16=(2.3, 45.0)), "int8"),
    (figures(bf16=(3.0, 30.0)), "fp32"),  # fast but below the 35 dB gate
])
def test_auto_takes_a_reduced_precision_only_where_it_is_measured_to_pay(monkeypatch, measured, expected):
    monkeypatch.delenv("STYLELAB_PRECISION", raising=False)
    monkeypatch.setattr(precision, "cpu_candidates", lambda: tuple(measured))
    assert pick_cpu_precision(measured) == expected
    assert choose_precision("auto", CPU, speedups=lambda: measured) == expected


def test_one_network_that_does_not_gain_keeps_fp32():
    measured = figures(int8=(2.0, 40.0))
    measured["int8"]["multistyle26"]["speedup"] = 0.7
    assert pick_cpu_precision(measured) == "fp32"


def test_auto_measures_once_and_then_reads_the_figures(cache, monkeypatch):
    from stylelab.engine import measure

    calls = []
    monkeypatch.setattr(measure, "measure_speedups", lambda candidates: calls.append(candidates) or figures(
        bf16=(2.0, 45.0)))
    assert measure.measured_speedups() == measure.measured_speedups() == figures(bf16=(2.0, 45.0))
    assert len(calls) == 1
