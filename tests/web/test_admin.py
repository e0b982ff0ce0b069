"""Admin back end: sign-in, the job queue, and the usage/ratings dashboard."""
from __future__ import annotations

import threading
import time

import pytest
import skimage.data
from PIL import Image

from stylelab import StyleLabError
from stylelab.store.jobs import JobManager
from stylelab.store.usage import UsageLog
from stylelab.web.auth import AdminAuth
from stylelab.web.admin_actions import AdminActions
from stylelab.engine import RestyleSettings, StyleEngine
from stylelab.engine.precision import int8_supported
from stylelab.errors import UserFacingError
from stylelab.settings import AppSettings
from stylelab.studio import Photo, StyleChoice, Studio
from tests.conftest import sample_picture


def test_admin_auth_accepts_only_the_configured_password():
    auth = AdminAuth("s3cret")
    auth.check("s3cret")
    for wrong in ("", "s3cre", "S3CRET", None, 123):
        with pytest.raises(StyleLabError, match="sign-in required"):
            auth.check(wrong)
    with pytest.raises(StyleLabError, match="switched off"):
        AdminAuth(None).check("anything")


def test_jobs_run_one_at_a_time_and_queued_jobs_can_be_cancelled():
    manager = JobManager()
    running = threading.Event()
    release = threading.Event()

    def slow(job):
        running.set()
        release.wait(10)
        return "done"

    first = manager.submit("first", slow)
    second = manager.submit("second", lambda job: "second done")
    assert running.wait(5)
    assert first.status == "running" and second.status == "queued"
    manager.cancel(second.id)
    assert second.status == "cancelled"
    release.set()
    deadline = time.monotonic() + 5
    while not first.done and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.status == "finished" and first.result == "done"
    failing = manager.submit("broken", lambda job: 1 / 0)
    while not failing.done:
        time.sleep(0.05)
    assert failing.status == "failed" and "logged" in failing.message
    assert manager.submit("after", lambda job: "fine") is not None, "a failed job does not stop the worker"


def test_uses_and_ratings_are_summarised_per_template_and_version(tmp_path, engine):
    settings = AppSettings(data_dir=tmp_path, device="cpu", max_side=800, max_files=5, preview_side=128,
                           concurrency=1, queue_size=4, max_upload_mb=10, admin_password="pw")
    studio = Studio(engine, settings, sample_photo=Image.fromarray(skimage.data.coffee()))
    photo = Photo("mug", sample_picture("coffee", (120, 90)))
    results = studio.restyle([photo, photo], StyleChoice(template="Ink wash"), RestyleSettings())
    studio.rate(results[0], "up")
    studio.rate(results[1], "down")
    studio.rate(results[1], "down")
    (row,) = studio.usage.summary()
    assert row[:3] == ["Ink wash", "v0", 2] and row[5:] == [1, 2, 1]  # thumbs up, down, people
    assert 0 < row[3] < 1
    csv_text = studio.usage.summary_csv()
    assert csv_text.splitlines()[0].startswith("Template,Version,Uses")
    with open(studio.usage.path, "a") as stream:
        stream.write('{"kind": "use", "templ')  # a line cut short by a crash
    assert studio.usage.summary()[0][2] == 2
    admin = AdminActions(studio, AdminAuth("pw"))
    with pytest.raises(UserFacingError, match="sign-in required"):
        admin.dashboard("nope")
    assert admin.dashboard("pw")[0][0] == "Ink wash"
    assert open(admin.dashboard_csv("pw"), newline="").read() == csv_text


def test_usage_log_refuses_unknown_kinds(tmp_path):
    with pytest.raises(ValueError):
        UsageLog(tmp_path).record("hack")


@pytest.mark.parametrize("precision", ["fp32", pytest.param("int8", marks=pytest.mark.skipif(
    not int8_supported(), reason="int8 needs an x86-64 CPU with AVX2 (oneDNN)"))])
def test_the_admin_sees_the_verdict_and_is_warned_when_publishing_a_run_that_did_not_improve(tmp_path, engine,
                                                                                             precision):
    from stylelab.web.auth import AdminAuth

    if precision == "int8":  # where `auto` serves in int8, fine-tuning still starts from the float network
        engine = StyleEngine(device_request="cpu", precision_request="int8")

    settings = AppSettings(data_dir=tmp_path / "data", device="cpu", max_side=400, max_files=5, preview_side=64,
                           concurrency=1, queue_size=8, max_upload_mb=10, admin_password="pw")
    admin = AdminActions(Studio(engine, settings, Image.fromarray(skimage.data.coffee())), AdminAuth("pw"))
    style = tmp_path / "style.png"
    sample_picture("rocket", (128, 96)).save(style)
    photos = []
    for index, name in enumerate(("coffee", "chelsea", "astronaut")):
        photos.append(tmp_path / f"photo{index}.png")
        sample_picture(name, (96, 72)).save(photos[-1])
    # one step at a vanishing learning rate: a run that changes nothing
    job_id, _ = admin.start_finetune("pw", None, str(style), [str(p) for p in photos], "Rocket", "embedding", 1, 1e-9,
                                     1, 64, 1.0, 2.0, 0.1, 0.0)
    deadline = time.monotonic() + 240
    while not admin.jobs.get(job_id).done and time.monotonic() < deadline:
        time.sleep(0.2)
    status, _, picture = admin.job_status("pw", job_id)
    assert "Verdict: no improvement" in status and "not worth publishing" in status
    assert picture is not None
    message = admin.publish("pw", job_id)
    assert message.startswith("Published **Rocket** v001")
    assert "Warning:" in message and "did not bring the style closer" in message and "roll back" in message
