"""StyleLab web app: `python app.py` locally, or as a Hugging Face Space (app_file: app.py).

Settings come from environment variables; see stylelab/settings.py and the README's Settings table.
"""
from __future__ import annotations

import os

# No outside calls: no analytics, no hub telemetry, no hub downloads.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from stylelab.engine.memory import tune_allocator  # noqa: E402

tune_allocator()  # before any worker thread starts: big buffers go back to the system when freed

import gradio as gr  # noqa: E402
import skimage.data  # noqa: E402
from PIL import Image  # noqa: E402

from stylelab.web.actions import WebActions  # noqa: E402
from stylelab.store.accounts import UsersFile  # noqa: E402
from stylelab.store.workspaces import WorkspaceKeys, browser_storage_secret  # noqa: E402
from stylelab.web.auth import FREE_GUESSES, MAX_DELAY, AccountAuth, AdminAuth  # noqa: E402
from stylelab.web.sessions import Housekeeping  # noqa: E402
from stylelab.web.workspace import use_workspace_keys  # noqa: E402
from stylelab.web.admin_actions import AdminActions  # noqa: E402
from stylelab.engine import StyleEngine  # noqa: E402
from stylelab.errors import StyleLabError  # noqa: E402
from stylelab.web.gan_actions import CatalogActions  # noqa: E402
from stylelab.settings import AppSettings  # noqa: E402
from stylelab.studio import Studio  # noqa: E402
from stylelab.web.box_prompt import DRAG_SCRIPT  # noqa: E402
from stylelab.web.creative_actions import CreativeActions  # noqa: E402
from stylelab.web.layout import CSS, THEME, build_app  # noqa: E402


def create_app(settings: AppSettings | None = None) -> tuple[gr.Blocks, AppSettings]:
    settings = settings or AppSettings.from_environment()
    engine = StyleEngine(device_request=settings.device, precision_request=settings.precision)
    studio = Studio(engine, settings, sample_photo=Image.fromarray(skimage.data.coffee()))
    admin = AdminActions(studio, AdminAuth(settings.admin_password))
    catalog = CatalogActions(studio, admin.auth, admin.jobs)  # one job queue for fine-tuning and generators
    use_workspace_keys(WorkspaceKeys(settings.data_dir))
    results_seconds = round(settings.results_hours * 3600)
    app = build_app(WebActions(studio), engine.device_name, admin, catalog,
                    browser_storage=browser_storage_secret(settings.data_dir), hf_login=settings.hf_oauth,
                    delete_cache=(min(3600, results_seconds), results_seconds), creative=CreativeActions(studio))
    app.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size)
    return app, settings


SIGN_IN_MESSAGE = ("Sign in to StyleLab: your templates are your own and follow you to any browser. After "
                   f"{FREE_GUESSES} wrong passwords for a name, each sign-in waits a little longer (at most "
                   f"{MAX_DELAY:.0f} s).")


def trust_forwarded_for(settings: AppSettings) -> None:
    """uvicorn believes X-Forwarded-For from the addresses in FORWARDED_ALLOW_IPS (by default loopback,
    so any local client could claim any address); only the proxies named in STYLELAB_TRUSTED_PROXIES."""
    os.environ["FORWARDED_ALLOW_IPS"] = ",".join(settings.trusted_proxies)


def account_sign_in(settings: AppSettings) -> AccountAuth | None:
    """Gradio's sign-in against the users file, when one is configured."""
    if settings.users_file is None:
        return None
    users = UsersFile(settings.users_file)
    if not users.names():
        raise StyleLabError(f"STYLELAB_USERS_FILE names '{settings.users_file}', which has no users yet; add one "
                            "with `python -m stylelab users add NAME`.")
    return AccountAuth(users)


def main() -> None:
    try:
        app, settings = create_app()
        auth = account_sign_in(settings)
    except StyleLabError as error:  # e.g. an unwritable data folder: one sentence, no traceback
        raise SystemExit(f"StyleLab cannot start: {error}") from None
    trust_forwarded_for(settings)
    Housekeeping(app, settings.session_minutes * 60, settings.results_hours * 3600).start()
    app.launch(
        auth=auth.sign_in if auth else None,
        auth_message=SIGN_IN_MESSAGE if auth else None,
        theme=THEME,
        css=CSS,
        head=DRAG_SCRIPT,
        max_file_size=f"{settings.max_upload_mb}mb",
        footer_links=["api"],
        show_error=True,
    )


if __name__ == "__main__":
    main()
