"""`python -m stylelab gan train|finetune|sample ...`: the catalog generator on the command line."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from stylelab.errors import StyleLabError


def _seeds(text: str) -> list[int]:
    """'0-7', '1,5,9' or '42'."""
    seeds: list[int] = []
    try:
        for part in text.split(","):
            first, dash, last = part.strip().partition("-")
            seeds += list(range(int(first), int(last) + 1)) if dash else [int(first)]
    except ValueError:
        raise StyleLabError(f"Seeds look like 0-7, 1,5,9 or 42; got '{text}'.") from None
    if not seeds or len(seeds) > 1024:
        raise StyleLabError("Give 1 to 1024 seeds.")
    return seeds


def _generator_folder(text: str, data_dir: Path) -> Path:
    from stylelab.gan.jobs import GENERATORS_FOLDER

    for folder in (Path(text), data_dir / GENERATORS_FOLDER / text):
        if (folder / "config.json").is_file():
            return folder
    raise StyleLabError(f"No trained generator '{text}' (give a folder, or a name under "
                        f"{data_dir / GENERATORS_FOLDER}).")


def _train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from stylelab.engine.device import choose_device
    from stylelab.gan.jobs import (FINETUNE_FREEZE_D, new_generator_folder, run_training, source_network, summary,
                                   training_images)
    from stylelab.gan.settings import DEFAULT_LEARNING_RATES, GanSettings
    from stylelab.settings import AppSettings

    data_dir = AppSettings.from_environment().data_dir
    start_from = _generator_folder(args.source, data_dir) if args.command_gan == "finetune" else None
    network = source_network(start_from) if start_from else {
        "resolution": args.resolution, "channel_base": args.channel_base, "channel_max": args.channel_max}
    resolution = network["resolution"]
    freeze_d = args.freeze_d if args.freeze_d is not None else (FINETUNE_FREEZE_D if start_from else 0)
    architecture = getattr(args, "architecture", "stylegan")  # fine-tuning: StyleGAN generators only
    settings = GanSettings(**network, steps=args.steps, batch_size=args.batch_size, architecture=architecture,
                           learning_rate=args.lr if args.lr is not None else DEFAULT_LEARNING_RATES[architecture],
                           freeze_d=freeze_d, eval_every=args.eval_every, seed=args.seed,
                           eval_samples=args.eval_samples, held_out=args.eval_samples)
    images = training_images(args.data, resolution, args.synthetic, center_products=not args.no_center,
                             mirror=args.mirror, synthetic_kind=args.synthetic_kind)
    device = choose_device(args.device)
    folder = new_generator_folder(data_dir, args.name)
    if not args.quiet:
        print(f"{len(images)} images at {resolution} px -> {folder}", file=sys.stderr)
    with tqdm(total=settings.steps, unit="step", file=sys.stderr, disable=args.quiet) as bar:
        def progress(p):
            bar.update(p.step - bar.n)
            figures = {} if p.fd is None else {"FD": f"{p.fd:.1f}", "KID": f"{p.kid:.4f}"}
            bar.set_postfix(G=f"{p.generator_loss:.2f}", D=f"{p.discriminator_loss:.2f}", **figures)

        result = run_training(data_dir, args.name, images, settings, start_from, progress, device=device,
                              folder=folder)
    print(summary(result))
    print(f"generator folder: {folder}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from stylelab.engine.device import choose_device
    from stylelab.gan import sample
    from stylelab.gan.checkpoints import load_generator
    from stylelab.imageio import save_image
    from stylelab.settings import AppSettings

    folder = _generator_folder(args.generator, AppSettings.from_environment().data_dir)
    if not 0 <= args.truncation <= 1:
        raise StyleLabError("Truncation goes from 0 (the average product) to 1 (full variety).")
    generator = load_generator(folder, choose_device(args.device))
    if args.interpolate:
        seed_a, seed_b = args.interpolate
        images = sample.interpolate(generator, seed_a, seed_b, args.steps, args.truncation)
        names = [f"interp-{seed_a}-{seed_b}-{i:02d}.png" for i in range(len(images))]
    else:
        seeds = _seeds(args.seeds)
        images = sample.generate(generator, seeds, args.truncation)
        names = [f"seed{s:06d}.png" for s in seeds]
    if args.grid:
        targets = [save_image(sample.grid(images, columns=min(8, len(images))), args.out / "grid.png")]
    else:
        targets = [save_image(image, args.out / name) for name, image in zip(names, images)]
    if not args.quiet:
        print("\n".join(str(target) for target in targets))
    return 0


def add_gan_commands(commands: argparse._SubParsersAction,
                     shared_options: Callable[..., argparse.ArgumentParser]) -> None:
    """``shared_options(out_default)`` gives the flags every sub-command shares (--device, --quiet, --out)."""
    gan = commands.add_parser("gan", help="the catalog generator: train, fine-tune and sample product images")
    sub = gan.add_subparsers(dest="command_gan", required=True)
    for name in ("train", "finetune"):
        tune = name == "finetune"
        command = sub.add_parser(name, help="fine-tune an earlier generator on a new category (FreezeD)" if tune
                                 else "train a generator from scratch on one product category",
                                 parents=[shared_options()])
        if tune:
            command.add_argument("--from", dest="source", required=True,
                                 help="the generator to start from: a name under <data>/generators or a folder")
        command.add_argument("--data", nargs="*", type=Path, default=[],
                             help="photos, folders or ZIPs of one category (none: the synthetic bottles-and-mugs set)")
        command.add_argument("--synthetic", type=int, default=2000, help="synthetic images when no --data (2000)")
        command.add_argument("--synthetic-kind", choices=["bottle", "mug"], help="only bottles or only mugs")
        command.add_argument("--name", default="catalog", help="generator name (folder NNNNN-name)")
        if not tune:
            command.add_argument("--resolution", type=int, default=64, choices=[32, 64, 128, 256])
        command.add_argument("--steps", type=int, default=2000)
        command.add_argument("--batch-size", type=int, default=16)
        if not tune:
            command.add_argument("--architecture", choices=["stylegan", "fastgan"], default="stylegan",
                                 help="stylegan (default) or fastgan: the light few-shot design (FastGAN-lite)")
        command.add_argument("--lr", type=float, help="learning rate (default 0.002 StyleGAN, 0.0002 FastGAN)")
        command.add_argument("--freeze-d", type=int, help="discriminator blocks to freeze (fine-tune default 2)")
        command.add_argument("--eval-every", type=int, default=250, help="steps between FD/KID, grid, checkpoint")
        command.add_argument("--eval-samples", type=int, default=500, help="images per FD/KID evaluation")
        if not tune:  # fine-tuning keeps the source generator's size and channels
            command.add_argument("--channel-base", type=int, default=4096, help="channels = base / resolution...")
            command.add_argument("--channel-max", type=int, default=256, help="...at most this many (default 256)")
        command.add_argument("--no-center", action="store_true", help="do not centre products with their masks")
        command.add_argument("--mirror", action="store_true", help="add mirrored copies of the photos")
        command.add_argument("--seed", type=int, default=0)
        command.set_defaults(run=_train)
    draw = sub.add_parser("sample", help="generate images from a trained generator",
                          parents=[shared_options("stylelab-generated")])
    draw.add_argument("--generator", required=True, help="a name under <data>/generators or a folder")
    draw.add_argument("--seeds", default="0-7", help="e.g. 0-7, 1,5,9 or 42 (default 0-7)")
    draw.add_argument("--truncation", type=float, default=1.0, help="0 = the average product, 1 = full variety")
    draw.add_argument("--interpolate", nargs=2, type=int, metavar=("SEED_A", "SEED_B"),
                      help="walk from seed A to seed B instead of --seeds")
    draw.add_argument("--steps", type=int, default=8, help="interpolation steps (default 8)")
    draw.add_argument("--grid", action="store_true", help="one grid image instead of one file per image")
    draw.set_defaults(run=_sample)
