"""Catalog-scale restyling on a Ray cluster: the same photos in, the same files out as the local CLI.

``runner`` starts or joins Ray and drives a Ray Data pipeline; ``worker`` is the callable class that
holds one StyleEngine per Ray worker; ``manifest`` is the per-photo record that makes runs resumable;
``storage`` writes results to a local or shared folder, or to s3:// and gs:// through pyarrow.
Ray and pyarrow are optional (requirements-ray.txt): only this file is safe to import without them,
and nothing here is imported with ``stylelab``.
"""
from __future__ import annotations

import importlib.util

RAY_MISSING = "--ray needs Ray, which is not installed: run `pip install -r requirements-ray.txt`."


def ray_is_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("ray", "pyarrow"))
