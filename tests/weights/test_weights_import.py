"""The import command reproduces the committed weights exactly."""
from __future__ import annotations

import subprocess
import sys

import torch
from safetensors.torch import load_file

from stylelab.weights.store import NETWORKS, weights_path


def test_import_command_writes_the_committed_weights(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "stylelab.weights", "import", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "MODELS.md").is_file()
    for network in NETWORKS:
        fresh, committed = load_file(str(tmp_path / f"{network}.safetensors")), load_file(str(weights_path(network)))
        assert fresh.keys() == committed.keys()
        for name in committed:
            assert torch.equal(fresh[name], committed[name]), f"{network}: {name}"
    assert not list(tmp_path.glob("*.partial")), "no half-written files left behind"
