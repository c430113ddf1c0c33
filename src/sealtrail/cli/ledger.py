"""`export`, `verify`, `ledger rotate-key`: the auditor's and the operator's ledger commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sealtrail.cli.common import DataDir, console, err_console, fail, opened

ledger_app = typer.Typer(help="The tamper-evident ledger.", no_args_is_help=True)


def export(
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant name.")],
    out: Annotated[
        Path, typer.Option("--out", help="Bundle file to write (.tar).", dir_okay=False)
    ],
    since: Annotated[str | None, typer.Option(help="RFC 3339; events at or after.")] = None,
    until: Annotated[str | None, typer.Option(help="RFC 3339; events before.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Export a tenant's events with checkpoints and proofs, for `sealtrail verify`."""
    from sealtrail.errors import SealtrailError
    from sealtrail.events.schema import parse_rfc3339
    from sealtrail.identity import service
    from sealtrail.ledger.export import export_bundle

    try:
        start = parse_rfc3339(since) if since else None
        stop = parse_rfc3339(until) if until else None
    except ValueError as exc:
        raise fail(f"--since/--until: {exc}", code=2) from None
    with opened(data_dir) as runtime:
        with runtime.factory() as session:
            tenant_id = service.get_tenant(session, tenant).id
        columns = (
            TextColumn("exporting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task("events", total=None)
            try:
                with runtime.engine.connect() as conn:
                    summary = export_bundle(
                        conn,
                        runtime.keyring,
                        tenant_id,
                        tenant,
                        out,
                        since=start,
                        until=stop,
                        progress=lambda done, total: bar.update(task, completed=done, total=total),
                    )
            except SealtrailError as exc:
                out.unlink(missing_ok=True)
                raise fail(exc.message) from None
    console.print(
        f"Wrote {out}: {summary.events} event(s), ledger indexes {summary.first_index}.."
        f"{summary.end_index - 1}, {summary.checkpoints} checkpoint(s), tree size "
        f"{summary.tree_size}."
    )


def verify(
    bundle: Annotated[Path, typer.Argument(help="Bundle written by `sealtrail export`.")],
    public_key: Annotated[
        list[str] | None,
        typer.Option(
            "--public-key",
            help="Trusted verifier key (<name>+<id>+<key>); repeatable. Default: the "
            "bundle's own keys (then compare the key id with one you trust).",
        ),
    ] = None,
) -> None:
    """Verify an export bundle offline: no server, no database. Exit 1 when it fails."""
    from sealtrail.verify.bundle import VerificationError, verify_bundle

    try:
        report = verify_bundle(bundle, public_key)
    except VerificationError as exc:
        console.print(f"FAILED: {exc}", highlight=False)
        raise typer.Exit(1) from None
    console.print(
        f"OK: {report.events} event(s) verified"
        + (f" and {report.withheld} withheld leaf hash(es)" if report.withheld else "")
        + f", ledger indexes {report.first_index}..{report.end_index - 1} of {report.origin}; "
        f"{len(report.checkpoints)} checkpoint(s) (tree sizes "
        f"{', '.join(map(str, report.checkpoints))}) signed; "
        f"{report.consistency_proofs} consistency proof(s) checked.",
        highlight=False,
    )
    if report.keys_from_bundle:
        console.print(
            "Note: checked against the keys inside the bundle: "
            + ", ".join(report.keys)
            + ". Pass --public-key with the key you trust to rule out a forged bundle.",
            highlight=False,
        )


@ledger_app.command("rotate-key")
def rotate_key(data_dir: DataDir = None) -> None:
    """Create a new checkpoint signing key; older checkpoints stay verifiable."""
    from sealtrail.ledger import keys

    with opened(data_dir) as runtime:
        ring = keys.rotate(runtime.settings.data_dir, runtime.settings.ledger_origin)
    console.print(f"Active key: {ring.active.verifier.encode()}", highlight=False)


@ledger_app.command("public-key")
def show_public_key(data_dir: DataDir = None) -> None:
    """Print the active verifier key (publish it where auditors can pin it)."""
    with opened(data_dir) as runtime:
        print(runtime.keyring.active.verifier.encode())
