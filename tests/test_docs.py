"""The README is a front door and docs/ holds the pages: every relative link and image resolves,
every page is reachable from the README, the two commands are the ones CI runs, and the words
the docs share with the CLI come from the code."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from stylelab.cli import build_parser
from stylelab.product.scene.choices import PRESETS, SHOT_SCENES
from stylelab.vocabulary import PRECISIONS

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
RESULTS = sorted((ROOT / "benchmarks" / "results").glob("*.md"))
APP_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/python app.py"

FENCE = re.compile(r"^```.*?^```", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_SOURCE = re.compile(r"""<(?:img|a)\b[^>]*?\b(?:src|href)=["']([^"']+)["']""")


def prose(path: Path) -> str:
    """The page without code, where link-like text is not a link."""
    return INLINE_CODE.sub("", FENCE.sub("", path.read_text()))


def links(path: Path) -> list[str]:
    text = prose(path)
    return LINK.findall(text) + HTML_SOURCE.findall(text)


def relative(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I)


def heading_slugs(path: Path) -> set[str]:
    """GitHub's anchors for a Markdown file's headings."""
    slugs = set()
    for line in FENCE.sub("", path.read_text()).splitlines():
        if match := re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line):
            title = re.sub(r"[^\w\- ]", "", match[1].lower().replace("`", ""))
            slugs.add(title.replace(" ", "-"))
    return slugs


def broken_links(path: Path) -> list[str]:
    broken = []
    for target in links(path):
        if not relative(target):
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and resolved.suffix == ".md" and anchor not in heading_slugs(resolved):
            broken.append(f"{target} (no heading '#{anchor}' in {resolved.name})")
    return broken


@pytest.mark.parametrize("path", [README, *DOCS, *RESULTS], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_image_resolves(path):
    assert broken_links(path) == []


def test_the_link_check_catches_a_missing_file_and_a_missing_heading(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "there.md").write_text("# Here it is\n")
    page.write_text("[a](there.md#here-it-is) [b](missing.md) [c](there.md#nowhere) `[d](skipped.md)`\n"
                    '<img src="gone.png"> [e](https://example.org/x)\n')
    assert broken_links(page) == ["missing.md (no such file)", "there.md#nowhere (no heading '#nowhere' in there.md)",
                                  "gone.png (no such file)"]


def test_the_readme_is_a_front_door():
    lines = README.read_text().splitlines()
    assert len(lines) <= 260, f"README.md has {len(lines)} lines; move detail into docs/"
    assert lines[0] == "---" and "app_file: app.py" in lines  # the Space's front matter stays first


def test_every_docs_page_is_reachable_from_the_readme():
    reached, todo = set(), [README]
    while todo:
        page = todo.pop()
        for target in links(page):
            file_part = target.partition("#")[0]
            if relative(target) and file_part.endswith(".md"):
                found = (page.parent / file_part).resolve()
                if found.exists() and found not in reached:
                    reached.add(found)
                    todo.append(found)
    assert [p.name for p in DOCS if p.resolve() not in reached] == []


def test_every_docs_page_starts_by_saying_what_the_reader_can_do():
    for page in DOCS:
        lines = [line for line in page.read_text().splitlines() if line.strip()]
        assert lines[0].startswith("# "), page.name
        assert not lines[1].startswith(("#", "|", "```", "-", "!")), f"{page.name}: no opening paragraph"


def test_the_readme_holds_the_app_command_and_the_test_command_ci_runs():
    readme = README.read_text()
    ci_command = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert "pytest" in ci_command and "requirements-dev.txt" in ci_command
    blocks = re.findall(r"```bash\n(.*?)\n```", readme.split("## Two commands", 1)[1], re.S)
    assert blocks[:2] == [APP_COMMAND, ci_command]


def test_generated_blocks_match_the_code():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "sync_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr + " — run: python tools/sync_docs.py"
    everything = "\n".join(page.read_text() for page in DOCS)
    for name in ("precisions", "scenes", "materials", "gobos", "presets"):
        assert f"<!-- generated:{name} -->" in everything, f"no docs page lists the {name}"


def test_the_docs_list_every_scene_and_format_and_say_what_auto_precision_does():
    docs = "\n".join(page.read_text() for page in DOCS)
    for word in (*SHOT_SCENES, *PRESETS):
        assert f"`{word}`" in docs
    assert PRECISIONS["auto"] in (ROOT / "docs" / "precision.md").read_text()


@pytest.mark.parametrize("command", ["restyle", "shots"])
def test_cli_help_says_what_the_docs_say_about_precision(command, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for name, meaning in PRECISIONS.items():
        assert f"{name}: {' '.join(meaning.split())}" in help_text
    assert "fp32 on CPUs, bf16" not in help_text  # the old, wrong account of auto
