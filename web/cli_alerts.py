"""`flask --app app run-rules`: the scheduled run of the exception rules
(data_access/exceptions.py), for cron or a platform scheduler."""

from __future__ import annotations

import click
from flask import Flask


def init_alerts_cli(server: Flask) -> None:
    @server.cli.command("run-rules")
    def run_rules_command() -> None:
        """Run every exception rule (SPC signals, overdue returns, underspends) on
        every measure series, raise what is new and send its alerts."""
        from data_access import exceptions

        counts = exceptions.run_rules(trigger="scheduled run")
        new = ", ".join(f"{kind} {n}" for kind, n in counts["new"].items())
        click.echo(
            f"Judged {counts['series']:,} series ({counts['assessed']:,} with enough "
            f"points) in {counts['evaluate_seconds']:.2f} s; {counts['signals']:,} "
            f"end in a special cause. New exceptions: {new}. "
            f"Whole run {counts['seconds']:.2f} s."
        )
