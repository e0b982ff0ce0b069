"""Does int8 of the compiled 26-style graph pay? NNCF post-training quantization, measured.

    pip install nncf==3.4.0          # not a StyleLab dependency: only this measurement needs it
    python benchmarks/openvino_int8.py

Quantizes the cached OpenVINO graph of the 26-style network with NNCF (26 calibration pictures
from scikit-image, one per style, 512x512), in three ways, and prints for each the PSNR from the
eager fp32 module on three photos at 768x768 and the median time at 1024x1024 next to bf16.
docs/precision.md has the figures and why int8 is not adopted for the graph.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from skimage import data

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from stylelab.engine.compiled import graph_file  # noqa: E402
from stylelab.weights.store import load_network  # noqa: E402

CALIBRATION_SIDE, TEST_SIDE, TIMED_SIDE = 512, 768, 1024


def picture(array: np.ndarray, side: int) -> np.ndarray:
    tensor = torch.from_numpy(array).permute(2, 0, 1)[None].float() / 255
    return F.interpolate(tensor, size=(side, side), mode="bilinear").numpy()


def one_style(index: int) -> np.ndarray:
    condition = np.zeros((1, 26), np.float32)
    condition[0, index % 26] = 1
    return condition


def main() -> None:
    import nncf
    import openvino as ov

    network = load_network("multistyle26").eval()
    core = ov.Core()
    model = core.read_model(graph_file(network))
    convolutions = [op.get_friendly_name() for op in model.get_ordered_ops() if op.get_type_name() == "Convolution"]
    sources = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket(), data.immunohistochemistry()]
    calibration = [{"image": picture(sources[i % len(sources)], CALIBRATION_SIDE), "condition": one_style(i)}
                   for i in range(26)]
    tests = [(picture(data.astronaut(), TEST_SIDE), one_style(19)), (picture(data.coffee(), TEST_SIDE), one_style(3)),
             (picture(data.chelsea(), TEST_SIDE), one_style(11))]
    with torch.no_grad():
        references = [network(torch.from_numpy(image), torch.from_numpy(condition)).numpy()
                      for image, condition in tests]
    timed = np.random.default_rng(0).random((1, 3, TIMED_SIDE, TIMED_SIDE), dtype=np.float32)

    def report(label: str, graph, hint: str) -> None:
        compiled = core.compile_model(graph, "CPU", {"INFERENCE_PRECISION_HINT": hint, "PERFORMANCE_HINT": "LATENCY"})
        request = compiled.create_infer_request()
        psnrs = [10 * np.log10(1 / np.mean((request.infer({"image": image, "condition": condition})[0] - ref) ** 2))
                 for (image, condition), ref in zip(tests, references)]
        request.infer({"image": timed, "condition": tests[0][1]})
        times = []
        for _ in range(5):
            started = time.perf_counter()
            request.infer({"image": timed, "condition": tests[0][1]})
            times.append(time.perf_counter() - started)
        print(f"| {label} | {' / '.join(f'{p:.1f}' for p in psnrs)} dB | {statistics.median(times) * 1000:.0f} ms |",
              flush=True)

    print(f"| graph | PSNR from fp32 ({TEST_SIDE}x{TEST_SIDE}, 3 photos) | {TIMED_SIDE}x{TIMED_SIDE} |\n|---|---|---|")
    report("bf16 (what auto picks here)", model, "bf16")
    ends = nncf.IgnoredScope(names=[convolutions[0], convolutions[-1]])
    for label, options in (
        ("int8, NNCF mixed preset", {"preset": nncf.QuantizationPreset.MIXED}),
        ("int8, first and last convolution in float", {"preset": nncf.QuantizationPreset.MIXED, "ignored_scope": ends}),
        ("int8, performance preset, ends in float",
         {"preset": nncf.QuantizationPreset.PERFORMANCE, "ignored_scope": ends}),
    ):
        quantized = nncf.quantize(model, nncf.Dataset(calibration), subset_size=len(calibration), **options)
        report(label, quantized, "bf16")


if __name__ == "__main__":
    main()
