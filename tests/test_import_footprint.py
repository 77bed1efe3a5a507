"""What an app process imports at start (issue 19, target 5: each gunicorn worker
<= 300 MB RSS). Workers do not share pages (no preload), so every module imported
at start is paid once per worker. These libraries are large and not needed to
serve a page: scipy.stats (~50 MB; the statistics use scipy.special, the functions
scipy.stats itself calls) and python-pptx (~13 MB with Pillow's imaging; the board
pack's PowerPoint renderer imports it when a pack is made); nor are plotly's figure
classes used (~11 MB of validators: figures are plain dicts, the theme's template
one too), nor Alembic (~8 MB with Mako: only the command line migrates)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

NOT_AT_START = ("scipy.stats", "pptx", "plotly.graph_objs.layout", "alembic")


def test_a_started_app_has_not_imported_the_heavy_libraries(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/vru.sqlite3",
        "INSTANCE_DIR": str(tmp_path),
        "SECRET_KEY": "import-footprint-test-secret",
        "VRU_DEMO": "0",
        "CACHE_TYPE": "NullCache",
        "PYTHONWARNINGS": "ignore",
    }
    env.pop("REDIS_URL", None)
    script = (
        "import json, sys\n"
        "import app\n"
        # a first request: Dash finishes its setup on a process's first request
        "app.server.test_client().get('/signin')\n"
        f"print(json.dumps([m for m in {list(NOT_AT_START)!r} if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
