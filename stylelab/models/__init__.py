"""The three pretrained networks StyleLab runs, as plain PyTorch modules."""
from stylelab.models.arbitrary import EMBEDDING_SIZE, ArbitraryStyleTransformer
from stylelab.models.multistyle import NUM_STYLES, MultiStyleNet
from stylelab.models.norm_stats import NormStats
from stylelab.models.predictor import STYLE_IMAGE_SIZE, StylePredictor

__all__ = [
    "EMBEDDING_SIZE",
    "NUM_STYLES",
    "STYLE_IMAGE_SIZE",
    "ArbitraryStyleTransformer",
    "MultiStyleNet",
    "NormStats",
    "StylePredictor",
]
