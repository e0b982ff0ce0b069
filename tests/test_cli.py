"""The command line, run as a user would run it."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from PIL import Image

from stylelab.cli import main
from tests.conftest import make_cutout, sample_picture


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stylelab", *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env={"STYLELAB_DEVICE": "cpu", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path.cwd())})


def test_styles_lists_the_26_builtin_styles():
    completed = run_cli("styles")
    assert completed.returncode == 0
    lines = completed.stdout.strip().splitlines()
    assert len(lines) == 26
    assert "Ink wash" in completed.stdout and "Starry swirls" in completed.stdout


def test_restyle_a_folder_into_a_folder(tmp_path):
    photos = tmp_path / "catalog"
    (photos / "mugs").mkdir(parents=True)
    sample_picture("coffee", (200, 134)).save(photos / "mug-1.jpg")
    sample_picture("chelsea", (120, 160)).save(photos / "mugs" / "mug-2.png")
    make_cutout((160, 120)).save(photos / "mugs" / "cutout.png")
    (photos / "notes.txt").write_text("not a photo")
    out = tmp_path / "out"
    completed = run_cli("restyle", str(photos), "--style", "Ink wash", "--strength", "0.7", "--keep-colors",
                        "--out", str(out))
    assert completed.returncode == 0, completed.stderr
    assert "Restyled 3 of 3" in completed.stderr
    assert Image.open(out / "catalog" / "mug-1.png").size == (200, 134)
    assert Image.open(out / "catalog" / "mugs" / "mug-2.png").size == (120, 160)
    assert Image.open(out / "catalog" / "mugs" / "cutout.png").mode == "RGBA"


def test_restyle_with_a_style_image_and_a_blend_as_jpeg(tmp_path):
    photo, style = tmp_path / "mug.png", tmp_path / "board.jpg"
    sample_picture("coffee", (160, 120)).save(photo)
    sample_picture("rocket", (200, 200)).save(style)
    completed = run_cli("restyle", str(photo), "--style", f"{style}:0.6", "--style", "Starry swirls:0.4",
                        "--format", "jpg", "--quality", "80", "--out", str(tmp_path / "out"))
    assert completed.returncode == 0, completed.stderr
    assert Image.open(tmp_path / "out" / "mug.jpg").size == (160, 120)


def test_bad_style_and_bad_photo_get_one_clear_line_not_a_traceback(tmp_path):
    photo = tmp_path / "mug.png"
    sample_picture("coffee", (64, 64)).save(photo)
    completed = run_cli("restyle", str(photo), "--style", "Watercolur", "--out", str(tmp_path / "out"))
    assert completed.returncode == 2
    assert completed.stderr.startswith("error: Unknown style 'Watercolur'")
    assert "Traceback" not in completed.stderr
    broken = tmp_path / "broken.jpg"
    broken.write_text("nope")
    completed = run_cli("restyle", str(photo), str(broken), "--style", "Ink wash", "--out", str(tmp_path / "out"))
    assert completed.returncode == 1
    assert "broken.jpg" in completed.stderr and "not an image we can read" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert (tmp_path / "out" / "mug.png").is_file(), "the good photo is still restyled"
    completed = run_cli("restyle", str(photo), "--style", "Ink wash", "--strength", "2")
    assert completed.returncode == 2 and "Strength must be" in completed.stderr


def test_mask_and_shots_subcommands(tmp_path):
    from tests.conftest import make_studio_photo

    photo = tmp_path / "studio.png"
    make_studio_photo(2, (300, 225))[0].save(photo)
    completed = run_cli("mask", str(photo), "--out", str(tmp_path / "masks"))
    assert completed.returncode == 0, completed.stderr
    assert "automatic mask, confidence" in completed.stdout
    assert Image.open(tmp_path / "masks" / "studio-mask.png").size == (300, 225)
    completed = run_cli("shots", str(photo), "--scene", "painted backdrop", "--style", "Teal batik", "--preset",
                        "Banner 16:9", "--count", "2", "--seed", "9", "--out", str(tmp_path / "shots"))
    assert completed.returncode == 0, completed.stderr
    assert [Image.open(tmp_path / "shots" / f"studio-seed{s}.png").size for s in (9, 10)] == [(1920, 1080)] * 2
    completed = run_cli("restyle", str(photo), "--style", "Ink wash", "--mode", "background-only",
                        "--out", str(tmp_path / "bg"))
    assert completed.returncode == 0, completed.stderr
    assert Image.open(tmp_path / "bg" / "studio.png").size == (300, 225)


def test_the_number_the_style_listing_shows_picks_that_style(tmp_path):
    listing = run_cli("styles").stdout.splitlines()
    number, name = listing[25].split()[0], listing[25][4:26].strip()
    photo = tmp_path / "mug.png"
    sample_picture("coffee", (96, 64)).save(photo)
    by_number = run_cli("restyle", str(photo), "--style", number, "--out", str(tmp_path / "by-number"))
    by_name = run_cli("restyle", str(photo), "--style", name, "--out", str(tmp_path / "by-name"))
    assert by_number.returncode == 0 and by_name.returncode == 0, by_number.stderr + by_name.stderr
    assert (tmp_path / "by-number" / "mug.png").read_bytes() == (tmp_path / "by-name" / "mug.png").read_bytes()
    too_high = run_cli("restyle", str(photo), "--style", "26", "--out", str(tmp_path / "none"))
    assert too_high.returncode == 2 and "numbers run from 0 to 25" in too_high.stderr


def test_sub_commands_share_their_common_flags():
    from stylelab.cli import build_parser

    parser = build_parser()
    commands = {"restyle": ["restyle", "p.jpg", "--style", "2"], "mask": ["mask", "p.jpg"],
                "shots": ["shots", "p.jpg"], "finetune": ["finetune", "--style", "s.jpg", "--photos", "p.jpg"],
                "gan train": ["gan", "train"], "gan sample": ["gan", "sample", "--generator", "g"]}
    writes_files = {"restyle", "mask", "shots", "gan sample"}
    for command, words in commands.items():
        args = parser.parse_args([*words, "--quiet", "--device", "cpu"])
        assert args.quiet and args.device == "cpu", command
        if command in writes_files:
            # restyle keeps --out as text: with --ray it may be s3:// or gs://
            assert Path(parser.parse_args([*words, "--out", "elsewhere"]).out) == Path("elsewhere"), command


def test_mask_is_quiet_when_asked_and_still_writes_its_files(tmp_path):
    photo = tmp_path / "bottle.png"
    make_cutout((120, 90)).save(photo)
    completed = run_cli("mask", str(photo), "--quiet", "--device", "cpu", "--out", str(tmp_path / "masks"))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "" and completed.stderr == ""
    assert (tmp_path / "masks" / "bottle-mask.png").is_file()


def test_the_installed_command_works_from_any_folder(tmp_path):
    """`pip install -e .` (the test requirements do it) gives a `stylelab` command usable outside the checkout."""
    command = Path(sys.executable).parent / "stylelab"
    assert command.is_file(), "StyleLab is installed with its console script"
    photo = tmp_path / "mug.png"
    sample_picture("coffee", (64, 48)).save(photo)
    completed = subprocess.run([str(command), "restyle", "mug.png", "--style", "Ink wash", "--out", "out", "--quiet"],
                               capture_output=True, text=True, timeout=300, cwd=tmp_path,
                               env={"STYLELAB_DEVICE": "cpu", "PATH": "/usr/bin:/bin"})
    assert completed.returncode == 0, completed.stderr
    assert Image.open(tmp_path / "out" / "mug.png").size == (64, 48)


def test_cutout_writes_transparent_pngs_folder_in_folder_out(tmp_path):
    import numpy as np

    from tests.conftest import make_lifestyle_photo

    photos = tmp_path / "shoot"
    (photos / "day-2").mkdir(parents=True)
    photo, truth = make_lifestyle_photo(0, (320, 240))
    photo.save(photos / "bottle.jpg", quality=95)
    make_lifestyle_photo(2, (320, 240))[0].save(photos / "day-2" / "bottle-2.png")
    completed = run_cli("cutout", str(photos), "--out", str(tmp_path / "cut"))
    assert completed.returncode == 0, completed.stderr
    cut = Image.open(tmp_path / "cut" / "shoot" / "bottle.png")
    assert cut.mode == "RGBA" and cut.size == (320, 240)
    alpha = np.asarray(cut.getchannel("A")) >= 128
    assert (alpha & (truth >= 0.5)).sum() / (alpha | (truth >= 0.5)).sum() > 0.9
    assert Image.open(tmp_path / "cut" / "shoot" / "day-2" / "bottle-2.png").mode == "RGBA"
    assert "automatic, confidence" in completed.stdout


def test_mask_and_restyle_follow_a_box_and_background_only_refuses_an_unsure_cut_out(tmp_path):
    import numpy as np

    noise = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(3).integers(0, 256, (160, 200, 3), dtype=np.uint8)).save(noise)
    completed = run_cli("mask", str(noise), "--box", "40,30,150,120", "--out", str(tmp_path / "masks"))
    assert completed.returncode == 0, completed.stderr
    assert "box mask, confidence" in completed.stdout
    assert "cut-out from your box is unsure" in completed.stderr and "--exclude" in completed.stderr, \
        "a box around noise is no cut-out to trust"
    mask = np.asarray(Image.open(tmp_path / "masks" / "noise-mask.png")) >= 128
    assert not mask[:25].any() and not mask[:, :35].any(), "nothing outside the box"
    assert (tmp_path / "masks" / "noise-overlay.jpg").is_file()
    completed = run_cli("restyle", str(noise), "--style", "Ink wash", "--mode", "background-only",
                        "--out", str(tmp_path / "bg"))
    assert completed.returncode == 1 and "unsure" in completed.stderr and "--box" in completed.stderr
    assert "Traceback" not in completed.stderr and not (tmp_path / "bg" / "noise.png").exists()
    completed = run_cli("restyle", str(noise), "--style", "Ink wash", "--mode", "background-only", "--force",
                        "--out", str(tmp_path / "bg"))
    assert completed.returncode == 0 and "warning" in completed.stderr
    assert (tmp_path / "bg" / "noise.png").is_file()
    completed = run_cli("cutout", str(noise), "--box", "1,2,3", "--out", str(tmp_path / "cut"))
    assert completed.returncode == 2 and "A box is 4 numbers" in completed.stderr


def test_shots_in_scenes_folders_in_folders_out_with_sidecars(tmp_path):
    import json

    from tests.conftest import make_cutout

    help_text = run_cli("shots", "--help").stdout
    assert all(kind in help_text for kind in ("podium", "stacked podium", "window light", "painted backdrop"))
    folder = tmp_path / "catalog"
    (folder / "mugs").mkdir(parents=True)
    make_cutout((90, 120)).save(folder / "mugs" / "red.png")
    make_cutout((120, 90)).save(tmp_path / "blue.png")
    # the smallest format: every shot is a real Cycles render
    completed = run_cli("shots", str(folder), str(tmp_path / "blue.png"), "--scene", "window light", "--count", "2",
                        "--light", "right", "--palette", "#E8D5C4,#2F4858", "--preset", "Link ad 1.91:1",
                        "--out", str(tmp_path / "out"))
    assert completed.returncode == 0, completed.stderr
    assert re.search(r"shot 2/2, (\d+)/\1 samples", completed.stderr), "each shot's samples are shown as they render"
    for stem in ("catalog/mugs/red", "blue"):
        for seed in (1, 2):
            assert Image.open(tmp_path / "out" / f"{stem}-seed{seed}.png").size == (1200, 628)
    record = json.loads((tmp_path / "out" / "catalog/mugs/red-seed2.json").read_text())
    assert record["scene"] == "window light" and record["seed"] == 2 and abs(record["light"]["azimuth"] - 90) <= 8
    assert record["palette"]["wall"] == "#E8D5C4" and record["light"]["gobo"] == "blinds"
    x0, y0, x1, y1 = record["product_box"]
    assert 0 <= x0 < x1 <= 1200 and 0 <= y0 < y1 <= 628
    again = run_cli("shots", str(tmp_path / "blue.png"), "--scene", "window light", "--count", "1", "--light",
                    "right", "--palette", "#E8D5C4,#2F4858", "--preset", "Link ad 1.91:1",
                    "--out", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again" / "blue-seed1.png").read_bytes() == (tmp_path / "out" / "blue-seed1.png").read_bytes()
    bad = run_cli("shots", str(tmp_path / "blue.png"), "--scene", "beach")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    bad = run_cli("shots", str(tmp_path / "blue.png"), "--palette", "#12", "--out", str(tmp_path / "bad"))
    assert bad.returncode != 0 and "not a hex colour" in bad.stderr and "Traceback" not in bad.stderr


def test_restyle_with_ray_but_without_ray_installed_says_what_to_install(tmp_path, monkeypatch, capsys):
    Image.new("RGB", (32, 32), "white").save(tmp_path / "a.png")
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed: find_spec gives None
    code = main(["restyle", str(tmp_path / "a.png"), "--style", "Ink wash", "--out", str(tmp_path / "out"),
                 "--ray", "local"])
    assert code == 2
    assert capsys.readouterr().err.strip() == ("error: --ray needs Ray, which is not installed: run "
                                               "`pip install -r requirements-ray.txt`.")
    assert not (tmp_path / "out").exists()


def test_importing_stylelab_and_its_cli_loads_neither_ray_nor_pyarrow():
    check = "import sys, stylelab, stylelab.cli; print(sorted({'ray', 'pyarrow'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_writing_to_a_bucket_without_ray_says_it_needs_ray(tmp_path, capsys):
    Image.new("RGB", (32, 32), "white").save(tmp_path / "a.png")
    assert main(["restyle", str(tmp_path / "a.png"), "--style", "Ink wash", "--out", "s3://bucket/out"]) == 2
    assert "needs --ray" in capsys.readouterr().err


def test_mask_obeys_a_product_click_on_the_base_and_a_not_product_click_in_the_wall_between_arm_and_shade(tmp_path):
    # the lamp, from the command line: --box, --point on the base, --exclude in the slab of wall
    import numpy as np
    from scipy import ndimage

    from tests.product.open_products import open_case

    case = open_case("lamp", "plain", (320, 240))
    case.image.save(tmp_path / "lamp.png")
    base = (round(0.4 * 320), round(0.89 * 240))
    hole = tuple(round(v) for v in case.hole)
    completed = run_cli("mask", str(tmp_path / "lamp.png"), "--box", ",".join(str(round(v)) for v in case.box),
                        "--point", f"{base[0]},{base[1]}", "--exclude", f"{hole[0]},{hole[1]}",
                        "--out", str(tmp_path / "masks"))
    assert completed.returncode == 0, completed.stderr
    mask = np.asarray(Image.open(tmp_path / "masks" / "lamp-mask.png")) >= 128
    labels, _ = ndimage.label(case.alpha < 0.02)
    slab = labels == labels[hole[1], hole[0]]
    assert not mask[slab].any(), "the wall between arm and shade is backdrop"
    assert mask[base[1], base[0]] and mask[case.alpha >= 0.9].mean() > 0.95, "the lamp, base and arms, is kept"
