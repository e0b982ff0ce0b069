"""Parity of our modules with onnxruntime running the original ONNX files.

Figures are mean absolute differences on the 0..1 output scale. For the two
Magenta files a second figure compares against the same graph with activation
quantization removed (see ``without_activation_quantization``): that one isolates
the weight conversion from the int8 rounding the original applies to activations.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import nn

from stylelab.weights.onnx_source import onnx_session, source_path, without_activation_quantization

MULTISTYLE_CASES = {"style 0": {0: 1.0}, "style 7": {7: 1.0}, "style 19": {19: 1.0}, "styles 3+12 blend": {3: 0.5, 12: 0.5}}
STYLE_IMAGE_CASES = ("chelsea", "rocket", "brick")
ARBITRARY_CONTENT_SIZE = 384  # the ONNX transformer fixes its input at 384x384


@dataclass(frozen=True)
class ParityFigure:
    network: str
    case: str
    mean_abs_diff: float
    mean_abs_diff_float_reference: float | None = None


def _sample(name: str, size: tuple[int, int]) -> np.ndarray:
    """A scikit-image sample picture as float32 HxWx3 in 0..1."""
    import skimage.data

    picture = Image.fromarray(getattr(skimage.data, name)()).convert("RGB").resize(size, Image.Resampling.LANCZOS)
    return np.asarray(picture, dtype=np.float32) / 255.0


def multistyle_parity(network: nn.Module) -> list[ParityFigure]:
    session = onnx_session(source_path("multistyle26"))
    image = _sample("astronaut", (320, 240)).transpose(2, 0, 1)[None].copy()  # non-square on purpose
    figures = []
    for case, mix in MULTISTYLE_CASES.items():
        weights = np.zeros(26, np.float32)
        for index, weight in mix.items():
            weights[index] = weight
        reference = session.run(None, {"image": image, "style_weights": weights})[0]
        with torch.inference_mode():
            ours = network(torch.from_numpy(image), torch.from_numpy(weights)[None]).numpy()
        figures.append(ParityFigure("multistyle26", case, float(np.abs(reference - ours).mean())))
    return figures


def arbitrary_parity(predictor: nn.Module, transformer: nn.Module) -> list[ParityFigure]:
    """Predictor + transformer end to end, for three style images."""
    predict_path, transform_path = source_path("arbitrary_predictor"), source_path("arbitrary_transformer")
    original = (onnx_session(predict_path), onnx_session(transform_path))
    float_reference = (
        onnx_session(without_activation_quantization(predict_path)),
        onnx_session(without_activation_quantization(transform_path)),
    )
    content = _sample("coffee", (ARBITRARY_CONTENT_SIZE, ARBITRARY_CONTENT_SIZE))[None]
    figures = []
    for style_name in STYLE_IMAGE_CASES:
        style = _sample(style_name, (256, 256))[None]
        with torch.inference_mode():
            embedding = predictor(torch.from_numpy(style).permute(0, 3, 1, 2))
            ours = transformer(torch.from_numpy(content).permute(0, 3, 1, 2), embedding).permute(0, 2, 3, 1).numpy()
        differences = []
        for predict, transform in (original, float_reference):
            reference_embedding = predict.run(None, {"style_image": style})[0]
            reference = transform.run(
                None, {"content_image": content, "mobilenet_conv/Conv/BiasAdd": reference_embedding}
            )[0]
            differences.append(float(np.abs(reference - ours).mean()))
        figures.append(ParityFigure("arbitrary (predictor + transformer)", f"style image '{style_name}'", *differences))
    return figures


def measure_all(networks: dict[str, nn.Module]) -> list[ParityFigure]:
    return multistyle_parity(networks["multistyle26"]) + arbitrary_parity(
        networks["arbitrary_predictor"], networks["arbitrary_transformer"]
    )
