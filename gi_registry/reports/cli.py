"""`flask gi reports-check`: the daily job that raises reminders and flags for missing reports."""

import click

from ..cli import gi


@gi.command("reports-check")
@click.option("--year", type=int, help="The year reported on (default: last year).")
def reports_check_command(year: int | None) -> None:
    """Raise reminders and rectification flags for missing yearly use reports (safe to rerun)."""
    from ..clock import local_today
    from ..exceptions import Invalid
    from . import rules
    from .notices import check_reports

    today = local_today()
    year = year or today.year - 1
    try:
        result = check_reports(year, today)
    except Invalid as error:
        raise click.ClickException(error.message) from None
    click.echo(
        f"Year {year}: {result.obligated} legal user(s) must report, {result.filed} filed. "
        f"Deadline {rules.deadline(year)}, flags after {rules.flag_date(year)}."
    )
    click.echo(
        f"Raised {result.raised['reminder']} reminder(s) and "
        f"{result.raised['rectification']} rectification flag(s)."
    )
