"""Brand kits per workspace and the house kit; creative ratings in their own dashboard rows."""
from __future__ import annotations

import csv
import io

from stylelab.store.brand_kits import BrandKitStore
from stylelab.store.usage import CREATIVE_HEADERS, UsageLog
from stylelab.store.workspaces import user_workspace

ALICE = user_workspace("alice")
BOB = user_workspace("bob")


def test_a_workspace_sees_its_own_kit_else_the_house_kit_and_a_new_save_replaces_the_old_whole(tmp_path):
    store = BrandKitStore(tmp_path)
    assert store.load(ALICE) is None
    store.save(None, {"colours": ["#000000"], "cta": "Buy"}, b"house-logo")
    store.save(ALICE, {"colours": ["#112233"], "cta": "Shop"}, b"alice-logo")
    assert store.load(ALICE).fields["cta"] == "Shop" and store.load(ALICE).logo_png == b"alice-logo"
    assert store.load(BOB).source == "house" and store.load(BOB).logo_png == b"house-logo"
    store.save(ALICE, {"colours": ["#445566"], "cta": "Order"}, b"new-logo")
    again = store.load(ALICE)
    assert (again.fields["colours"], again.logo_png, again.source) == (["#445566"], b"new-logo", "yours")
    assert not list(tmp_path.rglob("*.partial"))  # nothing half-written left behind


def test_creative_ratings_add_up_per_layout_and_headline_and_stay_out_of_the_template_rows(tmp_path):
    log = UsageLog(tmp_path)
    for rating, workspace in (("good", ALICE), ("winner", ALICE), ("not good", BOB)):
        log.record("creative rating", rating=rating, layout="bottom band", format="Social 4:5",
                   headline="Made to last", shot="podium seed 1", template=None, workspace=workspace.id)
    log.record("use", template="Ink wash", version="v0", ssim=0.8, psnr=20.0)
    assert [row[0] for row in log.summary()] == ["Ink wash"]
    assert log.creative_summary() == [["bottom band", "Social 4:5", "Made to last", "podium seed 1", "—", 1, 1, 1, 2]]
    rows = list(csv.reader(io.StringIO(log.creative_summary_csv())))
    assert rows[0] == CREATIVE_HEADERS and rows[1][:3] == ["bottom band", "Social 4:5", "Made to last"]
