"""StyleLab web app: `python app.py` locally, or as a Hugging Face Space (app_file: app.py).

Settings come from environment variables; see stylelab/settings.py and the README's Settings table.
"""
from __future__ import annotations

import os

# No outside calls: no analytics, no hub telemetry, no hub downloads.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402
import skimage.data  # noqa: E402
from PIL import Image  # noqa: E402

from stylelab.web.actions import WebActions  # noqa: E402
from stylelab.store.accounts import UsersFile  # noqa: E402
from stylelab.store.workspaces import browser_secret  # noqa: E402
from stylelab.web.auth import MAX_WRONG_PASSWORDS, AccountAuth, AdminAuth  # noqa: E402
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
    app = build_app(WebActions(studio), engine.device_name, admin, catalog,
                    browser_secret=browser_secret(settings.data_dir), hf_login=settings.hf_oauth,
                    creative=CreativeActions(studio))
    app.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size)
    return app, settings


SIGN_IN_MESSAGE = ("Sign in to StyleLab: your templates are your own and follow you to any browser. After "
                   f"{MAX_WRONG_PASSWORDS} wrong passwords for a name, its sign-in pauses for a minute.")


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
    app.launch(
        auth=auth,
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
