"""Small helpers shared by the tabs."""
from __future__ import annotations

import contextlib
import functools
import inspect
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from stylelab.web.auth import current_client
from stylelab.web.workspace import current_key, current_workspace, workspace_of
from stylelab.errors import StyleLabError, UserFacingError
from stylelab.text import no_tags
from stylelab.vocabulary import RESULT_COLUMNS

METRIC_HEADERS = RESULT_COLUMNS
# one set of starting values for every tab that restyles (Restyle, Compare)
DEFAULT_STRENGTH = 0.8
DEFAULT_KEEP_COLOURS = True


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
        try:
            with serving(request):
                return function(*inputs)
        except gr.Error as error:
            _remember_failure(request, error)
            raise

    # after parameters with defaults (e.g. progress=gr.Progress()) the request needs one too; Gradio fills it in
    needs_default = any(p.default is not inspect.Parameter.empty for p in signature.parameters.values())
    request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request,
                                default=None if needs_default else inspect.Parameter.empty)
    wrapper.__signature__ = signature.replace(parameters=[*signature.parameters.values(), request])
    wrapper.__annotations__ = {**getattr(function, "__annotations__", {}), "request": gr.Request}
    del wrapper.__wrapped__  # Gradio reads the signature above, not the wrapped function's
    return wrapper


# the last error sentence of each browser session, for its status line (see explain_failures)
_failures: OrderedDict[str, str] = OrderedDict()
_failures_lock = threading.Lock()
MAX_REMEMBERED_FAILURES = 1000


def _remember_failure(request: gr.Request | None, error: gr.Error) -> None:
    session = getattr(request, "session_hash", None)
    if not session:  # an API call: the error itself is the answer
        return
    with _failures_lock:
        _failures[session] = no_tags(str(error.message))
        _failures.move_to_end(session)
        while len(_failures) > MAX_REMEMBERED_FAILURES:
            _failures.popitem(last=False)


def _failure_sentence(request: gr.Request) -> str:
    with _failures_lock:
        return _failures.pop(getattr(request, "session_hash", None) or "", "")


def explain_failures(event: Any, status: gr.Markdown) -> None:
    """When ``event`` (a user_event) fails, write its sentence into ``status``, under the button where the
    user looks: the toast fades, and Gradio marks the outputs with a bare "Error"."""
    event.failure(_failure_sentence, None, status, api_visibility="private", queue=False)


def user_event(function: Callable) -> Callable:
    """An event: errors shown to the user, run in the requester's workspace, wrong passwords counted
    per client."""
    return for_client(shown_to_user(function))


admin_event = user_event


def progress_reporter(progress: gr.Progress) -> Callable[[float, str], None]:
    return lambda fraction, message: progress(fraction, desc=message)


def strength_slider(elem_id: str) -> gr.Slider:
    return gr.Slider(0, 1, value=DEFAULT_STRENGTH, step=0.05, label="Strength", elem_id=elem_id,
                     info="0 keeps the photo, 1 is the full style")


def stroke_slider(elem_id: str) -> gr.Slider:
    return gr.Slider(0.25, 4, value=1, step=0.25, label="Stroke scale", elem_id=elem_id,
                     info="Brush size: 2 paints strokes twice as big")


def keep_colours_checkbox(elem_id: str) -> gr.Checkbox:
    return gr.Checkbox(value=DEFAULT_KEEP_COLOURS, label="Keep original colours", elem_id=elem_id,
                       info="Products keep the colour and lightness buyers see; the style adds brushwork and "
                            "local shading")
