"""`python -m stylelab gan train|finetune|sample`, run as a user would run it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

RUN = ["--steps", "2", "--batch-size", "4", "--eval-every", "2", "--eval-samples", "16", "--quiet"]
NETWORK = ["--resolution", "32", "--channel-base", "256", "--channel-max", "32"]


def run_gan(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"STYLELAB_DEVICE": "cpu", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path.cwd()),
           "STYLELAB_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "stylelab", "gan", *args], capture_output=True, text=True,
                          timeout=300, env=env)


def test_train_finetune_and_sample_from_the_command_line(tmp_path):
    data = tmp_path / "data"
    trained = run_gan(data, "train", "--synthetic", "48", "--synthetic-kind", "bottle", "--name", "bottles", *NETWORK, *RUN)
    assert trained.returncode == 0, trained.stderr
    assert "FD-MobileNet" in trained.stdout
    assert (data / "generators" / "00001-bottles" / "generator-ema.safetensors").is_file()

    tuned = run_gan(data, "finetune", "--from", "00001-bottles", "--synthetic", "48", "--synthetic-kind", "mug",
                    "--name", "mugs", *RUN)
    assert tuned.returncode == 0, tuned.stderr
    config = json.loads((data / "generators" / "00002-mugs" / "config.json").read_text())
    assert config["fine_tuned_from"] == "00001-bottles" and config["settings"]["freeze_d"] == 2
    assert config["generator"]["resolution"] == 32 and config["generator"]["channel_max"] == 32

    out = tmp_path / "out"
    sampled = run_gan(data, "sample", "--generator", "00002-mugs", "--seeds", "3,5", "--truncation", "0.7",
                      "--out", str(out))
    assert sampled.returncode == 0, sampled.stderr
    assert Image.open(out / "seed000003.png").size == (32, 32)
    again = run_gan(data, "sample", "--generator", "00002-mugs", "--seeds", "3", "--truncation", "0.7",
                    "--out", str(tmp_path / "again"))
    assert again.returncode == 0
    assert (tmp_path / "again" / "seed000003.png").read_bytes() == (out / "seed000003.png").read_bytes()
    walk = run_gan(data, "sample", "--generator", "00001-bottles", "--interpolate", "1", "2", "--steps", "5",
                   "--grid", "--out", str(tmp_path / "walk"))
    assert walk.returncode == 0 and Image.open(tmp_path / "walk" / "grid.png").size == (5 * 32, 32)


def test_bad_generator_and_seeds_get_a_sentence_not_a_trace(tmp_path):
    missing = run_gan(tmp_path, "sample", "--generator", "nothing-here")
    assert missing.returncode == 2 and "No trained generator 'nothing-here'" in missing.stderr
    assert "Traceback" not in missing.stderr
