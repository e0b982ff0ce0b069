"""Small helpers shared by the tabs."""
from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from stylelab.web.auth import current_client
from stylelab.web.workspace import current_key, current_workspace, workspace_of
from stylelab.errors import StyleLabError, UserFacingError
from stylelab.text import no_tags

METRIC_HEADERS = ["Photo", "Size", "SSIM", "PSNR (dB)", "Product SSIM", "Product PSNR (dB)", "Product ΔE2000",
                  "Time (s)", "Device"]


class ImageUpload(gr.Image):
    """An image upload (type="filepath") whose unreadable files reach StyleLab, which explains them in a
    sentence; plain gr.Image opens every upload itself and fails with an internal message."""

    is_template = True  # the browser shows it as the ordinary Image component

    def preprocess(self, payload: Any) -> Any:
        try:
            return super().preprocess(payload)
        except Exception:
            path = getattr(payload, "path", None)
            if self.type == "filepath" and path:
                return str(path)  # StyleLab's loader says what is wrong with it
            raise


def shown_to_user(function: Callable) -> Callable:
    """Show a UserFacingError as a red notice in the page (and as the API's error message)."""

    @functools.wraps(function)  # keeps the signature: Gradio names API parameters after it
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except UserFacingError as error:
            raise gr.Error(no_tags(error), print_exception=False) from None

    return wrapper


@contextlib.contextmanager
def serving(request: gr.Request, browser_key: str | None = None) -> Iterator[None]:
    """Make the request's client address and workspace known while it is served."""
    try:
        workspace, key = workspace_of(request, browser_key)
    except StyleLabError as error:
        raise gr.Error(str(error), print_exception=False) from None
    tokens = (current_client.set(getattr(getattr(request, "client", None), "host", None)),
              current_workspace.set(workspace), current_key.set(key))
    try:
        yield
    finally:
        for variable, token in zip((current_client, current_workspace, current_key), tokens):
            variable.reset(token)


def for_client(function: Callable) -> Callable:
    """Gradio hands the request in as an extra last argument; while ``function`` runs, its client
    address is known to the admin checks (wrong passwords are rate-limited per client) and its
    workspace to the template actions (see stylelab.web.workspace)."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args: Any) -> Any:
        *inputs, request = args
        with serving(request):
            return function(*inputs)

    # after parameters with defaults (e.g. progress=gr.Progress()) the request needs one too; Gradio fills it in
    needs_default = any(p.default is not inspect.Parameter.empty for p in signature.parameters.values())
    request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request,
                                default=None if needs_default else inspect.Parameter.empty)
    wrapper.__signature__ = signature.replace(parameters=[*signature.parameters.values(), request])
    wrapper.__annotations__ = {**getattr(function, "__annotations__", {}), "request": gr.Request}
    del wrapper.__wrapped__  # Gradio reads the signature above, not the wrapped function's
    return wrapper


def user_event(function: Callable) -> Callable:
    """An event: errors shown to the user, run in the requester's workspace, wrong passwords counted
    per client."""
    return for_client(shown_to_user(function))


admin_event = user_event


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
