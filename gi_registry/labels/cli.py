"""`flask gi labels-issue` and `flask gi labels-worker`."""

import shutil
import time

import click

from ..cli import gi
from ..models.labels import MAX_BATCH_QUANTITY


class _Printer:
    """Prints progress every tenth of the batch, and once at the end."""

    def __init__(self, label: str) -> None:
        self.label, self.next_step = label, 0

    def __call__(self, done: int, total: int) -> None:
        if done >= self.next_step or done == total:
            click.echo(f"  {self.label}: {done:>6,} / {total:,} labels ({100 * done // total}%)")
            self.next_step = done + max(1, total // 10)


@gi.command("labels-issue")
@click.option("--authorization", "number", required=True, help="Authorization number.")
@click.option("--category", required=True, help="Product category slug within its scope.")
@click.option("--quantity", required=True, type=click.IntRange(1, MAX_BATCH_QUANTITY))
@click.option("--out", type=click.Path(dir_okay=False, writable=True),
              help="Also copy the label-sheet PDF to this file.")  # fmt: skip
def labels_issue_command(number: str, category: str, quantity: int, out: str | None) -> None:
    """Order and issue a batch of labels now, printing progress."""
    from ..exceptions import DomainError
    from ..extensions import db
    from ..models import Authorization
    from ..models.labels import LabelBatch
    from . import services
    from .issuing import issue_batch
    from .text import failure

    authorization = db.session.scalar(
        db.select(Authorization).where(Authorization.number == number.strip().upper())
    )
    if authorization is None:
        raise click.ClickException(f"No authorization numbered {number}.")
    try:
        batch = services.order_batch(authorization, None, category, quantity)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    number = batch.number
    click.echo(f"Batch {number}: {quantity:,} labels for {category} under {authorization.number}")
    started = time.monotonic()
    ok = issue_batch(batch.id, progress=_Printer(number))
    elapsed = time.monotonic() - started
    batch = db.session.get(LabelBatch, batch.id, populate_existing=True)
    if not ok:
        raise click.ClickException(f"Batch {number} failed: {failure(batch.error)} ({batch.error})")
    path = services.sheet_path(batch)
    click.echo(f"Batch {number} ready: {quantity:,} labels in {elapsed:.1f} s "
               f"({quantity / elapsed:,.0f} labels/s). Sheet: {path}")  # fmt: skip
    if out:
        shutil.copyfile(path, out)
        click.echo(f"Copied to {out}")


@gi.command("labels-worker")
@click.option("--once", is_flag=True, help="Issue the batches queued now, then stop.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between looks at the queue.")
def labels_worker_command(once: bool, poll: float) -> None:
    """Issue queued label batches as they are ordered (runs until stopped, or --once)."""
    from .jobs import run_worker

    def announce(batch):
        click.echo(f"Batch {batch.number}: {batch.quantity:,} labels")
        return _Printer(batch.number)

    try:
        run_worker(once, poll, click.echo, announce)
    except KeyboardInterrupt:
        click.echo("Label worker stopped.")
