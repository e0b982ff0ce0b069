"""User text (template names, file names, notes) made safe to show in Markdown and HTML.

Gradio renders Markdown components and error/warning pop-ups as HTML, so anything a user typed
or uploaded is escaped where it is put into such a sentence: it shows as typed, and a name like
``<img src=x onerror=...>`` never becomes an element.
"""
from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_\[\]{}()#+!|~])")


def no_tags(text: object) -> str:
    """Text for an HTML-rendered sentence (error and warning pop-ups): no element can be made from it."""
    return str(text).replace("<", "&lt;").replace(">", "&gt;")


def literal(text: object) -> str:
    """User text inside a Markdown sentence: shown exactly as typed, never as markup or HTML."""
    return no_tags(_MARKDOWN.sub(r"\\\1", str(text)))
