"""What a click changes: the region it lands on and what hangs together with it, nothing far away."""
from __future__ import annotations

import numpy as np

from stylelab.product.grabcut import near_clicks
from stylelab.product.regions import ClickRegions


def test_a_click_changes_what_hangs_together_with_its_region_and_nothing_far_from_it():
    before = np.zeros((40, 60), bool)
    before[5:35, 5:30] = True                  # the product the box kept, with a slab of backdrop at its side
    before[10:30, 30:40] = True
    after = before.copy()
    after[10:30, 30:40] = False               # GrabCut, redone, drops the slab the click landed on ...
    after[5:12, 5:15] = False                 # ... and, settling anew, a corner of the product far from it
    clicked = np.zeros_like(before)
    clicked[18:22, 34:38] = True
    corrected = near_clicks(before, after, ClickRegions(np.zeros_like(before), clicked))
    assert not corrected[10:30, 30:40].any()  # the slab is gone
    assert corrected[5:12, 5:15].all()        # the far corner stays as it was
