"""The command line: `python -m stylelab restyle ...`, `... shots ...`, `... ads ...`, `... gan train|finetune|sample ...` and `... styles`."""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from stylelab.errors import StyleLabError
from stylelab.gan.cli import add_gan_commands
from stylelab.product.scene.choices import (DEFAULT_PRESET, GOBO_DESCRIPTIONS, GOBOS, LIGHT_ON_PRODUCT,
                                            MATERIAL_CHOICES, MATERIAL_DESCRIPTIONS, PRESETS, SCENE_DESCRIPTIONS,
                                            SHOT_SCENES, ScenePick)
from stylelab.vocabulary import choice_help, precision_help

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
MASK_DEVICE_HELP = "accepted like the other commands' --device; masks are found on the CPU"
DEVICE_HELP = "auto, cpu, cuda, cuda:N or mps (default: $STYLELAB_DEVICE or auto)"
PRECISION_HELP = precision_help()

# `finetune`'s loss weights, by FinetuneSettings field; unset ones keep the recipe's defaults
LOSS_WEIGHTS = {"style_weight": "Gram style loss", "content_weight": "content loss",
                "tv_weight": "smoothness (total variation)", "colour_weight": "the painting's palette (colours)",
                "embedding_weight": "style predictor's embedding of the result"}


def shared_options(out_default: str | None = None, device_help: str = DEVICE_HELP,
                   out_type: Callable[[str], object] = Path) -> argparse.ArgumentParser:
    """The flags the sub-commands have in common, defined once: --device, --quiet and, for the
    commands that write image files, --out."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--device", help=device_help)
    options.add_argument("--quiet", action="store_true",
                         help="no progress bar or per-photo lines (errors, and a training run's figures, still print)")
    if out_default is not None:
        options.add_argument("--out", type=out_type, default=out_type(out_default),
                             help="output folder (default: %(default)s)")
    return options


def prompt_options(force: bool = False) -> argparse.ArgumentParser:
    """--box, --point and --exclude: where the product is, for the commands that cut it out."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--box", metavar="X0,Y0,X1,Y1", help="a box around the product, in pixels of the photo")
    options.add_argument("--point", action="append", metavar="X,Y", help="a click on the product (repeatable)")
    options.add_argument("--exclude", action="append", metavar="X,Y", help="a click on what is not the product "
                                                                           "(repeatable)")
    if force:
        options.add_argument("--force", action="store_true",
                             help="background-only even where the automatic cut-out is unsure")
    return options


def _style_argument(text: str) -> tuple[str, float]:
    """'Ink wash' or 'Ink wash:0.3' or 'painting.jpg:0.5'."""
    name, separator, weight = text.rpartition(":")
    if separator:
        try:
            return name, float(weight)
        except ValueError:
            pass
    return text, 1.0


def _photo_files(inputs: list[Path]) -> Iterator[tuple[Path, Path]]:
    """(file, path relative to the output folder) for files and folders given."""
    for item in inputs:
        if item.is_dir():
            for path in sorted(item.rglob("*")):
                if path.suffix.lower() in PHOTO_SUFFIXES and path.is_file():
                    yield path, Path(item.name) / path.relative_to(item)
        elif item.is_file():
            yield item, Path(item.name)
        else:
            raise StyleLabError(f"'{item}' is neither a photo nor a folder.")


def _prompt(args: argparse.Namespace):
    """The box and clicks given on the command line, or None."""
    from stylelab.product.prompts import make_prompt

    return make_prompt(args.box, args.point, args.exclude)


def _found_mask(path: Path, image, args: argparse.Namespace, refuse_unsure: bool = False):
    """The photo's cut-out (``.mask``, ``.rgba``) from the prompt or automatic; a warning (or, with
    refuse_unsure, an error unless --force) when the automatic cut-out is unsure."""
    from stylelab.product.cutout import LOW_CONFIDENCE, cutout

    found = cutout(image, _prompt(args))
    if refuse_unsure and found.source == "automatic" and found.confidence < LOW_CONFIDENCE and not args.force:
        raise StyleLabError(f"the automatic cut-out is unsure ({found.confidence:.0%}), so background-only "
                            "would paint patches: give --box X0,Y0,X1,Y1 around the product (or --force).")
    _warn_if_unsure(path, found)
    return found


def _warn_if_unsure(path: Path, found) -> None:
    """A warning on stderr for an unsure cut-out, saying which flag would fix it."""
    from stylelab.product.cutout import LOW_CONFIDENCE

    if found.source not in ("automatic", "box", "clicks") or found.confidence >= LOW_CONFIDENCE:
        return
    if found.source == "automatic":
        advice = "give --box X0,Y0,X1,Y1 around the product for a reliable one."
    else:
        advice = "add --exclude X,Y on backdrop it kept or --point X,Y on a part it lost."
    what = "automatic cut-out" if found.source == "automatic" else f"cut-out from your {found.source}"
    print(f"warning: {path}: the {what} is unsure ({found.confidence:.0%}); {advice}", file=sys.stderr)


def _restyle_one(path: Path, mix, settings, args: argparse.Namespace, engine):
    """Background-only or product-only: one photo with its own mask."""
    from stylelab.imageio import load_image
    from stylelab.product.restyle import restyle_with_mask

    photo = load_image(path)
    found = _found_mask(path, photo, args, refuse_unsure=args.mode == "background-only")
    return restyle_with_mask(engine, photo, found.mask, mix, settings, args.mode.replace("-", " "))


def _restyle(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    import stylelab
    from stylelab.engine.batch import restyle_files
    from stylelab.engine.requests import RestyleSettings

    # built first, so bad settings fail before the networks load
    settings = RestyleSettings(strength=args.strength, stroke_scale=args.stroke_scale, keep_colours=args.keep_colours)
    if args.ray:
        if args.precision:
            raise StyleLabError("--precision is not passed to Ray workers; set STYLELAB_PRECISION on them instead.")
        return _restyle_on_ray(args, settings)
    if "://" in args.out:
        raise StyleLabError(f"Writing to '{args.out}' needs --ray; without it --out is a folder on this machine.")
    args.out = Path(args.out)
    engine, mix = _painter_and_mix(args, settings)
    files = _restyle_files(args)
    suffix = "." + args.format
    failures: list[str] = []
    started = time.perf_counter()
    with tqdm(total=len(files), unit="photo", disable=len(files) < 2 or args.quiet, file=sys.stderr) as bar:
        if args.mode == "whole-photo":  # batches, with decoding and encoding on worker threads
            jobs = [(path, args.out / relative.with_suffix(suffix)) for path, relative in files]
            report = restyle_files(jobs, mix, settings, engine, quality=args.quality, on_photo=lambda: bar.update(1))
            failures += report.failures
            if len(files) == 1 and report.written and not args.quiet:
                print(report.written[0])
        else:  # masked modes need a mask per photo, so they go one by one
            for path, relative in files:
                try:
                    result = _restyle_one(path, mix, settings, args, engine)
                    target = stylelab.save_image(result, args.out / relative.with_suffix(suffix), quality=args.quality)
                    if len(files) == 1 and not args.quiet:
                        print(target)
                except StyleLabError as error:
                    failures.append(f"{path}: {error}")
                bar.update(1)
    elapsed = time.perf_counter() - started
    if not args.quiet:
        print(f"Restyled {len(files) - len(failures)} of {len(files)} photo(s) into {args.out} "
              f"in {elapsed:.1f} s on {engine.device_name}.", file=sys.stderr)
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _painter_and_mix(args: argparse.Namespace, settings):
    """The torch-free restyler where it paints what the engine would (built-in styles on the CPU:
    the run starts without PyTorch's 1.4 s), else the engine; and the style mix."""
    import stylelab
    from stylelab.engine.lean import lean_restyler
    from stylelab.styles import find_builtin_style

    styles = [_style_argument(s) for s in args.style]
    if args.mode == "whole-photo" and all(find_builtin_style(name) is not None for name, _ in styles):
        mix = stylelab.resolve_style(styles)  # built-in styles only: no network is needed to resolve them
        lean = lean_restyler(mix, settings, args.device, args.precision)
        if lean is not None:
            return lean, mix
    from stylelab.engine import StyleEngine

    engine = StyleEngine(device_request=args.device, precision_request=args.precision)
    return engine, stylelab.resolve_style(styles, engine)


def _restyle_files(args: argparse.Namespace) -> list[tuple[Path, Path]]:
    files = list(_photo_files(args.photos))
    if not files:
        raise StyleLabError("No photos found (looked for .jpg, .jpeg, .png and .webp).")
    return files


def _restyle_on_ray(args: argparse.Namespace, settings) -> int:
    """The same restyle on a Ray cluster: same files under --out, plus a manifest; reruns resume."""
    from tqdm import tqdm

    from stylelab import cluster

    if not cluster.ray_is_installed():
        raise StyleLabError(cluster.RAY_MISSING)
    if args.mode != "whole-photo":
        raise StyleLabError("--ray restyles whole photos only; run --mode background-only without --ray.")
    import stylelab
    from stylelab.cluster.runner import connect, run_catalog
    from stylelab.cluster.storage import Destination
    from stylelab.engine import StyleEngine

    # style images are embedded here, once; the workers get the 100 numbers
    mix = stylelab.resolve_style([_style_argument(s) for s in args.style], StyleEngine(device_request="cpu"))
    suffix = "." + args.format
    jobs = [(str(path), relative.with_suffix(suffix).as_posix()) for path, relative in _restyle_files(args)]
    destination = Destination(str(args.out))
    connect(args.ray)
    with tqdm(total=len(jobs), unit="photo", disable=args.quiet, file=sys.stderr) as bar:
        summary = run_catalog(jobs, destination, mix, settings, quality=args.quality, workers=args.workers,
                              device=args.device, on_photo=bar.update)
    if not args.quiet:
        print(summary.describe(args.out), file=sys.stderr)
    for failure in summary.failed:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if summary.failed else 0


def _mask(args: argparse.Namespace) -> int:
    from stylelab.imageio import load_image, save_image
    from stylelab.product.masks import overlay

    def write(path: Path, relative: Path) -> None:
        image = load_image(path)
        found = _found_mask(path, image, args)
        stem = args.out / relative.with_suffix("")
        save_image(found.mask, f"{stem}-mask.png")
        save_image(overlay(image, found.mask), f"{stem}-overlay.jpg")
        if not args.quiet:
            print(f"{path}: {found.source} mask, confidence {found.confidence:.0%}")

    return _each_photo(args.photos, write)


def _cutout(args: argparse.Namespace) -> int:
    from stylelab.imageio import load_image, save_image
    from stylelab.product.cutout import cutout

    prompt = _prompt(args)

    def write(path: Path, relative: Path) -> None:
        result = cutout(load_image(path), prompt)
        _warn_if_unsure(path, result)
        target = save_image(result.rgba, args.out / relative.with_suffix(".png"))
        if not args.quiet:
            print(f"{target}  ({result.source}, confidence {result.confidence:.0%})")

    return _each_photo(args.photos, write)


def _each_photo(inputs: list[Path], write) -> int:
    """Run ``write(path, relative)`` on every photo; a photo that fails is reported, the rest go on."""
    files = list(_photo_files(inputs))
    if not files:
        raise StyleLabError("No photos found (looked for .jpg, .jpeg, .png and .webp).")
    failures = []
    for path, relative in files:
        try:
            write(path, relative)
        except StyleLabError as error:
            failures.append(f"{path}: {error}")
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _shots(args: argparse.Namespace) -> int:
    import stylelab
    from stylelab.engine import StyleEngine
    from stylelab.imageio import load_image, save_image
    from stylelab.product.restyle import generate_shots
    from stylelab.product.scene.options import scene_request
    from stylelab.product.shots import Placement

    engine = StyleEngine(device_request=args.device, precision_request=args.precision)
    placement = Placement(scale=args.scale, x=args.x, y=args.y, padding=args.padding)
    palette = "harmonised" if args.palette.startswith("#") else args.palette
    brand = args.palette if args.palette.startswith("#") else None
    request = scene_request(ScenePick(
        kind=args.scene, material=args.material, palette=palette, brand_colours=brand or "", light=args.light,
        elevation=args.elevation, softness=args.softness, gobo=args.gobo, camera_height=args.camera_height,
        f_stop=args.f_stop, light_on_product=args.light_on_product, temperature=args.temperature))
    mix = stylelab.resolve_style([_style_argument(s) for s in args.style], engine) if args.style else None
    if args.ray:
        return _shots_on_ray(args, request, mix, placement)
    if "://" in str(args.out):
        raise StyleLabError(f"Writing to '{args.out}' needs --ray; without it --out is a folder on this machine.")
    if args.mask and len(args.photos) > 1:
        raise StyleLabError("--mask goes with a single photo; give one photo, or leave --mask out.")
    failures = []
    for path, relative in _photo_files(args.photos):
        try:
            photo = load_image(path)
            if args.mask:
                mask = load_image(args.mask, what="mask").convert("L")
            else:  # the decontaminated cut-out: no rim of the old background comes along
                found = _found_mask(path, photo, args)
                photo, mask = found.rgba, found.mask
            shots = generate_shots(engine, photo, mask, mix, args.preset, args.count, args.seed, placement,
                                   args.strength, request.settings, paint_wall=bool(mix) and request.settings
                                   is not None, template_palette=request.template_palette,
                                   progress=None if args.quiet else _sample_progress(path.name))
        except StyleLabError as error:
            failures.append(f"{path}: {error}")
            continue
        for shot in shots:
            target = save_image(shot.image, Path(args.out) / relative.parent / f"{path.stem}-seed{shot.seed}.png")
            target.with_suffix(".json").write_text(shot.sidecar(), encoding="utf-8")
            if not args.quiet:
                print(f"{target}  ({shot.caption})")
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _shots_on_ray(args: argparse.Namespace, request, mix, placement) -> int:
    """The same shots on a Ray cluster, one photo per job: the same files under --out, plus a manifest."""
    from tqdm import tqdm

    from stylelab import cluster

    if not cluster.ray_is_installed():
        raise StyleLabError(cluster.RAY_MISSING)
    if args.mask or args.box or args.point or args.exclude:
        raise StyleLabError("--ray cuts every photo out automatically (or keeps a cut-out's transparency); "
                            "leave out --mask, --box, --point and --exclude.")
    from stylelab.cluster.runner import connect, run_catalog
    from stylelab.cluster.shot_worker import ShotMaker, ShotRun
    from stylelab.cluster.storage import Destination

    run = ShotRun(args.preset, args.count, args.seed, placement, args.strength, request.settings, mix,
                  request.template_palette)
    jobs = [(str(path), (relative.parent / f"{path.stem}-seed{args.seed}.png").as_posix())
            for path, relative in _photo_files(args.photos)]
    if not jobs:
        raise StyleLabError("No photos found (looked for .jpg, .jpeg, .png and .webp).")
    connect(args.ray)
    with tqdm(total=len(jobs), unit="photo", disable=args.quiet, file=sys.stderr) as bar:
        summary = run_catalog(jobs, Destination(str(args.out)), None, workers=args.workers, device=args.device,
                              on_photo=bar.update, worker_class=ShotMaker, worker_kwargs={"run": run})
    if not args.quiet:
        print(summary.describe(str(args.out)), file=sys.stderr)
    for failure in summary.failed:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if summary.failed else 0


def _sample_progress(name: str):
    """Samples rendered so far, on one line of stderr per shot (a render takes seconds on a CPU)."""
    def show(number: int, count: int, done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\r{name}: shot {number}/{count}, {done}/{total} samples", end=end, file=sys.stderr, flush=True)
    return show


def _finetune(args: argparse.Namespace) -> int:
    import skimage.data
    from PIL import Image
    from tqdm import tqdm

    from stylelab.engine import StyleEngine
    from stylelab.imageio import to_tensor
    from stylelab.settings import AppSettings
    from stylelab.studio import Studio
    from stylelab.training.data import read_training_photos
    from stylelab.training.finetune import FinetuneSettings
    from stylelab.training.runs import (figures_table, new_run_dir, publish_refusal, run_finetune_job,
                                        style_image_for, verdict)

    weights = {name: getattr(args, name) for name in LOSS_WEIGHTS if getattr(args, name) is not None}
    settings = FinetuneSettings(trainable=args.train, steps=args.steps, learning_rate=args.lr,
                                batch_size=args.batch_size, accumulate=args.accumulate, image_size=args.image_size,
                                seed=args.seed, **weights)
    app_settings = AppSettings.from_environment()
    engine = StyleEngine(device_request=args.device)
    studio = Studio(engine, app_settings, sample_photo=Image.fromarray(skimage.data.coffee()))
    style, template_name = style_image_for(studio.store, args.style)
    name = args.name or template_name
    if not name:
        raise StyleLabError("Give the template a name with --name (the fine-tuned style is saved under it).")
    photos = read_training_photos(args.photos)
    run_dir = new_run_dir(app_settings.data_dir / "finetune", name)
    predictor, transformer = engine.networks().predictor, engine.float_transformer()
    with tqdm(total=settings.total_steps, unit="step", file=sys.stderr, disable=args.quiet) as bar:
        def progress(p):
            bar.update(p.step - bar.n)
            bar.set_postfix(train=f"{p.train_loss:.3f}",
                            val="" if p.validation_loss is None else f"{p.validation_loss:.3f}")

        result, figures = run_finetune_job(predictor, transformer, to_tensor(style), photos,
                                           settings, run_dir, progress, device=engine.device)
    print(f"{result.stopped} after {result.steps_run} steps; validation loss "
          f"{result.initial_validation_loss:.3f} -> {result.best_validation_loss:.3f} (best at step "
          f"{result.best_step}); held-out: {figures_table(figures)}")
    print(f"verdict: {verdict(figures)}")
    print(f"run folder: {run_dir}")
    if args.publish:
        refusal = publish_refusal(figures)
        if refusal and not args.force:
            raise StyleLabError(f"Not published. {refusal} Use --force to publish it anyway.")
        if template_name is None and name.lower() not in [n.lower() for n in studio.template_names()]:
            studio.save_template(name, style)
        version = studio.store.publish_version(name, result.embedding, result.transformer_state,
                                               {"trainable": settings.trainable, "run": run_dir.name,
                                                "held_out": figures.__dict__})
        print(f"published '{name}' {version} (now active)")
    return 0


def _styles(_: argparse.Namespace) -> int:
    from stylelab.styles import BUILTIN_STYLES

    width = max(len(style.name) for style in BUILTIN_STYLES)
    for style in BUILTIN_STYLES:
        print(f"{style.index:>2}  {style.name:<{width}}  {style.description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m stylelab", description="Restyle product photos.")
    commands = parser.add_subparsers(dest="command", required=True)
    restyle = commands.add_parser("restyle", help="restyle photos or folders of photos",
                                  parents=[shared_options("stylelab-out", out_type=str), prompt_options(force=True)])
    restyle.add_argument("photos", nargs="+", type=Path, metavar="PHOTO_OR_FOLDER")
    restyle.add_argument("--precision", help=PRECISION_HELP)
    restyle.add_argument("--style", action="append", required=True, metavar="NAME_OR_IMAGE[:WEIGHT]",
                         help="a built-in style name or a style image; repeat to blend, e.g. "
                              "--style 'Ink wash:0.7' --style painting.jpg:0.3")
    restyle.add_argument("--strength", type=float, default=1.0, help="0 keeps the photo, 1 is full style (default 1)")
    restyle.add_argument("--keep-colours", "--keep-colors", dest="keep_colours", action="store_true",
                         help="keep the photo's true colours; the style changes only brushwork and shading")
    restyle.add_argument("--stroke-scale", type=float, default=1.0,
                         help="brush size: 2 paints strokes twice as big, 0.5 half as big (0.25-4, default 1)")
    restyle.add_argument("--format", choices=["png", "jpg", "webp"], default="png", help="output format (default png)")
    restyle.add_argument("--quality", type=int, default=92, help="JPEG/WebP quality 1-100 (default 92)")
    restyle.add_argument("--mode", choices=["whole-photo", "background-only", "product-only"], default="whole-photo",
                         help="background-only keeps the product photo-true (the cut-out from --box/--point, a "
                              "cutout's alpha, or automatic: refused where unsure unless --force)")
    restyle.add_argument("--ray", metavar="ADDRESS", help="run on Ray (pip install -r requirements-ray.txt): local "
                         "starts one on this machine, auto or HOST:PORT joins a cluster; --out may then be s3:// or "
                         "gs://, writes DST/manifest/ and skips photos a previous run finished")
    restyle.add_argument("--workers", type=int, help="with --ray: engines to run (default: one per GPU, else per CPU)")
    restyle.set_defaults(run=_restyle)
    mask = commands.add_parser("mask", help="find the product in photos: writes NAME-mask.png and NAME-overlay.jpg",
                               parents=[shared_options("stylelab-masks", MASK_DEVICE_HELP), prompt_options()])
    mask.add_argument("photos", nargs="+", type=Path, metavar="PHOTO_OR_FOLDER")
    mask.set_defaults(run=_mask)
    cut = commands.add_parser("cutout", help="cut the product out: writes NAME.png with a transparent background",
                              parents=[shared_options("stylelab-cutouts", MASK_DEVICE_HELP), prompt_options()])
    cut.add_argument("photos", nargs="+", type=Path, metavar="PHOTO_OR_FOLDER")
    cut.set_defaults(run=_cutout)
    shots = commands.add_parser("shots", help="product shots: the product in lit scenes or on painted backdrops; "
                                              "each shot gets a NAME-seedN.json sidecar",
                                parents=[shared_options("stylelab-shots", out_type=str), prompt_options()])
    shots.add_argument("photos", nargs="+", type=Path, metavar="PHOTO_OR_FOLDER",
                       help="product photos (studio backdrop) or transparent cut-outs; folders give folders")
    shots.add_argument("--precision", help=PRECISION_HELP)
    shots.add_argument("--scene", choices=SHOT_SCENES, default="podium", metavar="SCENE",
                       help=choice_help(SCENE_DESCRIPTIONS, "podium"))
    shots.add_argument("--material", choices=MATERIAL_CHOICES, default="auto", metavar="MATERIAL",
                       help="podium or surface material — " + choice_help(MATERIAL_DESCRIPTIONS, "auto"))
    shots.add_argument("--light", default="auto",
                       help="where the key light comes from: auto (default: where the photo's own shading says), "
                            "front, front-right, right, back-right, back, back-left, left, front-left, or degrees "
                            "(0 = from the camera, 90 = from the right)")
    shots.add_argument("--elevation", type=float, default=40.0, help="key light height, degrees (5-85, default 40)")
    shots.add_argument("--softness", type=float, default=0.4, help="shadow softness 0 (sun) to 1 (default 0.4)")
    shots.add_argument("--gobo", choices=GOBOS, default="auto", metavar="PATTERN",
                       help="pattern the light casts — " + choice_help(GOBO_DESCRIPTIONS, "auto"))
    shots.add_argument("--camera-height", default="auto",
                       help="camera over the product's base, in product heights (-0.3 to 3), or auto (default: "
                            "from the height the photo was taken from)")
    shots.add_argument("--f-stop", type=float, default=5.6,
                       help="depth of field focused on the product: 1.4 (soft background) to 22, 0 = all sharp "
                            "(default 5.6)")
    shots.add_argument("--light-on-product", choices=LIGHT_ON_PRODUCT, default="auto",
                       help="let the gobo's and the set's shadows fall across the product: auto (default: on for "
                            "window light), on, off (the product's pixels untouched)")
    shots.add_argument("--temperature", type=float, default=6500.0,
                       help="the key light's colour in kelvin, 2000 (candle) to 12000 (blue sky); default 6500, "
                            "neutral")
    shots.add_argument("--palette", default="harmonised",
                       help="harmonised, complementary, template colours (of --style), or brand hex codes "
                            "like '#E8D5C4,#2F4858' (wall, podium, floor, accent)")
    shots.add_argument("--style", action="append", metavar="NAME_OR_IMAGE[:WEIGHT]",
                       help="paints the wall of a scene, or the painted backdrop (default: none / plain white)")
    shots.add_argument("--preset", default=DEFAULT_PRESET, metavar="FORMAT",
                       help="the shot's format — " + choice_help(
                           {name: f"{p.size[0]}x{p.size[1]}, {p.description}" for name, p in PRESETS.items()},
                           DEFAULT_PRESET))
    shots.add_argument("--count", type=int, default=4, help="how many shots (1-8, default 4)")
    shots.add_argument("--ray", metavar="ADDRESS", help="run on Ray (pip install -r requirements-ray.txt), one photo "
                       "per job: local starts one on this machine, auto or HOST:PORT joins a cluster; --out may then "
                       "be s3:// or gs://, writes DST/manifest/ and skips photos a previous run finished")
    shots.add_argument("--workers", type=int, help="with --ray: renderers to run (default: one per GPU, else per CPU)")
    shots.add_argument("--seed", type=int, default=1, help="first seed; the same seed gives the same shot")
    shots.add_argument("--mask", type=Path, help="a mask image (white = product) instead of the automatic one")
    shots.add_argument("--scale", type=float, default=1.0, help="product size (0.1-1.5, default 1)")
    shots.add_argument("--x", type=float, default=0.5, help="position across, 0-1 (default 0.5)")
    shots.add_argument("--y", type=float, default=0.6, help="position down, 0-1 (default 0.6)")
    shots.add_argument("--padding", type=float, default=0.05, help="share of each side kept clear (default 0.05)")
    shots.add_argument("--strength", type=float, default=0.8, help="style strength on the wall or backdrop "
                                                                  "(default 0.8)")
    shots.set_defaults(run=_shots)
    add_ads_command(commands)
    tune = commands.add_parser("finetune", help="fine-tune the any-image network to a style and your photos",
                               parents=[shared_options()])
    tune.add_argument("--style", required=True, help="a style image, or the name of one of your templates")
    tune.add_argument("--photos", nargs="+", required=True, type=Path, help="photos, folders or ZIPs to train on")
    tune.add_argument("--name", help="template to publish to (default: the --style template)")
    tune.add_argument("--train", choices=["embedding", "upper", "all"], default="embedding",
                      help="embedding: 100 numbers (seconds); upper: + the style norms of the residual/expand "
                           "layers, convolutions frozen (minutes); all: everything (default: embedding)")
    tune.add_argument("--steps", type=int, help="most steps (default: by mode, 32 / 150 / 150; early stopping "
                                                 "may end sooner)")
    tune.add_argument("--lr", type=float,
                      help="peak learning rate after warm-up (default: by mode, 0.05 / 1e-3 / 5e-4)")
    tune.add_argument("--batch-size", type=int, default=4, help="photo crops per micro-batch (default 4)")
    tune.add_argument("--accumulate", type=int, default=1,
                      help="micro-batches per step: a bigger batch on less memory (default 1)")
    tune.add_argument("--image-size", type=int, default=192, help="training crop side in pixels (default 192)")
    for name, meaning in LOSS_WEIGHTS.items():  # unset: the recipe's default (stylelab/training/finetune.py)
        tune.add_argument("--" + name.replace("_", "-"), type=float, help=f"{meaning} (default: the recipe's)")
    tune.add_argument("--seed", type=int, default=0)
    tune.add_argument("--publish", action="store_true", help="save the result as the template's new active version "
                                                             "(refused when the held-out style did not improve)")
    tune.add_argument("--force", action="store_true", help="with --publish: publish even a run that did not improve")
    tune.set_defaults(run=_finetune)
    add_gan_commands(commands, shared_options)
    add_users_commands(commands)
    styles = commands.add_parser("styles", help="list the built-in styles")
    styles.set_defaults(run=_styles)
    return parser


def add_ads_command(commands: argparse._SubParsersAction) -> None:
    from stylelab.creatives.fonts import FAMILIES
    from stylelab.creatives.formats import AD_FORMATS, DEFAULT_FORMAT
    from stylelab.creatives.layouts import DEFAULT_LAYOUTS, LAYOUTS

    ads = commands.add_parser("ads", help="ad creatives: headlines x shots x layouts on product shots, each with "
                                          "a JSON sidecar it re-renders from", parents=[shared_options("stylelab-ads")])
    ads.add_argument("shots", nargs="*", type=Path, metavar="SHOT",
                     help="shots with their NAME.json sidecar beside them (from `shots`), or photos")
    ads.add_argument("--headline", action="append", metavar="TEXT", help="a headline (repeat for variants)")
    ads.add_argument("--layout", action="append", metavar="LAYOUT",
                     help="repeatable — " + choice_help({n: l.description for n, l in LAYOUTS.items()},
                                                        ", ".join(DEFAULT_LAYOUTS)))
    ads.add_argument("--format", default=DEFAULT_FORMAT, metavar="FORMAT",
                     help="— " + choice_help({n: f"{a.ratio}, {a.size[0]}x{a.size[1]}, {a.placement}"
                                              for n, a in AD_FORMATS.items()}, DEFAULT_FORMAT))
    ads.add_argument("--subline", default="", help="the line under the headline")
    ads.add_argument("--badge", default="", help="a price or offer for the badge, e.g. '-20 %%' or 'New'")
    ads.add_argument("--cta", default="", help="the call to action (default: 'Shop now')")
    ads.add_argument("--colours", help="brand colours as hex codes, primary first: '#1F2A44,#E4572E,#F4F1EA'")
    ads.add_argument("--heading-font", default="Noto Sans", choices=list(FAMILIES), metavar="FONT",
                     help=f"one of: {', '.join(FAMILIES)} (Chinese text is set in Noto Sans CJK)")
    ads.add_argument("--body-font", default="Noto Sans", choices=list(FAMILIES), metavar="FONT")
    ads.add_argument("--logo", type=Path, help="the logo, a PNG with transparency")
    ads.add_argument("--jpeg", action="store_true", help="write JPEG instead of PNG")
    ads.add_argument("--rerender", type=Path, metavar="CREATIVE.json",
                     help="re-render a creative from its JSON (with sources/ and brand/ beside it) into --out")
    ads.set_defaults(run=_ads)


def _ads(args: argparse.Namespace) -> int:
    import stylelab
    from stylelab.creatives.layouts import DEFAULT_LAYOUTS
    from stylelab.imageio import save_image

    if args.rerender:
        image = stylelab.rerender_creative(args.rerender)
        target = save_image(image, args.out / f"{args.rerender.stem}.png")
        if not args.quiet:
            print(target)
        return 0
    if not args.shots:
        raise StyleLabError("Give at least one shot (with its JSON sidecar), or --rerender CREATIVE.json.")
    creatives = stylelab.ad_creatives(
        [path for path, _ in _photo_files(args.shots)], args.headline or [], args.layout or list(DEFAULT_LAYOUTS),
        args.format, args.subline, args.badge, args.cta, args.colours, args.heading_font, args.body_font, args.logo,
        args.out, "JPEG" if args.jpeg else "PNG")
    if not args.quiet:
        for creative in creatives:
            print(f"{args.out / creative.name}.{'jpg' if args.jpeg else 'png'}  ({creative.record['layout']}, "
                  f"{creative.record['format']})")
        print(args.out / "stylelab-creatives.zip")
    return 0


def _users(args: argparse.Namespace) -> int:
    import getpass
    import os

    from stylelab.store.accounts import UsersFile

    path = args.file or (Path(os.environ["STYLELAB_USERS_FILE"]) if os.environ.get("STYLELAB_USERS_FILE") else None)
    if path is None:
        raise StyleLabError("Name the users file with --file or STYLELAB_USERS_FILE (the app reads the same one).")
    users = UsersFile(path)
    if args.action == "list":
        print("\n".join(users.names()) or "(no users yet)")
    elif args.action == "remove":
        users.remove(args.name)
        print(f"Removed {args.name}. Their templates stay in the data folder.")
    else:
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"Password for {args.name}: ")
            if getpass.getpass("Again: ") != password:
                raise StyleLabError("The two passwords differ; nothing was changed.")
        new = users.add(args.name, password)
        print(f"{'Added' if new else 'Changed the password of'} {args.name} in {path}.")
    return 0


def add_users_commands(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help="accounts: when the app has a users file, everyone signs in")
    users.add_argument("action", choices=["add", "remove", "list"])
    users.add_argument("name", nargs="?", help="the user's sign-in name (add, remove)")
    users.add_argument("--file", type=Path, help="the users file (default: $STYLELAB_USERS_FILE)")
    users.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    users.set_defaults(run=lambda args: _users(args) if args.name or args.action == "list"
                       else users.error(f"users {args.action} needs a NAME"))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except StyleLabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
