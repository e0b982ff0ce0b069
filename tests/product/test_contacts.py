"""Where a cut-out touches the ground: every foot found, each placed at its own depth."""
from __future__ import annotations

import numpy as np
from PIL import Image

from stylelab.product.scene.camera import aim_camera
from stylelab.product.scene.contacts import find_contacts, touching_runs


def two_wheels_seen_from_above() -> Image.Image:
    """A car-like body whose rear wheel sits higher in the picture than its front wheel (further back),
    with a spout-like hook hanging lower than the body's middle but far above the wheels."""
    alpha = np.zeros((100, 200), np.uint8)
    alpha[20:70, 10:190] = 255  # the body
    alpha[60:99, 30:60] = 255  # the front wheel: touches at the bottom row
    alpha[60:85, 140:170] = 255  # the rear wheel: touches 14 rows higher
    alpha[0:40, 185:200] = 255  # a hook in the air on the right
    rgba = np.zeros((100, 200, 4), np.uint8)
    rgba[..., 3] = alpha
    return Image.fromarray(rgba, "RGBA")


def test_each_wheel_is_a_contact_and_the_higher_one_lies_further_back():
    cutout = two_wheels_seen_from_above()
    box = (100, 200, 300, 300)
    camera = aim_camera((400, 500), box, support=0.5, lift=3.0)  # looking down at the set
    contacts = find_contacts(cutout, box, camera, support=0.5)
    assert len(contacts) == 2, contacts
    front, rear = sorted(contacts, key=lambda c: c.x)
    assert front.x < 0 < rear.x, "the wheels are left and right of the middle, as in the picture"
    assert rear.z < front.z - 0.05, "the wheel higher in the picture stands further from the camera"
    assert all(contact.z <= 0 for contact in contacts), "footprints lie behind the outline's front edge"


def test_a_flat_base_is_one_contact_the_width_of_the_base():
    alpha = np.zeros((120, 60), np.uint8)
    alpha[10:120, 15:45] = 255
    rgba = np.zeros((120, 60, 4), np.uint8)
    rgba[..., 3] = alpha
    runs = touching_runs(alpha)
    assert len(runs) == 1 and runs[0][:2] == (15, 44)
    box = (50, 40, 110, 160)
    contacts = find_contacts(Image.fromarray(rgba, "RGBA"), box, aim_camera((200, 200), box, 0.0, 0.6), 0.0)
    assert len(contacts) == 1 and abs(contacts[0].x) < 0.02 and abs(2 * contacts[0].half_width - 30 / 120) < 0.02
