"""The command line: `python -m stylelab restyle ...`, `... gan train|finetune|sample ...` and `... styles`."""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from stylelab.errors import StyleLabError
from stylelab.gan.cli import add_gan_commands

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
MASK_DEVICE_HELP = "accepted like the other commands' --device; masks are found on the CPU"
DEVICE_HELP = "auto, cpu, cuda, cuda:N or mps (default: $STYLELAB_DEVICE or auto)"


def shared_options(out_default: str | None = None, device_help: str = DEVICE_HELP) -> argparse.ArgumentParser:
    """The flags the sub-commands have in common, defined once: --device, --quiet and, for the
    commands that write image files, --out."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--device", help=device_help)
    options.add_argument("--quiet", action="store_true",
                         help="no progress bar or per-photo lines (errors, and a training run's figures, still print)")
    if out_default is not None:
        options.add_argument("--out", type=Path, default=Path(out_default), help="output folder (default: %(default)s)")
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


def _restyle_one(path: Path, mix, settings, mode: str, engine):
    """Background-only or product-only: one photo with its own automatic mask."""
    from stylelab.imageio import load_image
    from stylelab.product.masks import product_mask
    from stylelab.product.restyle import restyle_with_mask

    photo = load_image(path)
    return restyle_with_mask(engine, photo, product_mask(photo).mask, mix, settings, mode.replace("-", " "))


def _restyle(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    import stylelab
    from stylelab.engine.batch import restyle_files
    from stylelab.engine import RestyleSettings, StyleEngine

    # built first, so bad settings fail before the networks load
    settings = RestyleSettings(strength=args.strength, stroke_scale=args.stroke_scale, keep_colours=args.keep_colours)
    engine = StyleEngine(device_request=args.device)
    mix = stylelab.resolve_style([_style_argument(s) for s in args.style], engine)
    files = list(_photo_files(args.photos))
    if not files:
        raise StyleLabError("No photos found (looked for .jpg, .jpeg, .png and .webp).")
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
                    result = _restyle_one(path, mix, settings, args.mode, engine)
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


def _mask(args: argparse.Namespace) -> int:
    from stylelab.imageio import load_image, save_image
    from stylelab.product.masks import overlay, product_mask

    files = list(_photo_files(args.photos))
    if not files:
        raise StyleLabError("No photos found (looked for .jpg, .jpeg, .png and .webp).")
    failures = []
    for path, relative in files:
        try:
            image = load_image(path)
            found = product_mask(image)
            stem = args.out / relative.with_suffix("")
            save_image(found.mask, f"{stem}-mask.png")
            save_image(overlay(image, found.mask), f"{stem}-overlay.jpg")
            if not args.quiet:
                print(f"{path}: {found.source} mask, confidence {found.confidence:.0%}")
        except StyleLabError as error:
            failures.append(f"{path}: {error}")
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _shots(args: argparse.Namespace) -> int:
    import stylelab
    from stylelab.engine import StyleEngine
    from stylelab.imageio import load_image, save_image
    from stylelab.product.masks import product_mask
    from stylelab.product.restyle import generate_shots
    from stylelab.product.shots import Placement

    engine = StyleEngine(device_request=args.device)
    placement = Placement(scale=args.scale, x=args.x, y=args.y, padding=args.padding)
    mix = stylelab.resolve_style([_style_argument(s) for s in args.style], engine) if args.style else None
    photo = load_image(args.photo)
    mask = load_image(args.mask, what="mask").convert("L") if args.mask else product_mask(photo).mask
    shots = generate_shots(engine, photo, mask, mix, args.preset, args.count, args.seed, placement, args.strength)
    for shot in shots:
        target = save_image(shot.image, args.out / f"{args.photo.stem}-seed{shot.seed}.png")
        if not args.quiet:
            print(f"{target}  ({shot.caption})")
    return 0


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

    settings = FinetuneSettings(trainable=args.train, steps=args.steps, learning_rate=args.lr,
                                batch_size=args.batch_size, accumulate=args.accumulate, image_size=args.image_size,
                                style_weight=args.style_weight, content_weight=args.content_weight,
                                tv_weight=args.tv_weight, embedding_weight=args.embedding_weight, seed=args.seed)
    app_settings = AppSettings.from_environment()
    engine = StyleEngine(device_request=args.device)
    studio = Studio(engine, app_settings, sample_photo=Image.fromarray(skimage.data.coffee()))
    style, template_name = style_image_for(studio.store, args.style)
    name = args.name or template_name
    if not name:
        raise StyleLabError("Give the template a name with --name (the fine-tuned style is saved under it).")
    photos = read_training_photos(args.photos)
    run_dir = new_run_dir(app_settings.data_dir / "finetune", name)
    networks = engine.networks()
    with tqdm(total=settings.total_steps, unit="step", file=sys.stderr, disable=args.quiet) as bar:
        def progress(p):
            bar.update(p.step - bar.n)
            bar.set_postfix(train=f"{p.train_loss:.3f}",
                            val="" if p.validation_loss is None else f"{p.validation_loss:.3f}")

        result, figures = run_finetune_job(networks.predictor, networks.transformer, to_tensor(style), photos,
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
                                  parents=[shared_options("stylelab-out")])
    restyle.add_argument("photos", nargs="+", type=Path, metavar="PHOTO_OR_FOLDER")
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
                         help="background-only keeps the product photo-true (automatic mask or a cutout's alpha)")
    restyle.set_defaults(run=_restyle)
    mask = commands.add_parser("mask", help="find the product in photos: writes NAME-mask.png and NAME-overlay.jpg",
                               parents=[shared_options("stylelab-masks", MASK_DEVICE_HELP)])
    mask.add_argument("photos", nargs="+", type=Path, metavar="PHOTO_OR_FOLDER")
    mask.set_defaults(run=_mask)
    shots = commands.add_parser("shots", help="product shots: the product on generated, styled backdrops",
                                parents=[shared_options("stylelab-shots")])
    shots.add_argument("photo", type=Path, help="a product photo (studio backdrop) or a transparent cutout")
    shots.add_argument("--style", action="append", metavar="NAME_OR_IMAGE[:WEIGHT]",
                       help="backdrop style (default: plain white)")
    shots.add_argument("--preset", default="Social 4:5", help="Marketplace main image, Square 2048, Social 4:5, "
                                                               "Story 9:16 or Banner 16:9 (default: %(default)s)")
    shots.add_argument("--count", type=int, default=4, help="how many shots (1-8, default 4)")
    shots.add_argument("--seed", type=int, default=1, help="first seed; the same seed gives the same shot")
    shots.add_argument("--mask", type=Path, help="a mask image (white = product) instead of the automatic one")
    shots.add_argument("--scale", type=float, default=1.0, help="product size (0.1-1.5, default 1)")
    shots.add_argument("--x", type=float, default=0.5, help="position across, 0-1 (default 0.5)")
    shots.add_argument("--y", type=float, default=0.6, help="position down, 0-1 (default 0.6)")
    shots.add_argument("--padding", type=float, default=0.05, help="share of each side kept clear (default 0.05)")
    shots.add_argument("--strength", type=float, default=0.8, help="backdrop style strength (default 0.8)")
    shots.set_defaults(run=_shots)
    tune = commands.add_parser("finetune", help="fine-tune the any-image network to a style and your photos",
                               parents=[shared_options()])
    tune.add_argument("--style", required=True, help="a style image, or the name of one of your templates")
    tune.add_argument("--photos", nargs="+", required=True, type=Path, help="photos, folders or ZIPs to train on")
    tune.add_argument("--name", help="template to publish to (default: the --style template)")
    tune.add_argument("--train", choices=["embedding", "upper", "all"], default="embedding",
                      help="embedding: 100 numbers (seconds); upper: + residual/expand layers and norms, contract "
                           "frozen; all: everything (default: embedding)")
    tune.add_argument("--steps", type=int, help="most steps (default: by mode, 40 / 150 / 150; early stopping "
                                                 "may end sooner)")
    tune.add_argument("--lr", type=float,
                      help="peak learning rate after warm-up (default: by mode, 0.05 / 1e-3 / 5e-4)")
    tune.add_argument("--batch-size", type=int, default=4, help="photo crops per micro-batch (default 4)")
    tune.add_argument("--accumulate", type=int, default=1,
                      help="micro-batches per step: a bigger batch on less memory (default 1)")
    tune.add_argument("--image-size", type=int, default=192, help="training crop side in pixels (default 192)")
    tune.add_argument("--style-weight", type=float, default=1.0)
    tune.add_argument("--content-weight", type=float, default=2.0)
    tune.add_argument("--tv-weight", type=float, default=0.1)
    tune.add_argument("--embedding-weight", type=float, default=0.0)
    tune.add_argument("--seed", type=int, default=0)
    tune.add_argument("--publish", action="store_true", help="save the result as the template's new active version "
                                                             "(refused when the held-out style did not improve)")
    tune.add_argument("--force", action="store_true", help="with --publish: publish even a run that did not improve")
    tune.set_defaults(run=_finetune)
    add_gan_commands(commands, shared_options)
    styles = commands.add_parser("styles", help="list the built-in styles")
    styles.set_defaults(run=_styles)
    return parser


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
