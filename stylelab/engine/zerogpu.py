"""Hugging Face ZeroGPU: a Space borrows a GPU only while a function marked ``@spaces.GPU`` runs.

``gpu_task`` applies that mark when the ``spaces`` package is installed (it is on Spaces)
and leaves the function as it is everywhere else, without importing anything extra.
"""
from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import TypeVar

Function = TypeVar("Function", bound=Callable)
GPU_SECONDS = 120  # the longest a single call may hold the borrowed GPU (a folder of large photos)


def gpu_task(function: Function) -> Function:
    if importlib.util.find_spec("spaces") is None:
        return function
    import spaces

    return spaces.GPU(duration=GPU_SECONDS)(function)
