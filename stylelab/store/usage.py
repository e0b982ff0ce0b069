"""Uses and ratings of templates, kept as JSON lines in the data folder, and their summary for the
admin dashboard."""
from __future__ import annotations

import csv
import io
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("stylelab")


class UsageLog:
    """Uses and ratings per template and version, as JSON lines in the data folder."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "feedback" / "events.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def record(self, kind: str, **fields: Any) -> None:
        if kind not in ("use", "rating", "creative rating"):
            raise ValueError(kind)
        line = json.dumps({"time": time.time(), "kind": kind, **fields})
        try:
            with self._lock, open(self.path, "a") as stream:
                stream.write(line + "\n")
        except OSError:  # a full disk loses one usage record, never the merchant's result
            log.exception("could not record a usage event")

    def events(self) -> list[dict]:
        if not self.path.is_file():
            return []
        events = []
        for line in self.path.read_text().splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a crash is skipped, not fatal
        return events

    def summary(self) -> list[list[Any]]:
        """Rows: template, version, uses, mean SSIM, mean PSNR, thumbs up, thumbs down, people.

        Uses and ratings of a house or built-in template add up across every workspace; a workspace's
        own template is its own row ("name (owner)"), apart from same-named ones elsewhere. People counts
        the different workspaces that used or rated it."""
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        for event in self.events():
            if event["kind"] not in ("use", "rating"):
                continue  # ad creatives have their own summary
            template = event.get("template", "?")
            if event.get("own"):
                template = f"{template} ({event.get('by', '?')})"
            key = (template, event.get("version", "v0"))
            group = groups.setdefault(key, {"uses": 0, "ssim": [], "psnr": [], "up": 0, "down": 0, "people": set()})
            group["people"].add(event.get("workspace", "(before workspaces)"))
            if event["kind"] == "use":
                group["uses"] += 1
                group["ssim"].append(event.get("ssim", 0.0))
                if event.get("psnr") not in (None, float("inf")):
                    group["psnr"].append(event["psnr"])
            elif event.get("rating") == "up":
                group["up"] += 1
            elif event.get("rating") == "down":
                group["down"] += 1
        return [[template, version, g["uses"], _mean(g["ssim"]), _mean(g["psnr"]), g["up"], g["down"], len(g["people"])]
                for (template, version), g in sorted(groups.items())]

    def summary_csv(self) -> str:
        return _csv(SUMMARY_HEADERS, self.summary())


    def creative_summary(self) -> list[list[Any]]:
        """Rows: layout, format, headline, shot, template, good, not good, winners, people — the ad creatives'
        ratings, so a designer's A/B picks add up per layout and headline."""
        groups: dict[tuple[str, ...], dict[str, Any]] = {}
        for event in self.events():
            if event.get("kind") != "creative rating":
                continue
            key = (event.get("layout", "?"), event.get("format", "?"), event.get("headline", ""),
                   event.get("shot", "?"), event.get("template") or "—")
            group = groups.setdefault(key, {"good": 0, "not good": 0, "winner": 0, "people": set()})
            if event.get("rating") in ("good", "not good", "winner"):
                group[event["rating"]] += 1
            group["people"].add(event.get("workspace", "(no workspace)"))
        return [[*key, g["good"], g["not good"], g["winner"], len(g["people"])] for key, g in sorted(groups.items())]

    def creative_summary_csv(self) -> str:
        return _csv(CREATIVE_HEADERS, self.creative_summary())


CREATIVE_HEADERS = ["Layout", "Format", "Headline", "Shot", "Template", "Good", "Not good", "Winners", "People"]
SUMMARY_HEADERS = ["Template", "Version", "Uses", "Mean SSIM", "Mean PSNR (dB)", "Thumbs up", "Thumbs down", "People"]


def _csv(headers: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def _mean(values: list[float]) -> float | str:
    return round(sum(values) / len(values), 4) if values else "—"
