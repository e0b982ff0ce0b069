"""Choosing the precision: the rule for auto, clear refusals, and where the choice shows."""
from __future__ import annotations

import sys

import pytest
import torch

from stylelab.engine import StyleEngine
from stylelab.engine import precision
from stylelab.engine.precision import choose_precision, int8_supported
from stylelab.engine.zerogpu import gpu_task
from stylelab.errors import StyleLabError
from tests.test_cli import run_cli

CPU, CUDA = torch.device("cpu"), torch.device("cuda")


@pytest.mark.parametrize("flags, candidates", [
    ({"avx2", "avx512f", "avx512_vnni"}, ("int8",)),  # Xeons since Cascade Lake
    ({"avx2", "avx512f", "avx512_vnni", "avx512_bf16"}, ("bf16", "int8")),  # AMD Zen 4, Cooper Lake
    ({"avx2", "avx_vnni"}, ("int8",)),  # Alder Lake and later
    ({"avx2", "avx512f", "amx_int8", "amx_bf16", "amx_tile"}, ("bf16", "int8")),  # Sapphire Rapids
    ({"avx2", "fma"}, ()),  # int8 there needs 7-bit weights and runs no faster; no bf16 instructions
])
def test_auto_measures_only_the_precisions_this_cpu_can_gain_from(monkeypatch, flags, candidates):
    monkeypatch.delenv("STYLELAB_PRECISION", raising=False)
    monkeypatch.setattr(precision, "cpu_flags", lambda: frozenset(flags))
    monkeypatch.setattr(precision, "int8_supported", lambda: True)
    assert precision.cpu_candidates() == candidates
    if not candidates:  # nothing to measure: fp32 at once
        assert choose_precision("auto", CPU, speedups=lambda: pytest.fail("measured")) == "fp32"
    assert choose_precision(None, torch.device("mps")) == "fp32"


def test_auto_stays_fp32_where_the_int8_kernels_are_missing(monkeypatch):
    monkeypatch.delenv("STYLELAB_PRECISION", raising=False)
    monkeypatch.setattr(precision, "cpu_flags", lambda: frozenset({"avx512_vnni"}))
    monkeypatch.setattr(precision, "int8_supported", lambda: False)
    assert choose_precision("auto", CPU) == "fp32"


def test_the_environment_variable_sets_the_default_and_an_explicit_choice_wins(monkeypatch):
    monkeypatch.setenv("STYLELAB_PRECISION", "FP32 ")
    assert choose_precision(None, CPU) == "fp32"
    assert choose_precision("bf16", CPU) == "bf16"


@pytest.mark.parametrize("name, device, words", [
    ("int4", CPU, "Unknown precision 'int4'"),
    ("fp16", CPU, "fp16 needs a CUDA GPU"),
    ("int8", CUDA, "int8 runs on the CPU only"),
    ("bf16", torch.device("mps"), "Apple GPUs"),
])
def test_impossible_choices_are_refused_with_a_sentence(name, device, words):
    with pytest.raises(StyleLabError, match=words):
        choose_precision(name, device)


def test_engine_reports_its_precision_next_to_the_device():
    engine = StyleEngine(device_request="cpu", precision_request="fp32")
    assert engine.precision == "fp32"
    assert engine.device_name.startswith("CPU (") and engine.device_name.endswith(", fp32")


def test_cli_runs_at_the_chosen_precision_and_says_so(tmp_path):
    from tests.conftest import sample_picture

    sample_picture("coffee", (96, 64)).save(tmp_path / "mug.jpg")
    expected = "int8" if int8_supported() else "fp32"
    completed = run_cli("restyle", str(tmp_path / "mug.jpg"), "--style", "Ink wash", "--precision", expected,
                        "--out", str(tmp_path / "out"))
    assert completed.returncode == 0, completed.stderr
    assert f", {expected}." in completed.stderr
    refused = run_cli("restyle", str(tmp_path / "mug.jpg"), "--style", "Ink wash", "--precision", "fp8")
    assert refused.returncode != 0 and "Unknown precision 'fp8'" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_gpu_task_marks_functions_for_zerogpu_only_where_spaces_is_installed(tmp_path, monkeypatch):
    def work() -> str:
        return "done"

    assert gpu_task(work) is work  # no spaces package here
    (tmp_path / "spaces.py").write_text(
        "def GPU(duration=None):\n"
        "    def mark(function):\n"
        "        function.zerogpu_seconds = duration\n"
        "        return function\n"
        "    return mark\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "spaces", raising=False)
    marked = gpu_task(work)
    assert marked() == "done" and marked.zerogpu_seconds > 0
