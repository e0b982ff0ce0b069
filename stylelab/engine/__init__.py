"""The inference engine and what only it uses: device choice, tiling, image tensor operations,
pipelined folder restyling, and the throughput and roofline tools that measure it.

``StyleEngine`` and its settings are the faces of this package; the rest are its parts.
"""
from stylelab.engine.style_engine import (MIN_WORKING_SIDE, OUT_OF_MEMORY_NOTICE, EngineLimits, Progress,
                                          RestyleSettings, StyleEngine, StyleMix)

__all__ = ["MIN_WORKING_SIDE", "OUT_OF_MEMORY_NOTICE", "EngineLimits", "Progress", "RestyleSettings", "StyleEngine",
           "StyleMix"]
