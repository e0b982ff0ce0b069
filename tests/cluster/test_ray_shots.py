"""``shots --ray`` on a real local Ray (2 CPUs): the same shot files and sidecars as the local
``stylelab shots`` for the same seeds, a manifest row per photo, a broken photo reported, and a
rerun that skips what is done."""
from __future__ import annotations

from pathlib import Path

import pytest
import ray  # requirements-ray.txt is part of the test requirements

from stylelab.cli import main
from stylelab.cluster.manifest import read_manifest
from stylelab.cluster.storage import Destination
from tests.conftest import make_cutout

# the smallest format, few shots: each is a real Cycles render on one core per worker
SHOT_ARGS = ["--scene", "counter", "--preset", "Link ad 1.91:1", "--count", "1", "--seed", "3", "--device", "cpu"]


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shots") / "catalog"
    (folder / "mugs").mkdir(parents=True)
    make_cutout((120, 160)).save(folder / "mugs" / "cutout.png")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    return folder


def test_shots_on_ray_match_the_local_cli_and_resume(photos, tmp_path, capsys):
    local, remote = tmp_path / "local", tmp_path / "ray"
    assert main(["shots", str(photos), *SHOT_ARGS, "--out", str(local)]) == 1  # the broken photo fails
    capsys.readouterr()
    try:
        assert main(["shots", str(photos), *SHOT_ARGS, "--ray", "local", "--workers", "1", "--out", str(remote)]) == 1
        assert "broken.jpg" in capsys.readouterr().err
        for name in ("cutout-seed3.png", "cutout-seed3.json"):
            made, reference = (remote / "catalog" / "mugs" / name), (local / "catalog" / "mugs" / name)
            assert made.read_bytes() == reference.read_bytes(), f"{name} differs from the local run"
        rows = {row["output"]: row for row in read_manifest(Destination(str(remote))).to_pylist()}
        done = rows["catalog/mugs/cutout-seed3.png"]
        assert done["error"] is None and done["size"] == "1200x628" and done["device"].startswith("CPU")
        assert "could not be read" in rows["catalog/broken-seed3.png"]["error"]

        shot = remote / "catalog" / "mugs" / "cutout-seed3.png"
        before = shot.stat().st_mtime_ns
        main(["shots", str(photos), *SHOT_ARGS, "--ray", "local", "--workers", "1", "--out", str(remote)])
        assert shot.stat().st_mtime_ns == before, "a rerun leaves finished photos alone"
        assert "1 skipped" in capsys.readouterr().err
    finally:
        ray.shutdown()
