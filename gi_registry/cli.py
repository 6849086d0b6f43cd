"""`flask gi ...`: administration commands calling the same services as the views."""

import click
from flask.cli import AppGroup

gi = AppGroup("gi", help="Boshan Glass GI registry administration.")


@gi.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--name", default="")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["producer", "reviewer", "approver", "station_operator", "admin"]))  # fmt: skip
def create_user_command(email: str, password: str, name: str, roles: tuple[str, ...]) -> None:
    """Create an account with one or more roles (repeat --role)."""
    from .accounts.services import create_user
    from .exceptions import Invalid
    from .models import Role

    try:
        user = create_user(email, password, {Role(r) for r in roles}, None, name=name)
    except Invalid as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created {user.email} with roles: {', '.join(sorted(user.roles))}")


@gi.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo accounts, enterprises and applications (once)."""
    from . import categories
    from .demo import LOGINS, seed_demo
    from .standards.services import load_standards_if_missing

    load_standards_if_missing()  # applications are made against the standard in force
    created = seed_demo(categories.slugs())
    click.echo("Demo data loaded." if created else "Demo data already present.")
    click.echo("Demo logins (email / password):")
    for email, password in LOGINS:
        click.echo(f"  {email:32} {password}")


@gi.command("audit-verify")
def audit_verify_command() -> None:
    """Check the audit log's hash chain and report the first broken link."""
    from .audit.services import verify_chain

    checked, broken = verify_chain()
    if broken:
        click.echo(f"BROKEN at entry {broken.entry_id}: {broken.reason} "
                   f"({checked} entries before it are intact)")  # fmt: skip
        raise SystemExit(1)
    click.echo(f"Audit chain intact: {checked} entries.")


from .certificates import cli as _certificates_cli  # noqa: E402, F401  (keys-*, verify-qr)
from .labels import cli as _labels_cli  # noqa: E402, F401  (labels-issue, labels-worker)
from .reports import cli as _reports_cli  # noqa: E402, F401  (reports-check)


@gi.command("backup")
@click.option("--out", help="File, or folder for a dated name (default: instance/backups/).")
@click.option("--with-config", is_flag=True, help="Also include instance/config.py (secrets).")
def backup_command(out: str | None, with_config: bool) -> None:
    """Write one consistent backup file: every table, uploads, keys, labels and a manifest."""
    from .backup import BackupRefused, create_backup

    try:
        report = create_backup(out, with_config)
    except BackupRefused as refused:
        raise click.ClickException(str(refused)) from None
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"Backup written: {report.path} ({report.tables} tables, {report.rows} rows, "
               f"{report.files} files; manifest SHA-256 {report.manifest_sha256}).")  # fmt: skip
    click.echo("It holds the signing keys: keep it as safe as instance/keys; copy it elsewhere.")


@gi.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace a database or files that already hold data.")
@click.option("--with-config", is_flag=True, help="Also restore instance/config.py if backed up.")
def restore_command(file: str, yes: bool, with_config: bool) -> None:
    """Check a backup against its manifest and restore the database and files from it."""
    from .backup import BackupRefused
    from .restore import restore_backup

    try:
        report = restore_backup(file, replace=yes, with_config=with_config)
    except BackupRefused as refused:
        raise click.ClickException(str(refused)) from None
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"Restored {report.path.name}: {report.tables} tables, {report.rows} rows and "
               f"{report.files} files, all matching the manifest.")  # fmt: skip


@gi.command("standards-check")
@click.option("--dir", "directory", type=click.Path(file_okay=False, exists=True),
              help="Folder of standard files (default: STANDARDS_DIR).")  # fmt: skip
def standards_check_command(directory: str | None) -> None:
    """Check every product standard file; list each problem with file, line, field and reason."""
    from flask import current_app
    from sqlalchemy.exc import SQLAlchemyError

    from .standards.services import check_files
    from .standards.spec import check_directory

    directory = directory or current_app.config["STANDARDS_DIR"]
    try:  # also catch edits to versions the database records as published
        problems = check_files(directory)
    except SQLAlchemyError:
        click.echo("(database not available: published versions not compared)", err=True)
        problems = check_directory(directory)
    for p in problems:
        click.echo(f"{p.file}:{p.line or '?'}: {p.field or '(file)'}: {p.message} [{p.reason}]")
    if problems:
        click.echo(f"{len(problems)} problem(s) found.")
        raise SystemExit(1)
    click.echo(f"All standard files in {directory} are valid.")


@gi.command("standards-sync")
@click.option("--dir", "directory", type=click.Path(file_okay=False, exists=True),
              help="Folder of standard files (default: STANDARDS_DIR).")  # fmt: skip
def standards_sync_command(directory: str | None) -> None:
    """Load the product standard files into the database; published versions cannot change."""
    from .standards.services import SyncRefused, sync_standards

    try:
        report = sync_standards(directory)
    except SyncRefused as refused:
        for line in refused.problems:
            click.echo(line, err=True)
        click.echo("Refused: nothing was loaded.", err=True)
        raise SystemExit(1) from None
    for line in report.changes:
        click.echo(line)
    click.echo("Standards up to date." if not report.changes else
               f"{len(report.changes)} change(s) recorded in the audit log.")  # fmt: skip
