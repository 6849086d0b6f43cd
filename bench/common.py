"""What the benchmark's scripts share: where its files live, the two scales, the app settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
SECRET_KEY = "bench-only-secret-key-not-for-production"
PUBLIC_BASE_URL = "https://gi.example.test"
ADMIN_EMAIL = "bench-admin@example.org"


@dataclass(frozen=True)
class Scale:
    name: str
    producers: int
    open_applications: int
    certificates: int
    labels: int
    labels_per_batch: int
    certificate_scans: int
    scanned_labels: int  # labels with a scan history (1 to 4 scans each, some many more)
    fake_reports: int


FULL = Scale("full", producers=2400, open_applications=600, certificates=100_000,
             labels=1_000_000, labels_per_batch=5000, certificate_scans=300_000,
             scanned_labels=150_000, fake_reports=400)  # fmt: skip
QUICK = Scale("quick", producers=200, open_applications=60, certificates=2_000, labels=20_000,
              labels_per_batch=1000, certificate_scans=5_000, scanned_labels=3_000,
              fake_reports=30)  # fmt: skip


def sqlite_url(scale: Scale) -> str:
    return f"sqlite:///{OUT / f'bench-{scale.name}.sqlite3'}"


def postgres_url(scale: Scale) -> str | None:
    """The bench database on the server of DATABASE_URL (gi_bench, or gi_bench_quick)."""
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not base or not base.startswith(("postgres://", "postgresql")):
        return None
    import sqlalchemy as sa

    from gi_registry.config import normalise_database_url

    url = sa.engine.make_url(normalise_database_url(base))
    name = "gi_bench" if scale.name == "full" else f"gi_bench_{scale.name}"
    return url.set(database=name).render_as_string(hide_password=False)


def add_database_arguments(parser) -> None:
    """The bench database a tool works on: `sqlite|postgres` and --quick (bench-quick's)."""
    parser.add_argument("database", choices=("sqlite", "postgres"))
    parser.add_argument("--quick", action="store_true", help="the small database of bench-quick")


def chosen_database(parser, args) -> tuple[Scale, str]:
    """The scale and URL of the database named by add_database_arguments' arguments."""
    scale = QUICK if args.quick else FULL
    url = sqlite_url(scale) if args.database == "sqlite" else postgres_url(scale)
    if url is None:
        parser.error("postgres needs DATABASE_URL naming a PostgreSQL server")
    return scale, url


def app_settings(url: str, scale: Scale) -> dict:
    """The settings the bench runs the registry with (also passed to gunicorn as FLASK_*)."""
    folder = OUT / f"instance-{scale.name}"
    return {
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": url,
        "KEYS_DIR": str(folder / "keys"),
        "LABELS_DIR": str(folder / "labels"),
        "UPLOAD_DIR": str(folder / "uploads"),
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


def make_app(url: str, scale: Scale, **extra):
    """The registry app on the bench database (instance/config.py and the environment ignored)."""
    from gi_registry import create_app

    return create_app({**app_settings(url, scale), **extra})
