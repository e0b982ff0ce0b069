from __future__ import annotations

import pytest
import torch

from stylelab import StyleLabError
from stylelab.engine.device import choose_device
from stylelab.styles import BUILTIN_STYLES, find_builtin_style


def test_builtin_styles_are_found_by_name_or_slug():
    for style in BUILTIN_STYLES:
        assert find_builtin_style(style.name) == style
        assert find_builtin_style(style.slug.upper()) == style
    assert find_builtin_style("no such style") is None


def test_device_can_be_chosen_and_overridden_by_environment(monkeypatch):
    assert choose_device("cpu") == torch.device("cpu")
    monkeypatch.setenv("STYLELAB_DEVICE", "cpu")
    assert choose_device() == torch.device("cpu")
    monkeypatch.setenv("STYLELAB_DEVICE", "auto")
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert choose_device().type == expected


@pytest.mark.parametrize("name", ["tpu", "gpu0", "cuda:99" if torch.cuda.is_available() else "cuda"])
def test_an_unusable_device_is_a_clear_error(name):
    with pytest.raises(StyleLabError, match="cpu"):
        choose_device(name)
