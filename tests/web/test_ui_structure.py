"""The UI is a thin layer: its modules never load torch, and app.py keeps the app offline."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ui_modules_do_not_import_torch():
    code = ("import sys; import stylelab.web.layout, stylelab.web.restyle_tab, stylelab.web.compare_tab, "
            "stylelab.web.templates_tab, stylelab.web.creatives_tab; print('torch' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "False"


def test_app_sets_offline_defaults_before_gradio_loads():
    source = (ROOT / "app.py").read_text()
    for setting in ('"GRADIO_ANALYTICS_ENABLED", "False"', '"HF_HUB_DISABLE_TELEMETRY", "1"', '"HF_HUB_OFFLINE", "1"'):
        assert f"os.environ.setdefault({setting})" in source
    assert source.index("HF_HUB_OFFLINE") < source.index("import gradio")
