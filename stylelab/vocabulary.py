"""Words a user reads in more than one place — the command line's help, the web app's labels
and the docs — written once here, so the three cannot disagree.

``tools/sync_docs.py`` copies them into the docs' generated blocks, and a test fails when a
page falls behind. Scene, material, light-pattern and format words live beside their names in
``stylelab.product.scene.choices``.
"""
from __future__ import annotations

PRECISION_VARIABLE = "STYLELAB_PRECISION"

# The results tables' columns: restyled photos (web app and API), and cut-outs, which have no figures
# against the photo (the product is the photo's own pixels)
RESULT_COLUMNS = ["Photo", "Size", "SSIM", "PSNR (dB)", "Product SSIM", "Product PSNR (dB)",
                  "Product colour ΔE2000", "Time (s)", "Device"]
CUTOUT_COLUMNS = ["Photo", "Size", "Cut-out", "Confidence", "Time (s)", "Device"]

# What each --precision value does; the keys are every value the engine accepts.
PRECISIONS: dict[str, str] = {
    "auto": "on the CPU, the fastest of bf16 and int8 that this CPU runs at least 1.5x faster than fp32 on both "
            "networks (measured once per machine) while keeping 35 dB from fp32, else fp32; bf16 (else fp16) on "
            "CUDA GPUs; fp32 on Apple GPUs",
    "fp32": "32-bit float everywhere: the reference result (on the CPU a compiled, fused OpenVINO graph)",
    "bf16": "bfloat16: on CPUs with AVX512_BF16 or AMX through OpenVINO (about 2x faster than fp32 there), "
            "autocast on CUDA GPUs with bf16 support",
    "int8": "8-bit convolutions on x86-64 CPUs with AVX2 or newer; the most rounding-sensitive layers stay "
            "float (at least 35 dB PSNR from fp32)",
    "fp16": "16-bit float autocast on CUDA GPUs",
}


def precision_help() -> str:
    """The --precision help text, built from PRECISIONS."""
    choices = "; ".join(f"{name}: {meaning}" for name, meaning in PRECISIONS.items())
    return f"number format — {choices} (default: ${PRECISION_VARIABLE} or auto)"


def choice_help(descriptions: dict[str, str], default: str) -> str:
    """One help line for a flag whose values each have a description (argparse-safe: % doubled)."""
    choices = "; ".join(f"{name}: {meaning}" for name, meaning in descriptions.items())
    return f"{choices} (default: {default})".replace("%", "%%")
