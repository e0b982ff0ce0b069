"""Catalog runs on a real local Ray (2 CPUs, one session for the module): the CLI's files and pixels,
a manifest row per photo, resume, a damaged photo reported while the rest finish, and a worker
killed with ray.kill mid-batch that Ray restarts without losing a photo."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import ray  # requirements-ray.txt is part of the test requirements

import stylelab
from stylelab.cli import _photo_files
from stylelab.cluster.manifest import FOLDER, read_manifest
from stylelab.cluster.runner import run_catalog
from stylelab.cluster.storage import Destination
from stylelab.cluster.worker import PhotoRestyler
from stylelab.engine import RestyleSettings
from tests.cluster.conftest import BROKEN, GOOD, assert_same_results


SETTINGS = RestyleSettings(strength=0.8)


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def mix():
    return stylelab.resolve_style([("Ink wash", 0.7), ("Bold primaries", 0.3)])


def jobs_for(catalog: Path) -> list[tuple[str, str]]:
    return [(str(path), relative.with_suffix(".png").as_posix()) for path, relative in _photo_files([catalog])]


def test_a_run_makes_the_clis_files_and_a_manifest_row_per_photo_then_resumes(catalog, cli_results, mix, tmp_path):
    destination = Destination(str(tmp_path))
    summary = run_catalog(jobs_for(catalog), destination, mix, SETTINGS, workers=2)

    assert (summary.done, summary.skipped, len(summary.failed)) == (3, 0, 1)
    assert "broken.jpg" in summary.failed[0] and "could not be read" in summary.failed[0]
    assert_same_results(tmp_path, cli_results)
    manifest = {row["output"]: row for row in read_manifest(destination).to_pylist()}
    assert sorted(manifest) == sorted(GOOD + [BROKEN])
    assert manifest[BROKEN]["error"] and manifest[BROKEN]["size"] is None
    for output in GOOD:
        row = manifest[output]
        assert row["error"] is None and Path(row["source"]).is_file() and row["seconds"] > 0
        assert 0 < row["ssim"] < 1 and 5 < row["psnr"] < 40 and row["device"].startswith("CPU")
    assert manifest["catalog/mug.png"]["size"] == "96x64"

    # a rerun does only what is missing: a deleted result, and the photo that failed
    (tmp_path / "catalog" / "shoes" / "boot.png").unlink()
    again = run_catalog(jobs_for(catalog), destination, mix, SETTINGS, workers=2)
    assert (again.done, again.skipped, len(again.failed)) == (1, 2, 1)
    assert_same_results(tmp_path, cli_results)
    assert len(list((tmp_path / FOLDER).glob("*.parquet"))) == 1  # folded into one file, readable as a whole
    assert pq.read_table(tmp_path / FOLDER).num_rows == 4


def test_a_worker_killed_mid_batch_is_restarted_and_every_photo_is_done(catalog, cli_results, mix, tmp_path):
    marker = tmp_path / "killed"

    class KilledOnce(PhotoRestyler):
        """The first batch any worker takes kills that worker with ray.kill, before it returns."""

        def __call__(self, batch):
            try:
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                return super().__call__(batch)
            ray.kill(ray.get_runtime_context().current_actor, no_restart=False)
            time.sleep(120)
            raise AssertionError("ray.kill did not stop the worker")

    good_only = tmp_path / "photos" / "catalog"
    shutil.copytree(catalog, good_only)
    (good_only / "broken.jpg").unlink()
    out = tmp_path / "out"
    summary = run_catalog(jobs_for(good_only), Destination(str(out)), mix, SETTINGS, workers=2,
                          worker_class=KilledOnce)

    assert marker.exists()
    assert (summary.done, len(summary.failed)) == (3, 0)
    assert_same_results(out, cli_results)
