"""Catalog runs without a Ray cluster: the manifest (latest rows win, parts fold into one), the destination,
how engines are spread over GPUs and CPUs, and a sentence for an address nobody answers at."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from PIL import Image

from stylelab.cluster.manifest import FOLDER, SCHEMA, ManifestWriter, finished_outputs, read_manifest
from stylelab.cluster.storage import Destination
from stylelab.errors import StyleLabError
from tests.conftest import make_cutout


def rows(*items: tuple[str, str | None]) -> pa.Table:
    return pa.Table.from_pylist([{"source": f"/in/{output}", "output": output, "size": "8x8", "ssim": 0.5,
                                  "psnr": 20.0, "seconds": 0.1, "device": "CPU", "error": error}
                                 for output, error in items], schema=SCHEMA)


def test_the_latest_row_of_a_photo_wins_and_parts_fold_into_one_file(tmp_path: Path):
    destination = Destination(str(tmp_path))
    first = ManifestWriter(destination, flush_rows=1)
    first.add(rows(("a.png", None), ("b.png", "it looks damaged")))
    first.flush()
    second = ManifestWriter(destination)
    second.add(rows(("b.png", None)))
    second.compact()
    assert len(list((tmp_path / FOLDER).glob("*.parquet"))) == 1
    manifest = read_manifest(destination)
    assert manifest.column("output").to_pylist() == ["a.png", "b.png"]
    assert finished_outputs(manifest) == {"a.png", "b.png"}


def test_an_empty_destination_has_an_empty_manifest_and_no_files(tmp_path: Path):
    destination = Destination(str(tmp_path / "not-yet"))
    assert read_manifest(destination).num_rows == 0
    assert destination.existing_files() == set()


def test_saved_files_match_the_local_save_and_are_listed_relative_to_the_destination(tmp_path: Path):
    cutout = make_cutout((40, 30))
    destination = Destination(f"file://{tmp_path}")
    destination.save(cutout, "shoes/cutout.png", quality=92)
    destination.save(cutout, "shoes/cutout.jpg", quality=92)
    assert destination.existing_files() == {"shoes/cutout.png", "shoes/cutout.jpg"}
    with Image.open(tmp_path / "shoes" / "cutout.png") as saved:
        assert np.array_equal(np.asarray(saved), np.asarray(cutout))


def test_an_unknown_storage_scheme_gets_a_sentence():
    with pytest.raises(StyleLabError, match="Cannot write to 'nosuch://bucket/out'"):
        Destination("nosuch://bucket/out").existing_files()


def test_a_destination_travels_to_workers_as_its_absolute_location_only(tmp_path: Path, monkeypatch):
    import pickle

    monkeypatch.chdir(tmp_path)
    destination = Destination("out")
    assert destination.location == str(tmp_path / "out")  # workers run in folders of their own
    destination.existing_files()  # opens the filesystem, which must not travel
    copy = pickle.loads(pickle.dumps(destination))
    assert copy == destination and "filesystem_and_root" not in copy.__dict__


def test_workers_get_a_gpu_each_where_there_are_gpus_and_share_them_when_there_are_more_workers():
    from stylelab.cluster.runner import worker_resources

    assert worker_resources({"CPU": 16.0, "GPU": 2.0}, None, None) == (2, {"num_gpus": 1.0, "num_cpus": 1})
    count, resources = worker_resources({"CPU": 16.0, "GPU": 2.0}, 3, None)
    assert count == 3 and resources["num_gpus"] * 3 <= 2 and resources["num_gpus"] > 0.66
    assert worker_resources({"CPU": 16.0, "GPU": 2.0}, None, "cpu") == (16, {"num_cpus": 1})
    assert worker_resources({"CPU": 2.0}, None, None) == (2, {"num_cpus": 1})


@pytest.mark.parametrize("address, sentence", [
    ("127.0.0.1:1", "No Ray cluster answers at '127.0.0.1:1'"),
    ("nonsense", "--ray takes local, auto or HOST:PORT"),
])
def test_a_wrong_ray_address_gets_a_sentence_at_once(address, sentence, tmp_path, capsys):
    from stylelab.cli import main

    Image.new("RGB", (32, 32), "white").save(tmp_path / "a.png")
    assert main(["restyle", str(tmp_path / "a.png"), "--style", "Ink wash", "--out", str(tmp_path / "out"),
                 "--ray", address]) == 2
    assert sentence in capsys.readouterr().err


def test_manifest_parts_sort_in_the_order_they_were_named():
    from stylelab.cluster.manifest import new_part_name

    names = [new_part_name() for _ in range(50)]
    assert names == sorted(names)
