"""`scan`: run a compliance scan from the command line, with progress and a summary."""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sealtrail.cli.common import DataDir, console, fail, opened
from sealtrail.compliance import service
from sealtrail.compliance.models import Finding
from sealtrail.compliance.schemas import ScanCreate
from sealtrail.db.tenancy import bind_tenant
from sealtrail.identity import service as identity

scan_app = typer.Typer(help="Run compliance scans.", no_args_is_help=True)
SEVERITIES = ["critical", "high", "medium", "low", "informational"]


@scan_app.command("aws")
def scan_aws(
    account: Annotated[str, typer.Option("--account", help="Cloud account name or id.")],
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant name.")] = "default",
    region: Annotated[
        list[str] | None, typer.Option("--region", help="Limit to a region; repeatable.")
    ] = None,
    framework: Annotated[
        str | None, typer.Option("--framework", help="Only this framework's controls.")
    ] = None,
    control: Annotated[
        list[str] | None, typer.Option("--control", help="Only this control; repeatable.")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on", help="Exit 3 when a finding FAILs at this severity or above (for CI)."
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Scan an AWS account now and print the summary (the scan is kept like any other)."""
    if fail_on is not None and fail_on not in SEVERITIES:
        raise fail(f"--fail-on must be one of {', '.join(SEVERITIES)}")
    with opened(data_dir) as runtime:
        library = runtime.library()
        with runtime.factory() as session, session.begin():
            tenant_row = identity.get_tenant(session, tenant)
            bind_tenant(session, tenant_row.id)
            try:
                body = ScanCreate(
                    account=account,
                    regions=region or None,
                    controls=control or None,
                    framework=framework,
                )
            except ValidationError as exc:
                problem = exc.errors()[0]
                where = ".".join(str(p) for p in problem["loc"])
                raise fail(f"--{where}: {problem['msg']}") from None
            who = {"type": "cli", "id": getpass.getuser(), "name": "sealtrail scan"}
            scan = service.request_scan(session, tenant_row.id, library, body, who)
            scan_id = scan.id
        worker = runtime.scan_worker()
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("collecting", total=None)

            def show(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=label[:40])

            worker.on_progress = show
            worker.run_once(scan_id)
        with runtime.factory() as session:
            bind_tenant(session, tenant_row.id)
            finished, name = service.get_scan(session, scan_id)
            out = service.scan_out(finished, name)
            failing = session.execute(
                service.findings_query(library, status=["FAIL"]).where(
                    Finding.last_scan_id == scan_id
                )
            ).all()
    if out.status != "succeeded" or out.summary is None:
        raise fail(f"scan {scan_id} failed: {out.error}")
    _print_summary(out.id, out.duration_seconds, out.summary)
    worst = {f.severity for f, _ in failing}
    if fail_on is not None and any(
        SEVERITIES.index(s) <= SEVERITIES.index(fail_on) for s in worst if s in SEVERITIES
    ):
        raise typer.Exit(3)


def _print_summary(scan_id: int, duration: float | None, summary: dict[str, Any]) -> None:
    counts = summary["counts"]
    coverage = summary["coverage"]
    console.print(
        f"Scan {scan_id} finished in {duration or 0:.1f} s: {summary['resources']} resources, "
        f"{coverage['evaluated']}/{coverage['applicable']} applicable controls evaluated."
    )
    table = Table("status", "findings")
    for status in ("PASS", "FAIL", "ERROR", "MUTED", "NOT_APPLICABLE"):
        table.add_row(status, str(counts.get(status, 0)))
    console.print(table)
    diff = summary["diff"]["counts"]
    console.print(
        f"Since the previous scan: {diff['new']} new, {diff['regressed']} regressed, "
        f"{diff['resolved']} resolved."
    )
    scores = Table("framework", "score", "passed", "failed", "not evaluated", "muted")
    for framework, s in summary["scores"].items():
        shown = "-" if s["score"] is None else f"{100 * s['score']:.1f}%"
        scores.add_row(
            framework, shown, str(s["passed"]), str(s["failed"]), str(s["errors"]), str(s["muted"])
        )
    console.print(scores)
    for error in summary["collection_errors"][:10]:
        console.print(
            f"[yellow]not evaluated:[/] {error['resource_type']} in {error['region']}: "
            f"{error['operation']} {error['reason']}",
            highlight=False,
        )
