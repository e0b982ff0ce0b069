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
def serving(request: gr.Request, given_key: str | None = None, workspace: bool = True) -> Iterator[None]:
    """Make the request's client address and (with ``workspace``) its workspace known while it is served."""
    try:
        workspace_and_key = workspace_of(request, given_key) if workspace else (None, "")
    except StyleLabError as error:
        raise gr.Error(str(error), print_exception=False) from None
    tokens = (current_client.set(client_address(request)), current_workspace.set(workspace_and_key[0]),
              current_key.set(workspace_and_key[1]))
    try:
        yield
    finally:
        for variable, token in zip((current_client, current_workspace, current_key), tokens):
            variable.reset(token)


def client_address(request: gr.Request | None) -> str | None:
    """The client's address as the server sees it: the peer, or what a trusted proxy says
    (STYLELAB_TRUSTED_PROXIES; uvicorn resolves X-Forwarded-For from those proxies only)."""
    return getattr(getattr(request, "client", None), "host", None)


def for_client(function: Callable, workspace: bool = False) -> Callable:
    """Gradio hands the request in as an extra last argument; while ``function`` runs, its client
    address is known to the admin checks (wrong passwords are throttled per client) and, with
    ``workspace``, its workspace to the template actions (see stylelab.web.workspace).

    With ``workspace`` the event also takes the workspace key as its last input: ``carry_workspace_key``
    hands every such event the browser's kept key, and an API client may pass ``workspace_key``."""
    signature = inspect.signature(function)
    taken = len(signature.parameters)

    @functools.wraps(function)
    def wrapper(*args: Any) -> Any:
        *inputs, request = args
        key = inputs.pop() if workspace and len(inputs) > taken else None
        try:
            with serving(request, key if isinstance(key, str) else None, workspace):
                return function(*inputs)
        except gr.Error as error:
            _remember_failure(request, error)
            raise

    extra = [inspect.Parameter("workspace_key", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str | None,
                               default=None)] if workspace else []
    # after parameters with defaults (e.g. progress=gr.Progress()) the request needs one too; Gradio fills it in
    needs_default = bool(extra) or any(p.default is not inspect.Parameter.empty for p in signature.parameters.values())
    request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request,
                                default=None if needs_default else inspect.Parameter.empty)
    wrapper.__signature__ = signature.replace(parameters=[*signature.parameters.values(), *extra, request])
    wrapper.__annotations__ = {**getattr(function, "__annotations__", {}), "request": gr.Request,
                               **({"workspace_key": str | None} if workspace else {})}
    wrapper.carries_workspace_key = workspace  # type: ignore[attr-defined]
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
    return for_client(shown_to_user(function), workspace=True)


def admin_event(function: Callable) -> Callable:
    """An admin event: like a user event, without a workspace (the admin works on the house's)."""
    return for_client(shown_to_user(function))


def carry_workspace_key(app: gr.Blocks, key: gr.components.Component) -> None:
    """Make every workspace event of ``app`` take ``key`` (the browser's kept workspace key) as its last
    input, so the key travels with the event itself and never through the session id."""
    for dependency in app.fns.values():
        if not getattr(dependency.fn, "carries_workspace_key", False) or key in dependency.inputs:
            continue
        if "workspace_key" in dependency.input_parameter_names:  # gr.api: the key is already an argument
            continue
        if dependency.input_keyword_names:  # the key must follow the positional inputs
            raise TypeError(f"the workspace event {dependency.name} must take its inputs positionally")
        dependency.inputs.append(key)
        if dependency.input_parameter_names:  # what the API calls each input
            dependency.input_parameter_names.append("workspace_key")


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
