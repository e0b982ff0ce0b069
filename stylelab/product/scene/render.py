"""The scene renderer: geometry answers what each ray hits, shading answers what colour it is.

``render_scene`` builds the set for a scene kind around the product, aims a camera so the
product lands where the placement asks, ray-casts the set at full resolution, lights it
(key light with soft shadows, gobo and the product's own shadow; ambient with occlusion;
a weak fill from the camera), adds the product's reflection on glossy surfaces and a little
depth of field behind the product, and finally pastes the product's own pixels, untouched.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from stylelab.errors import StyleLabError
from stylelab.product.scene import noise
from stylelab.product.scene.camera import Camera
from stylelab.product.scene.geometry import INF, Arch, Box, Cylinder, Sphere, union_sdf
from stylelab.product.scene.choices import SCENE_KINDS
from stylelab.product.scene.kinds import SceneSet, build_set
from stylelab.product.scene.lights import KeyLight, gobo, soft_shadow
from stylelab.product.scene.materials import GLOSS, albedo, check_material
from stylelab.product.scene.palette import Palette, dominant_colour, harmonised
from stylelab.product.scene.product_layer import (ProductStand, contact_occlusion, make_stand, product_shadow,
                                                  reflection)

FIELD_OF_VIEW = 30.0  # vertical, degrees: a short tele, as product photographers use
LIGHTING_SIDE = 280  # shadows and occlusion are smooth: light on a grid at most this big, then upsample
KEY, AMBIENT, FILL = 0.85, 0.42, 0.12


@dataclass(frozen=True)
class SceneSettings:
    kind: str = "podium"
    material: str = "matte"  # of the podium, or of the surface for table-top kinds
    light: KeyLight = KeyLight()
    camera_height: float = 0.55  # over the product's base, in product heights
    palette: Palette | None = None  # None: harmonised with the product
    harmony: str = "analogous"
    gloss: float | None = None  # None: the material's own
    depth_of_field: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in SCENE_KINDS:
            raise StyleLabError(f"Choose a scene from: {', '.join(SCENE_KINDS)}.")
        check_material(self.material)
        if not -0.3 <= self.camera_height <= 1.5:
            raise StyleLabError("Camera height must be from -0.3 to 1.5 product heights.")
        if self.gloss is not None and not 0 <= self.gloss <= 1:
            raise StyleLabError("Gloss must be from 0 to 1.")


@dataclass(frozen=True)
class SceneShot:
    image: Image.Image
    box: tuple[int, int, int, int]  # where the scaled cut-out was pasted
    record: dict  # everything needed to reproduce it (the sidecar)


@dataclass(frozen=True)
class Surface:
    name: str  # "floor", "cove", "wall" or a part index
    colour: str  # palette role
    material: str


def product_box(cutout_size: tuple[int, int], frame: tuple[int, int], fill: float, scale: float, x: float,
                y: float, padding: float, below: float = 0.0) -> tuple[int, int, int, int]:
    """Where the cut-out goes: the painted backdrops' sizing rules, applied to the product and
    what it stands on (``below`` its own height more), so a podium fits in the frame too."""
    width, height = frame
    pad_x, pad_y = round(padding * width), round(padding * height)
    room_w, room_h = width - 2 * pad_x, height - 2 * pad_y
    group = (cutout_size[0], cutout_size[1] * (1 + below))
    target = fill * scale * min(width, height)
    factor = min(target / max(group), room_w / group[0], room_h / group[1])
    product_w, product_h = max(1, round(cutout_size[0] * factor)), max(1, round(cutout_size[1] * factor))
    group_h = round(group[1] * factor)
    left, top = pad_x + round(x * (room_w - product_w)), pad_y + round(y * (room_h - group_h))
    return left, top, left + product_w, top + product_h


def aim_camera(frame: tuple[int, int], box: tuple[int, int, int, int], support: float, lift: float) -> Camera:
    """A camera that shows the 1-tall product standing at (0, support, 0) exactly in ``box``."""
    width, height = frame
    focal = (height / 2) / math.tan(math.radians(FIELD_OF_VIEW / 2))
    distance = focal / (box[3] - box[1])
    eye = support + lift
    pitch = math.degrees(math.atan2(eye - (support + 0.5), distance))
    draft = Camera((0.0, eye, distance), pitch, focal, frame, (0.0, 0.0))
    (base,), _ = draft.project(torch.tensor([[0.0, support, 0.0]]))
    centre = ((box[0] + box[2]) / 2 - float(base[0]), box[3] - float(base[1]))
    return Camera(draft.position, pitch, focal, frame, centre)


def horizon_row(camera: Camera, scene: SceneSet) -> float:
    """Image row of the line where the floor turns into the wall (the middle of the cove)."""
    r, back = scene.sweep.radius, scene.sweep.back
    point = torch.tensor([[0.0, r * (1 - math.sqrt(0.5)), back + r * (1 - math.sqrt(0.5))]])
    (pixel,), _ = camera.project(point)
    return float(pixel[1])


def _clear_horizon(scene: SceneSet, camera: Camera, box: tuple[int, int, int, int]) -> SceneSet:
    """Move the wall closer until its line is not across the product's middle (lower 15% is fine)."""
    top, bottom = box[1], box[3]
    limit = bottom - 0.15 * (bottom - top)
    while scene.sweep.back < -0.3:
        row = horizon_row(camera, scene)
        hidden = not scene.floor_is_surface and row > top + 0.85 * (bottom - top)
        if row >= limit or row < top - 0.05 * (bottom - top) or hidden:
            break
        scene = SceneSet(scene.kind, type(scene.sweep)(back=scene.sweep.back * 0.85, radius=scene.sweep.radius),
                         scene.parts, scene.support, scene.camera_lift, scene.default_gobo, scene.floor_is_surface)
    return scene


def trace(scene: SceneSet, camera: Camera, device: torch.device
          ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Rays and their nearest hits: origins, directions, depth t, normals and surface index
    (into ``surfaces(scene)``), all flat over pixels.

    The sweep's hits depend on the image row only, so it is traced once per row; each caster
    only over the screen rectangle its bounding sphere can cover.
    """
    width, height = camera.size
    o, d = camera.rays(device)
    row_o, row_d = camera.row_rays(device)
    swept = scene.sweep.hit_parts(row_o, row_d)
    row_t = torch.full((height,), INF, device=device)
    row_n = torch.zeros(height, 3, device=device)
    row_id = torch.zeros(height, dtype=torch.long, device=device)
    for index, name in enumerate(scene.sweep.parts()):
        t_part, n_part = swept[name]
        closer = t_part < row_t
        row_t, row_id = torch.where(closer, t_part, row_t), torch.where(closer, index, row_id)
        row_n = torch.where(closer[:, None], n_part, row_n)
    t = row_t[:, None].expand(height, width).clone()
    n = row_n[:, None, :].expand(height, width, 3).clone()
    ids = row_id[:, None].expand(height, width).clone()
    grid_d = d.reshape(height, width, 3)
    for index, part in enumerate(scene.parts, start=len(scene.sweep.parts())):
        r0, r1, c0, c1 = screen_bounds(camera, part.shape)
        if r0 >= r1 or c0 >= c1:
            continue
        sub_d = grid_d[r0:r1, c0:c1].reshape(-1, 3)
        t_part, n_part = part.shape.hit(o[:sub_d.shape[0]], sub_d)
        t_part, n_part = t_part.reshape(r1 - r0, c1 - c0), n_part.reshape(r1 - r0, c1 - c0, 3)
        closer = t_part < t[r0:r1, c0:c1]
        t[r0:r1, c0:c1] = torch.where(closer, t_part, t[r0:r1, c0:c1])
        n[r0:r1, c0:c1] = torch.where(closer[..., None], n_part, n[r0:r1, c0:c1])
        ids[r0:r1, c0:c1] = torch.where(closer, index, ids[r0:r1, c0:c1])
    return o, d, t.reshape(-1), n.reshape(-1, 3), ids.reshape(-1)


def screen_bounds(camera: Camera, shape: object) -> tuple[int, int, int, int]:
    """Rows and columns (r0, r1, c0, c1) a caster can cover: its bounding cube, projected."""
    (cx, cy, cz), radius = _bounds(shape)
    corners = torch.tensor([[cx + sx * radius, cy + sy * radius, cz + sz * radius]
                            for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)])
    pixels, depth = camera.project(corners)
    width, height = camera.size
    if (depth <= 1e-3).any():
        return 0, height, 0, width
    c0, r0 = (pixels.min(0).values - 2).floor().clamp_min(0).tolist()
    c1, r1 = (pixels.max(0).values + 2).ceil().tolist()
    return int(r0), int(min(r1, height)), int(c0), int(min(c1, width))


def surfaces(scene: SceneSet, material: str) -> list[Surface]:
    floor_material = material if scene.floor_is_surface else "matte"
    listed = [Surface("floor", "floor", floor_material), Surface("cove", "wall", "matte"),
              Surface("wall", "wall", "matte")]
    listed += [Surface(str(i), part.surface, material if part.surface == "podium" else "matte")
               for i, part in enumerate(scene.parts)]
    return listed


def surface_uv(shape: object, p: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
    """2-D texture coordinates on a surface, in world units (around a cylinder: arc length)."""
    if isinstance(shape, Cylinder):
        arc = torch.atan2(p[:, 0] - shape.x, p[:, 2] - shape.z) * shape.radius
        return torch.where((n[:, 1] > 0.5)[:, None], p[:, [0, 2]], torch.stack([arc, p[:, 1]], 1))
    flat_up = n[:, 1].abs() > 0.5
    facing = n[:, 2].abs() >= n[:, 0].abs()
    return torch.where(flat_up[:, None], p[:, [0, 2]],
                       torch.where(facing[:, None], p[:, [0, 1]], p[:, [2, 1]]))


def palette_for(settings: SceneSettings, cutout: Image.Image, rng: np.random.Generator) -> Palette:
    if settings.palette is not None:
        return settings.palette
    return harmonised(dominant_colour(cutout), settings.harmony, rng)


def render_scene(cutout: Image.Image, frame: tuple[int, int], settings: SceneSettings, seed: int,
                 fill: float = 0.7, scale: float = 1.0, x: float = 0.5, y: float = 0.6, padding: float = 0.05,
                 wall_texture: torch.Tensor | None = None, device: str | torch.device = "cpu") -> SceneShot:
    """One shot of the RGBA ``cutout`` in a lit scene; ``wall_texture`` [3, h, w] paints the wall."""
    rng = np.random.default_rng(seed)
    cutout = crop_to_product(cutout)
    aspect = cutout.width / cutout.height
    scene = build_set(settings.kind, aspect, rng)
    palette = palette_for(settings, cutout, rng)
    light = settings.light
    if light.gobo == "auto":
        light = KeyLight(light.azimuth, light.elevation, light.softness, scene.default_gobo)
    box = product_box(cutout.size, frame, fill, scale, x, y, padding, below=scene.support + 0.12)
    camera = aim_camera(frame, box, scene.support, settings.camera_height + scene.camera_lift)
    scene = _clear_horizon(scene, camera, box)
    stand = make_stand(cutout, scene.support)
    with torch.inference_mode():
        rgb = shade(scene, camera, stand, settings, light, palette, seed, wall_texture, torch.device(device))
    image = Image.fromarray(rgb)
    product = cutout.resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS)
    image.paste(product, box[:2], product)
    record = {"scene": settings.kind, "seed": int(seed), "size": list(frame), "camera": camera.describe(),
              "light": {"azimuth": light.azimuth, "elevation": light.elevation, "softness": light.softness,
                        "gobo": light.gobo},
              "palette": palette.describe(), "material": settings.material,
              "gloss": _gloss(settings), "product_box": list(box),
              "product_base": [0.0, scene.support, 0.0], "product_height": 1.0,
              "placement": {"fill": fill, "scale": scale, "x": x, "y": y, "padding": padding}}
    return SceneShot(image, box, record)


def crop_to_product(cutout: Image.Image) -> Image.Image:
    """The cut-out cropped to its visible pixels, so its lowest row is where it stands."""
    rgba = cutout.convert("RGBA")
    box = rgba.getchannel("A").point(lambda a: 255 if a >= 8 else 0).getbbox()
    if box is None:
        raise StyleLabError("The cut-out is fully transparent: there is no product to place.")
    return rgba.crop(box)


def _gloss(settings: SceneSettings) -> float:
    return GLOSS[settings.material] if settings.gloss is None else settings.gloss


def shade(scene: SceneSet, camera: Camera, stand: ProductStand, settings: SceneSettings, light: KeyLight,
          palette: Palette, seed: int, wall_texture: torch.Tensor | None, device: torch.device) -> np.ndarray:
    width, height = camera.size
    o, d, t, n, ids = trace(scene, camera, device)
    p = o + t.clamp_max(1e4)[:, None] * d
    listed = surfaces(scene, settings.material)
    shapes = [None, None, None] + [part.shape for part in scene.parts]
    tile = noise.noise_for(seed, str(device))
    colours = {role: torch.tensor(getattr(palette, role), dtype=torch.float32, device=device)
               for role in ("wall", "floor", "podium", "accent")}
    colours["prop"] = colours["accent"] * 0.2 + colours["podium"] * 0.8
    base = torch.empty_like(p)
    for index, surface in enumerate(listed):
        where = (ids == index).nonzero()[:, 0]
        if where.numel() == 0:
            continue
        if surface.colour == "wall" and wall_texture is not None:
            base[where] = _painted(wall_texture.to(device), p[where])
        elif surface.material == "matte":  # a plain colour: no texture coordinates needed
            base[where] = colours[surface.colour]
        else:
            uv = surface_uv(shapes[index], p[where], n[where])
            base[where] = albedo(surface.material, uv, colours[surface.colour], colours["accent"], tile)
    visibility, ambient = _lighting(scene, camera, stand, light, p, n, seed, device)
    direction = light.direction.to(p)
    toward_camera = -camera.basis()[2].float().to(device)
    key = KEY * (n @ direction).clamp_min(0) * visibility
    fill = FILL * (n @ toward_camera).clamp_min(0)
    sky = AMBIENT * (0.8 + 0.2 * n[:, 1]) * ambient
    colour = base * (key + fill + sky)[:, None]
    gloss = _gloss(settings)
    if gloss > 0:
        on_support = (n[:, 1] > 0.9) & ((p[:, 1] - stand.base).abs() < 1e-3)
        where = on_support.nonzero()[:, 0]
        if where.numel():
            mirrored, weight = reflection(stand, p[where], d[where])
            view = d[where] / d[where].norm(dim=1, keepdim=True)
            fresnel = 0.35 + 0.65 * (1 - (-view[:, 1]).clamp(0, 1)) ** 3
            amount = (gloss * fresnel)[:, None]
            colour[where] = colour[where] * (1 - amount * weight[:, None]) + amount * mirrored * 0.85
    image = _tone(colour).T.reshape(3, height, width)
    image = _antialias(image, ids.reshape(height, width))
    depth = t.reshape(height, width)  # directions have a unit step along the view axis
    image = _depth_of_field(image, depth, camera.position[2], settings.depth_of_field)
    return (image.clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(1, 2, 0).cpu().numpy()


def _lighting(scene: SceneSet, camera: Camera, stand: ProductStand, light: KeyLight, p: torch.Tensor,
              n: torch.Tensor, seed: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Key-light visibility and ambient occlusion, worked out on a coarser grid and upsampled."""
    width, height = camera.size
    side = min(LIGHTING_SIDE, max(100.0, 0.2 * max(width, height)))  # a preview needs fewer light samples
    step = max(1, round(max(width, height) / side))
    grid_p = p.reshape(height, width, 3)[step // 2::step, step // 2::step]
    grid_n = n.reshape(height, width, 3)[step // 2::step, step // 2::step]
    small = grid_p.shape[:2]
    sp, sn = grid_p.reshape(-1, 3), grid_n.reshape(-1, 3)
    casters = [part.shape for part in scene.parts]
    visible = _reachable_shadow(casters, sp, sn, light)
    centre, radius = (0.0, stand.base + 0.5, 0.0), math.hypot(stand.aspect / 2, 0.5)  # around the product
    anchor = torch.tensor([0.0, stand.base + 0.6, 0.0], device=device)
    visible = visible * gobo(sp, light, anchor, noise.noise_for(seed + 1, str(device)))
    # the key light is a pool, brightest around the product, falling off across the set
    visible = visible * (0.7 + 0.3 * torch.exp(-((sp - torch.tensor(centre).to(sp)) ** 2).sum(1) / 6.0))
    ambient = _occlusion(casters, sp, sn)
    at_foot = ((sp[:, 1] - stand.base).abs() < 0.2) & (sp[:, 0].abs() < stand.foot * 1.5) & (
        sp[:, 2].abs() < stand.foot * 1.5)
    at_foot = at_foot.nonzero()[:, 0]
    ambient[at_foot] = ambient[at_foot] * contact_occlusion(stand, sp[at_foot])
    maps = torch.stack([visible, ambient]).reshape(1, 2, *small)
    maps = F.interpolate(maps, size=(height, width), mode="bilinear", align_corners=False)[0]
    visibility = maps[0].reshape(-1)
    # the product's own shadow is crisp at its foot: on the coarse grid its edge would show stair steps,
    # so it is looked up per pixel (cheap: one texture lookup for the pixels behind the product)
    behind = _passes_near(p, light, centre, radius).nonzero()[:, 0]
    visibility[behind] = visibility[behind] * product_shadow(stand, p[behind], light)
    return visibility, maps[1].reshape(-1)


def _reachable_shadow(casters: list, points: torch.Tensor, normals: torch.Tensor, light: KeyLight
                      ) -> torch.Tensor:
    """Soft shadows, marched only for points whose light ray passes near a caster's bounds."""
    visible = torch.ones(points.shape[0], dtype=points.dtype, device=points.device)
    if not casters:
        return visible
    near = torch.zeros_like(visible, dtype=torch.bool)
    for caster in casters:
        near |= _passes_near(points, light, *_bounds(caster))
    where = near.nonzero()[:, 0]
    if where.numel():
        visible[where] = soft_shadow(casters, points[where], normals[where], light)
    return visible


def _passes_near(points: torch.Tensor, light: KeyLight, centre: tuple[float, float, float], radius: float
                 ) -> torch.Tensor:
    """Which points' rays towards the light pass within reach of a sphere (penumbra included)."""
    direction = light.direction.to(points)
    rel = torch.tensor(centre).to(points) - points
    along = (rel @ direction).clamp_min(0)
    miss = (rel - along[:, None] * direction).norm(dim=1)
    return miss < radius + light.spread * along + 0.1


def _bounds(caster) -> tuple[tuple[float, float, float], float]:
    """A bounding sphere of a caster (centre, radius), from its SDF's own box."""
    if isinstance(caster, Sphere):
        return caster.centre, caster.radius
    if isinstance(caster, Cylinder):
        half = (caster.top - caster.bottom) / 2
        return (caster.x, caster.bottom + half, caster.z), math.hypot(caster.radius, half)
    if isinstance(caster, Box):
        centre = tuple((a + b) / 2 for a, b in zip(caster.low, caster.high))
        return centre, math.dist(caster.low, caster.high) / 2  # type: ignore[return-value]
    if isinstance(caster, Arch):
        top = caster.shoulder + caster.half_width
        return (caster.x, top / 2, caster.z_back), math.hypot(caster.half_width, top / 2) + caster.thickness
    raise TypeError(type(caster))


def _occlusion(casters: list, points: torch.Tensor, normals: torch.Tensor) -> torch.Tensor:
    """Ambient occlusion where surfaces meet casters (a podium on the floor, a ball by the wall)."""
    ao = torch.ones(points.shape[0], dtype=points.dtype, device=points.device)
    if not casters:
        return ao
    near = (union_sdf(casters, points + normals * 0.05) < 0.5).nonzero()[:, 0]
    if near.numel() == 0:
        return ao
    occluded = torch.zeros(near.numel(), dtype=points.dtype, device=points.device)
    for step, weight in ((0.06, 1.0), (0.16, 0.6), (0.35, 0.3)):
        sample = points[near] + normals[near] * step
        occluded += weight * (step - union_sdf(casters, sample)).clamp_min(0) / step
    ao[near] = (1 - 0.55 * occluded).clamp(0.25, 1)
    return ao


def _painted(texture: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """A painted wall texture spread over the wall (x across, y up), mirrored beyond its edges."""
    grid = torch.stack([p[:, 0] / 3.0, 1 - p[:, 1] / 2.5], -1).reshape(1, 1, -1, 2)
    return F.grid_sample(texture[None].float(), grid, mode="bilinear", padding_mode="reflection",
                         align_corners=False)[0, :, 0].T


def _tone(colour: torch.Tensor) -> torch.Tensor:
    """Keep highlights from clipping flat: linear to 0.8, then a soft shoulder towards 1."""
    shoulder = 0.8 + 0.2 * torch.tanh((colour - 0.8) / 0.2)
    return torch.where(colour > 0.8, shoulder, colour)


def _antialias(image: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """Soften the one-pixel staircase where one surface meets another (3x3 mean on those pixels)."""
    edge = torch.zeros_like(ids, dtype=torch.bool)
    edge[:, 1:] |= ids[:, 1:] != ids[:, :-1]
    edge[1:, :] |= ids[1:, :] != ids[:-1, :]
    rows, cols = edge.nonzero(as_tuple=True)
    if rows.numel() == 0:
        return image
    height, width = ids.shape
    total = torch.zeros(3, rows.numel(), dtype=image.dtype, device=image.device)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            total += image[:, (rows + dr).clamp(0, height - 1), (cols + dc).clamp(0, width - 1)]
    softened = image.clone()
    softened[:, rows, cols] = total / 9
    return softened


def _depth_of_field(image: torch.Tensor, depth: torch.Tensor, focus: float, amount: float) -> torch.Tensor:
    """Blur what lies behind the product's plane, more the further behind it is."""
    if amount <= 0:
        return image
    height, width = depth.shape
    sigma = 0.0025 * max(height, width) * amount  # at full resolution
    small = F.interpolate(image[None], scale_factor=0.5, mode="bilinear", align_corners=False, antialias=True)
    blurred = _gaussian(small, sigma / 2)
    blurred = F.interpolate(blurred, size=(height, width), mode="bilinear", align_corners=False)[0]
    behind = ((depth - focus) / (0.5 * focus)).clamp(0, 1)[None]
    return image * (1 - behind) + blurred * behind


def _gaussian(image: torch.Tensor, sigma: float) -> torch.Tensor:
    radius = max(1, int(3 * sigma))
    x = torch.arange(-radius, radius + 1, dtype=image.dtype, device=image.device)
    kernel = torch.exp(-x ** 2 / (2 * max(sigma, 1e-3) ** 2))
    kernel = kernel / kernel.sum()
    channels = image.shape[1]
    padded = F.pad(image, (radius, radius, 0, 0), mode="replicate")
    image = F.conv2d(padded, kernel.view(1, 1, 1, -1).expand(channels, 1, 1, -1), groups=channels)
    padded = F.pad(image, (0, 0, radius, radius), mode="replicate")
    return F.conv2d(padded, kernel.view(1, 1, -1, 1).expand(channels, 1, -1, 1), groups=channels)
