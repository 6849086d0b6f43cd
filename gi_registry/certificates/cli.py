"""`flask gi keys-*`, `certificates-reissue` and `verify-qr`: keys, reissues, offline checks."""

import getpass
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import click

from ..cli import gi


def operator() -> str:
    """Who ran the command, for the audit log (the CLI has no signed-in user)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return f"cli:{name}"


@gi.command("keys-init")
def keys_init_command() -> None:
    """Create the first signing key in KEYS_DIR if there is none (safe to run again)."""
    from .services import init_keys, keystore

    kid = init_keys()
    click.echo(f"Active signing key: {kid} (in {keystore().path})")


@gi.command("keys-rotate")
def keys_rotate_command() -> None:
    """Start a new signing key; certificates signed with the older keys stay valid."""
    from .services import rotate_keys

    click.echo(f"New active signing key: {rotate_keys(operator())}")


@gi.command("keys-retire")
@click.argument("kid")
@click.option("--reason", required=True, help="Why the key is withdrawn (kept in the audit log).")
def keys_retire_command(kid: str, reason: str) -> None:
    """Withdraw a compromised key: everything it signed fails verification from now on."""
    from ..exceptions import Invalid
    from .services import retire_key

    try:
        affected = retire_key(kid, reason, operator())
    except Invalid as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Key {kid} withdrawn. {affected} current certificate(s) were signed with it;")
    click.echo(f"reissue them with: flask gi certificates-reissue --kid {kid}")


@gi.command("certificates-reissue")
@click.option("--kid", required=True, help="Reissue the current certificates signed by this key.")
@click.option("--reason", default="", help="Reason recorded with each reissue.")
def certificates_reissue_command(kid: str, reason: str) -> None:
    """Reissue, with the active key, every current certificate signed by KID."""
    from .services import reissue_signed_by

    certificates = reissue_signed_by(kid, None, reason or f"key {kid} withdrawn ({operator()})")
    for certificate in certificates:
        click.echo(f"  {certificate.number}  {certificate.holder_name}")
    click.echo(f"{len(certificates)} certificate(s) reissued.")


def read_qr_text(source: str) -> str:
    """The QR text in `source`: an image or PDF file to decode, or the text itself."""
    from . import qr

    path = Path(source)
    try:
        is_file = len(source) < 4096 and path.is_file()
    except OSError:  # e.g. a name longer than the file system allows: text, not a file
        is_file = False
    if not is_file:
        return source
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        data = rasterise_pdf(path)
    try:
        texts = qr.decode(data)
    except Exception as error:  # Pillow raises several kinds for files that are not images
        raise click.ClickException(f"{source}: not a readable image ({error})") from None
    if not texts:
        raise click.ClickException(f"{source}: no QR code found in the image")
    return texts[0]


def rasterise_pdf(path: Path) -> bytes:
    """The first page of a PDF as a PNG, through poppler's pdftoppm."""
    if shutil.which("pdftoppm") is None:
        raise click.ClickException("reading a PDF needs pdftoppm (Debian: poppler-utils)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "page"
        subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile",
                        str(path), str(out)], check=True, capture_output=True)  # fmt: skip
        return out.with_suffix(".png").read_bytes()


def load_json(path: str, what: str) -> dict:
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise click.ClickException(f"cannot read the {what} file {path}: {error}") from None


@gi.command("verify-qr")
@click.argument("source")
@click.option("--keys", "keys_file", help="Published key set (gi-keys.json); default: local keys.")
@click.option("--status", "status_file", help="Published status list (gi-status.json).")
def verify_qr_command(source: str, keys_file: str | None, status_file: str | None) -> None:
    """Check a certificate QR (image, PDF or text) offline; exit 1 when it is not valid."""
    from .keys import KeySet
    from .payload import StatusListError, verify_qr_text, verify_status_list
    from .services import keystore

    keyset = KeySet.from_json(load_json(keys_file, "keys")) if keys_file else keystore().keyset()
    status = None
    if status_file:
        try:
            status = verify_status_list(load_json(status_file, "status"), keyset)
        except StatusListError as error:
            raise click.ClickException(f"status list refused: {error}") from None
    text = read_qr_text(source)
    verdict = verify_qr_text(text, keyset, status)
    click.echo(f"Verdict: {verdict.state.value.upper().replace('_', ' ')}")
    click.echo(f"Reason: {verdict.reason}")
    if verdict.fields:
        f = verdict.fields
        click.echo(f"Certificate: {f.certificate_number}\nCredit code: {f.credit_code}\n"
                   f"Scope: {', '.join(f.scope)}\nStandard: {f.standard_code} {f.standard_version}\n"
                   f"Valid: {f.valid_from.isoformat()} to {f.valid_until.isoformat()}\nKey: {f.kid}")  # fmt: skip
    click.echo(f"Address: {text.partition('#')[0]}")
    if verdict.superseded_by:
        click.echo(f"Current certificate: {verdict.superseded_by}")
    if status is None:
        click.echo("Note: no status list given (--status), so suspension and revocation were "
                   "not checked.")  # fmt: skip
    else:
        click.echo(f"Status list of {status.issued_at}")
    raise SystemExit(0 if verdict.ok else 1)
