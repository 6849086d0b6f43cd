"""The Boshan Glass (博山琉璃) geographical-indication registry."""

import os
from pathlib import Path

from flask import Flask

from .config import INSECURE_SECRET_KEY, ROOT, DefaultConfig, environment_overrides
from .extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors and commands."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def load_config(app: Flask, test_config: dict | None) -> None:
    """Defaults, then instance/config.py, then FLASK_* and DATABASE_URL, then the test mapping."""
    app.config.from_object(DefaultConfig)
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        f"sqlite:///{Path(app.instance_path) / 'gi_registry.sqlite3'}"
    )
    app.config["UPLOAD_DIR"] = str(Path(app.instance_path) / "uploads")
    app.config["KEYS_DIR"] = str(Path(app.instance_path) / "keys")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
        app.config.update(environment_overrides())
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["SECRET_KEY"] == INSECURE_SECRET_KEY and not (app.debug or app.testing):
        raise RuntimeError(
            "Refusing to start with the default SECRET_KEY. Set it in instance/config.py or "
            "FLASK_SECRET_KEY (`make instance/config.py` writes a random one)."
        )


def register_extensions(app: Flask) -> None:
    """Bind the extensions and the request hooks they need."""
    from . import assets, i18n, security
    from .accounts.services import load_user

    db.init_app(app)
    # Batch mode lets Alembic alter tables on SQLite too.
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=";".join(i18n.translation_directories()),
    )
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = i18n.LOGIN_REQUIRED_MESSAGE
    login_manager.login_message_category = "warning"
    i18n.init_app(app)
    security.init_app(app)
    assets.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per area of the site."""
    from .accounts.views import bp as accounts_bp
    from .api.views import bp as api_bp
    from .audit.views import bp as audit_bp
    from .authorization.views import bp as authorization_bp
    from .certificates.views import bp as certificates_bp
    from .dashboard.views import bp as dashboard_bp
    from .enterprises.views import bp as enterprises_bp
    from .labels.views import bp as labels_bp
    from .main.views import bp as main_bp
    from .registry.views import bp as registry_bp
    from .reports.views import bp as reports_bp
    from .standards.conformance_views import bp as conformance_bp
    from .standards.views import bp as standards_bp
    from .stations.views import bp as stations_bp
    from .verify.views import bp as verify_bp

    for bp in (main_bp, accounts_bp, enterprises_bp, authorization_bp, audit_bp, api_bp,
               stations_bp, registry_bp, labels_bp, certificates_bp, verify_bp, reports_bp,
               dashboard_bp, standards_bp, conformance_bp):  # fmt: skip
        app.register_blueprint(bp)


def register_errors(app: Flask) -> None:
    """Bilingual error pages; no stack trace reaches a user."""
    from .errors import register

    register(app)


def register_commands(app: Flask) -> None:
    """`flask gi ...` commands."""
    from .cli import gi

    app.cli.add_command(gi)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals shared by every template."""
    from .templating import register

    register(app)
