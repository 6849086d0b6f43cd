"""The production server settings (gunicorn.conf.py) that are code rather than numbers."""

import gc
import importlib.util
from pathlib import Path
from types import SimpleNamespace

from flask import Flask

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def load_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_master_freezes_what_it_loaded_before_it_forks_the_workers():
    """Objects loaded once in the master are left out of the workers' garbage collections."""
    conf = load_conf()
    app = Flask("floor")  # an app without the registry's database (as the bench floor)
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        conf.when_ready(server)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
