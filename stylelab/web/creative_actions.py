"""Web actions for the Ad creatives tab: the brand kit, the variant grid, ratings and winners, with the
plain arguments and display-ready results Gradio deals in."""
from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from stylelab.creatives.brand import BrandKit, make_kit
from stylelab.creatives.compose import AdCopy
from stylelab.creatives.variants import (VariantRequest, export_creatives, load_source, make_variants,
                                         product_box_of)
from stylelab.errors import StyleLabError
from stylelab.imageio import load_image
from stylelab.studio import Studio
from stylelab.text import literal
from stylelab.web.actions import upload_path, user_errors
from stylelab.web.workspace import current_workspace

RATINGS = {"good": "good", "not good": "not good", "winner": "winner"}
SOURCE_NAMES = {"yours": "your brand kit", "house": "the house brand kit", "default": "StyleLab's default kit"}


class CreativeActions:
    def __init__(self, studio: Studio):
        self.studio = studio

    # -- the brand kit ------------------------------------------------------------------------

    @user_errors
    def brand_kit_fields(self) -> tuple[str, str, str, str, Image.Image | None, str]:
        """Colours, heading font, body font, call to action, logo and a line on whose kit it is."""
        kit = self.studio.brand_kit(current_workspace.get())
        return (", ".join(kit.colours), kit.heading_font, kit.body_font, kit.cta, kit.logo,
                f"Using {SOURCE_NAMES[kit.source]}.")

    def _kit(self, colours: str, heading_font: str, body_font: str, cta: str, logo: str | None,
             keep_logo: bool = True) -> BrandKit:
        current = self.studio.brand_kit(current_workspace.get())
        image = load_image(upload_path(logo), what="logo") if logo else (current.logo if keep_logo else None)
        return make_kit(colours, heading_font, body_font, cta, image)

    @user_errors
    def save_brand_kit(self, colours: str, heading_font: str, body_font: str, cta: str, logo: str | None,
                       remove_logo: bool = False) -> str:
        kit = self._kit(colours, heading_font, body_font, cta, logo, keep_logo=not remove_logo)
        self.studio.save_brand_kit(kit, current_workspace.get())
        logo_note = "with its logo" if kit.logo is not None else "without a logo"
        return (f"Saved your brand kit ({len(kit.colours)} colour(s), {literal(kit.heading_font)} / "
                f"{literal(kit.body_font)}, {logo_note}).")

    # -- the grid -----------------------------------------------------------------------------

    @user_errors
    def make_creatives(self, photo: str | None, scenes: Sequence[str] | None, seed: float | None,
                       shot_files: Sequence[Any] | None, headlines: str, subline: str, badge: str, cta: str,
                       layouts: Sequence[str] | None, format_name: str, file_format: str, colours: str,
                       heading_font: str, body_font: str, logo: str | None,
                       progress: Callable[[float, str], None] | None = None) -> tuple[list, list, list[str], str, dict]:
        """Every headline (one per line) on every shot in every layout. The kit fields as shown (saved or
        not) are the kit used. Returns the gallery, the table, the downloads, a status line and the state
        the ratings work on."""
        kit = self._kit(colours, heading_font, body_font, cta or "", logo)
        request = VariantRequest(tuple((headlines or "").splitlines()), tuple(layouts or ()), format_name,
                                 AdCopy(subline=subline or "", badge=badge or "", cta=cta or ""))
        sources, count = self._sources(photo, scenes, seed, shot_files, format_name)
        request = request.checked(count)
        if progress:
            progress(0.05, "Making the shots" if photo and not shot_files else "Reading the shots")
        grid = make_variants(request, sources, kit, progress)
        folder = self.studio.new_output_folder()
        images, archive = export_creatives(grid.creatives, folder, file_format or "PNG")
        gallery = [(str(path), f"#{i + 1} · {c.record['layout']} · {c.source.name}")
                   for i, (path, c) in enumerate(zip(images, grid.creatives))]
        records = [c.record | {"file": path.name} for path, c in zip(images, grid.creatives)]
        state = {"folder": str(folder), "records": records, "ratings": {}}
        skipped = f" Not made: {literal(' '.join(grid.problems))}" if grid.problems else ""
        status = (f"Made {len(grid.creatives)} creative(s) in {literal(request.format)}: "
                  f"{len(request.headlines)} headline(s) × {len(request.layouts)} layout(s) × the shots, with "
                  f"{SOURCE_NAMES.get(kit.source, 'your kit')}. Rate them below; the ZIP holds each PNG/JPEG with its "
                  f"JSON.{skipped}")
        return gallery, _rows(state), [str(archive), *map(str, images)], status, state

    def _sources(self, photo: str | None, scenes: Sequence[str] | None, seed: float | None,
                 shot_files: Sequence[Any] | None, format_name: str):
        if shot_files:
            paths = [Path(upload_path(f)) for f in shot_files]
            sidecars = {p.stem: p for p in paths if p.suffix.lower() == ".json"}
            pictures = [p for p in paths if p.suffix.lower() != ".json"]
            if not pictures:
                raise StyleLabError("Upload the shots themselves (PNG or JPEG) with their JSON sidecars.")
            loaded = [load_source(p, sidecars.get(p.stem), product_box_of) for p in pictures]
            return (lambda _layout: loaded), len(loaded)
        if not photo:
            raise StyleLabError("Upload a product photo (its shots are made here) or finished shots with their JSON.")
        loaded_photo = self.studio.load_photo(upload_path(photo))
        whole = int(seed) if isinstance(seed, (int, float)) and float(seed).is_integer() else -1
        return self.studio.ad_shots(loaded_photo, list(scenes or []), whole, format_name), len(scenes or [])

    # -- ratings and winners --------------------------------------------------------------------

    @user_errors
    def rate(self, state: dict | None, number: float | None, rating: str) -> tuple[str, list, dict, list[str]]:
        """Record a rating of creative ``number`` (1-based); winners also go into the winners' ZIP."""
        if not state or not state.get("records"):
            raise StyleLabError("Make the creatives first, then rate them.")
        records = state["records"]
        if not isinstance(number, (int, float)) or not 1 <= number <= len(records) or not float(number).is_integer():
            raise StyleLabError(f"Pick a creative from 1 to {len(records)} (click it in the grid).")
        if rating not in RATINGS:
            raise StyleLabError("Rate a creative good, not good or a winner.")
        index = int(number) - 1
        self.studio.rate_creative(records[index], rating, current_workspace.get())
        state = state | {"ratings": {**state.get("ratings", {}), str(index): rating}}
        downloads = self._winners(state)
        return (f"Recorded: #{index + 1} ({literal(records[index]['layout'])}, "
                f"{literal(records[index]['copy']['headline'] or 'no headline')}) is {rating}.", _rows(state), state,
                downloads)

    def _winners(self, state: dict) -> list[str]:
        """The ZIP of every creative marked a winner, with what it re-renders from."""
        folder = Path(state["folder"])
        winners = [state["records"][int(i)] for i, rating in state["ratings"].items() if rating == "winner"]
        if not winners:
            return []
        archive = folder / "stylelab-winners.zip"
        partial = archive.with_suffix(".partial")
        names: dict[str, None] = {}
        for record in winners:
            names.update(dict.fromkeys([record["file"], Path(record["file"]).with_suffix(".json").name,
                                        record["source"]["file"], *([record["brand"]["logo"]] * bool(record["brand"]["logo"]))]))
        with zipfile.ZipFile(partial, "w") as bundle:
            for name in names:
                bundle.write(folder / name, arcname=name)
        partial.replace(archive)
        return [str(archive)]


def _rows(state: dict) -> list[list[Any]]:
    """#, creative, layout, headline, lowest text contrast / what AA needed there, rating."""
    rows = []
    for i, record in enumerate(state["records"]):
        texts = record["plan"]["texts"]
        weakest = min(texts, key=lambda t: t["contrast"] / t["needed"]) if texts else None
        contrast = f"{weakest['contrast']:.1f} / {weakest['needed']:.1f}" if weakest else "—"
        rows.append([i + 1, record["name"], record["layout"], record["copy"]["headline"], contrast,
                     state.get("ratings", {}).get(str(i), "")])
    return rows
