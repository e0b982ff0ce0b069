"""Map every tensor of the three ONNX files onto the parameters of our modules.

Each function returns a complete state dict; ``load_state_dict(strict=True)`` on the
target module then proves that nothing was missed or left over.
"""
from __future__ import annotations

import numpy as np
import torch

from stylelab.models import ArbitraryStyleTransformer, MultiStyleNet, StylePredictor
from stylelab.weights.onnx_source import OnnxWeights

StateDict = dict[str, torch.Tensor]


def _tensor(value: np.ndarray) -> torch.Tensor:
    # a copy: the source may share one tensor between layers (e.g. a common zero bias)
    return torch.tensor(np.asarray(value, dtype=np.float32))


def multistyle_state_dict(source: OnnxWeights) -> StateDict:
    """multistyle26.onnx already uses PyTorch-like names: contract.0.w, res.3.1.norm.gamma, ..."""
    layers = {f"contract.{i}": f"contract.{i}" for i in range(3)}
    layers |= {f"res.{i}.{j}": f"residual.{i}.conv{j + 1}" for i in range(6) for j in range(2)}
    layers |= {f"expand.{i}": f"expand.{i}" for i in range(3)}
    state: StateDict = {}
    for onnx_layer, our_layer in layers.items():
        state[f"{our_layer}.conv.conv.weight"] = _tensor(source.conv(f"{onnx_layer}.w").weight)
        state[f"{our_layer}.norm.gamma"] = _tensor(source.tensors[f"{onnx_layer}.norm.gamma"])
        state[f"{our_layer}.norm.beta"] = _tensor(source.tensors[f"{onnx_layer}.norm.beta"])
    return state


def _conv_into(state: StateDict, source: OnnxWeights, weight_name: str, our_conv: str) -> None:
    conv = source.conv(weight_name)
    state[f"{our_conv}.weight"] = _tensor(conv.weight)
    bias = conv.bias if conv.bias is not None else np.zeros(conv.weight.shape[0], np.float32)
    state[f"{our_conv}.bias"] = _tensor(bias)


def _linear_from_1x1_conv(state: StateDict, source: OnnxWeights, weight_name: str, our_linear: str) -> None:
    conv = source.conv(weight_name)
    state[f"{our_linear}.weight"] = _tensor(conv.weight.reshape(conv.weight.shape[0], -1))
    state[f"{our_linear}.bias"] = _tensor(conv.bias)


def arbitrary_transformer_state_dict(source: OnnxWeights) -> StateDict:
    state: StateDict = {}
    for i in range(3):
        _conv_into(state, source, f"transformer/contract/conv{i + 1}/weights", f"contract.{i}.conv")
    styled = {f"residual/residual{i + 1}/conv{j}": f"residual.{i}.conv{j}" for i in range(5) for j in (1, 2)}
    styled |= {f"expand/conv{i + 1}/conv": f"expand.{i}" for i in range(3)}
    for onnx_layer, our_layer in styled.items():
        _conv_into(state, source, f"transformer/{onnx_layer}/weights", f"{our_layer}.conv.conv")
        # In the graph, StyleNorm/Conv_1 multiplies the normalized activations (gamma)
        # and StyleNorm/Conv is added after (beta), as in Magenta's style_prediction().
        params = f"style_params/transformer/{onnx_layer}/StyleNorm"
        _linear_from_1x1_conv(state, source, f"{params}/Conv_1/weights", f"{our_layer}.norm.to_gamma")
        _linear_from_1x1_conv(state, source, f"{params}/Conv/weights", f"{our_layer}.norm.to_beta")
    return state


def predictor_state_dict(source: OnnxWeights) -> StateDict:
    state: StateDict = {}
    _conv_into(state, source, "MobilenetV2/Conv/weights", "stem.0")
    for index in range(17):
        onnx_block = "MobilenetV2/expanded_conv" + (f"_{index}" if index else "")
        if index:
            _conv_into(state, source, f"{onnx_block}/expand/weights", f"blocks.{index}.expand.0")
        _conv_into(state, source, f"{onnx_block}/depthwise/depthwise_weights", f"blocks.{index}.depthwise.0")
        _conv_into(state, source, f"{onnx_block}/project/weights", f"blocks.{index}.project")
    _conv_into(state, source, "MobilenetV2/Conv_1/weights", "head.0")
    _linear_from_1x1_conv(state, source, "mobilenet_conv/Conv/weights", "bottleneck")
    return state


CONVERTERS = {
    "multistyle26": (MultiStyleNet, multistyle_state_dict),
    "arbitrary_predictor": (StylePredictor, predictor_state_dict),
    "arbitrary_transformer": (ArbitraryStyleTransformer, arbitrary_transformer_state_dict),
}


def convert(network: str, source: OnnxWeights) -> StateDict:
    """Convert one network and check the result fills our module exactly."""
    module_class, to_state_dict = CONVERTERS[network]
    state = to_state_dict(source)
    module_class().load_state_dict(state, strict=True)
    return state
