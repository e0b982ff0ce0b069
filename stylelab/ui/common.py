"""Small helpers shared by the tabs."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import gradio as gr

from stylelab.errors import UserFacingError

METRIC_HEADERS = ["Photo", "Size", "SSIM", "PSNR (dB)", "Product SSIM", "Product PSNR (dB)", "Product ΔE2000",
                  "Time (s)", "Device"]


def shown_to_user(function: Callable) -> Callable:
    """Show a UserFacingError as a red notice in the page (and as the API's error message)."""

    @functools.wraps(function)  # keeps the signature: Gradio names API parameters after it
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except UserFacingError as error:
            raise gr.Error(str(error), print_exception=False) from None

    return wrapper


def progress_reporter(progress: gr.Progress) -> Callable[[float, str], None]:
    return lambda fraction, message: progress(fraction, desc=message)


def strength_slider(elem_id: str, value: float = 0.8) -> gr.Slider:
    return gr.Slider(0, 1, value=value, step=0.05, label="Strength", elem_id=elem_id,
                     info="0 keeps the photo, 1 is the full style")


def stroke_slider(elem_id: str) -> gr.Slider:
    return gr.Slider(0.25, 4, value=1, step=0.25, label="Stroke scale", elem_id=elem_id,
                     info="Brush size: 2 paints strokes twice as big")


def keep_colours_checkbox(elem_id: str, value: bool = True) -> gr.Checkbox:
    return gr.Checkbox(value=value, label="Keep original colours", elem_id=elem_id,
                       info="Products keep their true colours; the style changes brushwork and shading")
