"""`dlq`: inspect and replay the dead-letter queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from sealtrail.cli.common import DataDir, console, fail, opened
from sealtrail.identity import service

dlq_app = typer.Typer(help="Inspect and replay the dead-letter queue.", no_args_is_help=True)

TenantOpt = Annotated[str | None, typer.Option("--tenant", help="Only this tenant's messages.")]


@dlq_app.command("list")
def dlq_list(
    tenant: TenantOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    data_dir: DataDir = None,
) -> None:
    """List dead letters, oldest first."""
    with opened(data_dir) as runtime:
        tenant_id = None
        if tenant:
            with runtime.factory() as session:
                tenant_id = service.get_tenant(session, tenant).id
        letters = runtime.queue.dead_letters(tenant_id=tenant_id, limit=limit)
    table = Table("id", "tenant id", "events", "died", "deliveries", "reason")
    for x in letters:
        died = datetime.fromtimestamp(x.dead_at, UTC).isoformat(timespec="seconds")
        table.add_row(x.id, str(x.tenant_id), str(x.size), died, str(x.deliveries), x.reason[:120])
    console.print(table)
    console.print(f"{len(letters)} dead letter(s) shown.")


@dlq_app.command("replay")
def dlq_replay(
    ids: Annotated[list[str] | None, typer.Argument(help="Dead-letter ids.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Replay every dead letter.")] = False,
    tenant: TenantOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Put dead letters back on the queue."""
    if not ids and not all_:
        raise fail("name dead-letter ids, or pass --all", code=2)
    if ids and any(not i.isdigit() for i in ids):
        raise fail("dead-letter ids are numbers", code=2)
    with opened(data_dir) as runtime:
        tenant_id = None
        if tenant:
            with runtime.factory() as session:
                tenant_id = service.get_tenant(session, tenant).id
        count = runtime.queue.replay(None if all_ else ids, tenant_id=tenant_id)
    console.print(f"Replayed {count} message(s).")
