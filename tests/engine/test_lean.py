"""The torch-free CPU path: the engine's very pixels, a start without PyTorch, and the engine
wherever it alone can paint."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import stylelab
from stylelab.engine import RestyleSettings, StyleEngine, StyleMix, lean
from stylelab.engine.lean import lean_restyler
from stylelab.imageio import to_image, to_tensor
from tests.conftest import sample_picture

ROOT = Path(__file__).resolve().parents[2]
TWO_STYLES = StyleMix(builtin=((7, 0.6), (19, 0.4)))


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    """An empty StyleLab cache, a CPU-only run and fresh runners."""
    monkeypatch.setenv("STYLELAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("STYLELAB_DEVICE", "cpu")
    monkeypatch.setattr(lean, "_runners", {})
    return tmp_path


def engine_pixels(photo: Image.Image, mix: StyleMix, settings: RestyleSettings, precision: str) -> np.ndarray:
    engine = StyleEngine(device_request="cpu", precision_request=precision)
    return np.asarray(to_image(engine.restyle([to_tensor(photo)], mix, settings)[0]))


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_the_lean_path_paints_the_engines_pixels(cache, precision):
    settings = RestyleSettings(strength=0.7)
    for size in ((131, 97), (64, 200)):  # odd sides: padded to the networks' multiple of 4 and cropped back
        photo = sample_picture("chelsea", size)
        expected = engine_pixels(photo, TWO_STYLES, settings, precision)  # builds the graph in the cache
        restyler = lean_restyler(TWO_STYLES, settings, precision_request=precision)
        assert restyler is not None and restyler.device_name.endswith(precision)
        result = restyler.restyle(np.asarray(photo), TWO_STYLES, settings)
        assert result.shape == expected.shape
        assert np.abs(result.astype(int) - expected).max() <= 1


def test_it_waits_for_the_engine_and_declines_what_only_the_engine_paints(cache):
    plain = RestyleSettings(strength=0.8)
    assert lean_restyler(TWO_STYLES, plain, precision_request="fp32") is None  # nothing built here yet
    engine_pixels(sample_picture("coffee", (48, 48)), TWO_STYLES, plain, "fp32")
    assert lean_restyler(TWO_STYLES, plain, precision_request="fp32") is not None
    with_image = StyleMix(builtin=((3, 1.0),), images=((np.zeros(100, np.float32), 0.5),))
    declined = [
        lean_restyler(with_image, plain, precision_request="fp32"),
        lean_restyler(TWO_STYLES, RestyleSettings(keep_colours=True), precision_request="fp32"),
        lean_restyler(TWO_STYLES, RestyleSettings(stroke_scale=2.0), precision_request="fp32"),
        lean_restyler(TWO_STYLES, plain, device_request="cuda", precision_request="fp32"),
        lean_restyler(TWO_STYLES, plain, precision_request="int8"),
    ]
    assert declined == [None] * len(declined)


def test_auto_follows_the_engines_measured_choice(cache, monkeypatch):
    from stylelab.engine import measure, precision

    monkeypatch.setattr(precision, "has_bf16", lambda: True)  # a CPU where auto has something to measure
    engine_pixels(sample_picture("coffee", (48, 48)), TWO_STYLES, RestyleSettings(), "bf16")
    assert lean_restyler(TWO_STYLES, RestyleSettings(), precision_request="auto") is None  # nothing measured yet
    figures = {"bf16": {name: {"speedup": 1.9, "psnr": 39.0} for name in measure.NETWORKS}}
    path = measure._figures_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cpu": "test", "speedups": figures}))
    assert lean_restyler(TWO_STYLES, RestyleSettings(), precision_request="auto").runner.precision == "bf16"
    figures["bf16"]["multistyle26"]["speedup"] = 1.1  # does not pay: auto is fp32, as the engine would choose
    path.write_text(json.dumps({"cpu": "test", "speedups": figures}))
    assert lean_restyler(TWO_STYLES, RestyleSettings(), precision_request="auto").runner.precision == "fp32"


def test_a_damaged_graph_is_left_to_the_engine_which_rebuilds_it(cache, caplog):
    photo = sample_picture("coffee", (64, 48))
    expected = engine_pixels(photo, TWO_STYLES, RestyleSettings(), "fp32")
    (graph,) = (cache / "openvino").glob("*/graph.bin")
    graph.write_bytes(graph.read_bytes()[:500])
    assert lean_restyler(TWO_STYLES, RestyleSettings(), precision_request="fp32") is None
    with caplog.at_level(logging.WARNING):
        assert np.array_equal(engine_pixels(photo, TWO_STYLES, RestyleSettings(), "fp32"), expected)
    assert "damaged; rebuilding" in caplog.text
    assert lean_restyler(TWO_STYLES, RestyleSettings(), precision_request="fp32") is not None


def _fresh_python(code: str, cache: Path) -> list[str]:
    env = dict(os.environ, STYLELAB_CACHE_DIR=str(cache), STYLELAB_DEVICE="cpu", STYLELAB_PRECISION="fp32",
               PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def test_restyle_and_the_command_line_start_without_pytorch_and_match_the_engine(cache, tmp_path):
    photo = sample_picture("astronaut", (120, 90))
    rgba = photo.convert("RGBA")
    alpha = np.full((90, 120), 255, np.uint8)
    alpha[:, :30] = 0  # a cut-out: transparent on the left
    rgba.putalpha(Image.fromarray(alpha))
    rgba.save(tmp_path / "cutout.png")
    (tmp_path / "folder").mkdir()
    photo.save(tmp_path / "folder" / "a.png")
    expected = engine_pixels(photo, StyleMix(builtin=((19, 1.0),)), RestyleSettings(strength=0.8), "fp32")

    said = _fresh_python(
        "import sys, numpy as np, stylelab\n"
        f"image = stylelab.restyle({str(tmp_path / 'folder' / 'a.png')!r}, 19, strength=0.8)\n"
        f"image.save({str(tmp_path / 'api.png')!r})\n"
        f"cut = stylelab.restyle({str(tmp_path / 'cutout.png')!r}, 19, strength=0.8)\n"
        "print(cut.mode, np.asarray(cut)[:, :30, 3].max(), np.asarray(cut)[:, 30:, 3].min())\n"
        "from stylelab.cli import main\n"
        f"code = main(['restyle', {str(tmp_path / 'folder')!r}, '--style', '19', '--strength', '0.8', "
        f"'--format', 'png', '--quiet', '--out', {str(tmp_path / 'out')!r}])\n"
        "print(code, 'torch' in sys.modules)\n", cache)
    assert said == ["RGBA", "0", "255", "0", "False"]  # alpha kept; the CLI succeeded; PyTorch never loaded
    for written in (tmp_path / "api.png", tmp_path / "out" / "folder" / "a.png"):
        assert np.abs(np.asarray(Image.open(written)).astype(int) - expected).max() <= 1


def test_a_photo_too_large_for_one_pass_goes_to_the_engine_in_a_folder_run(cache, tmp_path, monkeypatch):
    from stylelab.engine.batch import restyle_files

    settings = RestyleSettings(strength=0.8)
    mix = StyleMix(builtin=((5, 1.0),))
    small, large = sample_picture("coffee", (64, 48)), sample_picture("astronaut", (96, 96))
    expected = {name: engine_pixels(photo, mix, settings, "fp32") for name, photo in (("s", small), ("l", large))}
    small.save(tmp_path / "s.png")
    large.save(tmp_path / "l.png")
    restyler = lean_restyler(mix, settings, precision_request="fp32")
    monkeypatch.setattr(lean, "MAX_PIXELS", 64 * 64)  # the large one no longer fits one lean pass
    report = restyle_files([(tmp_path / f"{n}.png", tmp_path / "out" / f"{n}.png") for n in "sl"], mix, settings,
                           restyler)
    assert not report.failures and len(report.written) == 2
    for name in "sl":
        result = np.asarray(Image.open(tmp_path / "out" / f"{name}.png")).astype(int)
        assert np.abs(result - expected[name]).max() <= 1


def test_prepare_builds_what_the_lean_path_needs(cache, monkeypatch, capsys):
    from stylelab.engine import measure, precision
    from stylelab.weights.__main__ import main

    monkeypatch.delenv("STYLELAB_PRECISION", raising=False)
    monkeypatch.setattr(precision, "cpu_candidates", lambda: ("bf16",))
    monkeypatch.setattr(precision, "has_bf16", lambda: True)  # any CI CPU: as on one with bf16 instructions
    monkeypatch.setattr(measure, "measure_speedups", lambda candidates: {  # the real measurement takes ~30 s
        "bf16": {name: {"speedup": 1.9, "psnr": 39.0} for name in measure.NETWORKS}})
    assert lean_restyler(TWO_STYLES, RestyleSettings()) is None  # a new machine: nothing built, nothing measured
    assert main(["prepare"]) == 0
    said = capsys.readouterr().out
    assert "multistyle26:" in said and "arbitrary_transformer:" in said and "auto on this CPU: bf16" in said
    assert len(list((cache / "openvino").glob("*/graph.xml"))) == 2
    restyler = lean_restyler(TWO_STYLES, RestyleSettings())
    assert restyler is not None and restyler.runner.precision == "bf16"
