"""App settings from environment variables, each with a documented default."""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {value!r}") from None


def _duration(name: str, default: float, unit: str) -> float:
    value = os.environ.get(name, "").strip()
    try:
        amount = float(value) if value else default
    except ValueError:
        raise SystemExit(f"{name} must be a number of {unit}, got {value!r}") from None
    if not amount > 0:
        raise SystemExit(f"{name} must be more than 0 {unit}, got {value!r}")
    return amount


def trusted_proxies(value: str) -> tuple[str, ...]:
    """STYLELAB_TRUSTED_PROXIES: addresses or networks (CIDR), comma-separated, whose X-Forwarded-For is
    believed. Anything else is refused at start-up: a typo would silently trust nobody (or everybody)."""
    entries = tuple(item.strip() for item in value.split(",") if item.strip())
    for entry in entries:
        if entry == "*":
            raise SystemExit("STYLELAB_TRUSTED_PROXIES=* would believe any client's X-Forwarded-For, so anyone "
                             "could pick their own address; name the proxies' addresses or networks instead.")
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SystemExit(f"STYLELAB_TRUSTED_PROXIES: {entry!r} is not an IP address or network "
                             "(e.g. 10.0.0.0/8)") from None
    return entries


@dataclass(frozen=True)
class AppSettings:
    data_dir: Path  # STYLELAB_DATA_DIR: saved templates and caches (default ./stylelab-data)
    device: str  # STYLELAB_DEVICE: auto, cpu, cuda, cuda:N, mps (default auto)
    max_side: int  # STYLELAB_MAX_SIDE: longer photos are scaled down to this (default 4096)
    max_files: int  # STYLELAB_MAX_FILES: photos per run (default 24)
    preview_side: int  # STYLELAB_PREVIEW_SIDE: quick-preview size (default 512)
    concurrency: int  # STYLELAB_CONCURRENCY: jobs run at once (default 1)
    queue_size: int  # STYLELAB_QUEUE_SIZE: jobs waiting before new ones are refused (default 32)
    max_upload_mb: int  # STYLELAB_MAX_UPLOAD_MB: largest upload (default 40)
    admin_password: str | None  # STYLELAB_ADMIN_PASSWORD: enables the admin tab (default: unset = off)
    users_file: Path | None = None  # STYLELAB_USERS_FILE: accounts; when set, everyone signs in (default: unset)
    precision: str = "auto"  # STYLELAB_PRECISION: auto, fp32, int8, fp16, bf16 (default auto)
    hf_oauth: bool = False  # OAUTH_CLIENT_ID and SPACE_ID, set by a Space with `hf_oauth: true`: Sign in with HF
    trusted_proxies: tuple[str, ...] = ()  # STYLELAB_TRUSTED_PROXIES: whose X-Forwarded-For counts (default: none)
    session_minutes: float = 60.0  # STYLELAB_SESSION_MINUTES: an idle session's photos and results are dropped
    results_hours: float = 6.0  # STYLELAB_RESULTS_HOURS: result files on disk are deleted after this

    @classmethod
    def from_environment(cls) -> AppSettings:
        return cls(
            data_dir=Path(os.environ.get("STYLELAB_DATA_DIR") or "stylelab-data"),
            device=os.environ.get("STYLELAB_DEVICE") or "auto",
            precision=os.environ.get("STYLELAB_PRECISION") or "auto",
            max_side=_int("STYLELAB_MAX_SIDE", 4096),
            max_files=_int("STYLELAB_MAX_FILES", 24),
            preview_side=_int("STYLELAB_PREVIEW_SIDE", 512),
            concurrency=_int("STYLELAB_CONCURRENCY", 1),
            queue_size=_int("STYLELAB_QUEUE_SIZE", 32),
            max_upload_mb=_int("STYLELAB_MAX_UPLOAD_MB", 40),
            admin_password=os.environ.get("STYLELAB_ADMIN_PASSWORD") or None,
            users_file=Path(os.environ["STYLELAB_USERS_FILE"]) if os.environ.get("STYLELAB_USERS_FILE") else None,
            # only on a Space: elsewhere Gradio's sign-in would be a mock that needs a local HF token
            hf_oauth=bool(os.environ.get("OAUTH_CLIENT_ID") and os.environ.get("SPACE_ID")),
            trusted_proxies=trusted_proxies(os.environ.get("STYLELAB_TRUSTED_PROXIES", "")),
            session_minutes=_duration("STYLELAB_SESSION_MINUTES", 60.0, "minutes"),
            results_hours=_duration("STYLELAB_RESULTS_HOURS", 6.0, "hours"),
        )
