"""The command line against a two-node Ray cluster on this machine (ray.cluster_utils.Cluster), joined
by address like a `ray start --head` cluster: one engine per node, the CLI's files, a summary."""
from __future__ import annotations

import pytest
import ray  # requirements-ray.txt is part of the test requirements
from ray.cluster_utils import Cluster

from stylelab.cli import main
from stylelab.cluster.manifest import read_manifest
from stylelab.cluster.storage import Destination
from tests.cluster.conftest import BROKEN, GOOD, STYLE_ARGS, assert_same_results


@pytest.fixture(scope="module")
def two_nodes():
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    cluster.add_node(num_cpus=1)
    yield cluster
    ray.shutdown()
    cluster.shutdown()


def test_the_cli_on_two_nodes_makes_the_local_clis_files(two_nodes, catalog, cli_results, tmp_path, capsys):
    code = main(["restyle", str(catalog), *STYLE_ARGS, "--out", str(tmp_path), "--ray", two_nodes.address,
                 "--workers", "2"])

    assert code == 1  # the damaged photo is reported; the others are done
    err = capsys.readouterr().err
    assert "3 done, 0 skipped (done before), 1 failed" in err and "photos/s" in err
    assert "error: " in err and "broken.jpg" in err
    assert_same_results(tmp_path, cli_results)
    manifest = read_manifest(Destination(str(tmp_path))).to_pylist()
    assert sorted(row["output"] for row in manifest) == sorted(GOOD + [BROKEN])
    nodes = {row["device"].rsplit("Ray node ", 1)[1] for row in manifest if row["error"] is None}
    assert len(nodes) == 2, "each node ran an engine"
