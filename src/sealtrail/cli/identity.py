"""`tenants` and `keys`: manage tenants and API keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from sealtrail.cli.common import DataDir, console, opened
from sealtrail.identity import service
from sealtrail.identity.schemas import Scope

tenants_app = typer.Typer(help="Manage tenants.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)

TenantOpt = Annotated[str, typer.Option("--tenant", help="Tenant name.")]


@tenants_app.command("create")
def tenants_create(name: str, data_dir: DataDir = None) -> None:
    """Create a tenant."""
    with opened(data_dir) as runtime, runtime.factory() as session, session.begin():
        tenant = service.create_tenant(session, name)
    console.print(f"Created tenant {tenant.name} (id {tenant.id}).")


@tenants_app.command("list")
def tenants_list(data_dir: DataDir = None) -> None:
    """List tenants."""
    with opened(data_dir) as runtime, runtime.factory() as session:
        rows = service.list_tenants(session)
    table = Table("id", "name", "created")
    for t in rows:
        table.add_row(str(t.id), t.name, t.created_at.isoformat(timespec="seconds"))
    console.print(table)


@keys_app.command("create")
def keys_create(
    tenant: TenantOpt,
    scope: Annotated[
        list[Scope], typer.Option("--scope", help="ingest, read or admin; repeatable.")
    ],
    name: Annotated[str, typer.Option(help="A label for the key.")] = "cli",
    data_dir: DataDir = None,
) -> None:
    """Create an API key; the key is printed once, as the last line."""
    with opened(data_dir) as runtime, runtime.factory() as session, session.begin():
        key = service.create_api_key(session, service.get_tenant(session, tenant), name, scope)
    console.print(
        f"Created key {key.id} ({key.prefix}) in tenant {key.tenant} with scopes "
        f"{', '.join(s.value for s in key.scopes)}. It is shown once:"
    )
    print(key.key)


@keys_app.command("list")
def keys_list(tenant: TenantOpt, data_dir: DataDir = None) -> None:
    """List a tenant's API keys (never their secrets)."""
    with opened(data_dir) as runtime, runtime.factory() as session:
        rows = service.list_api_keys(session, service.get_tenant(session, tenant))
    table = Table("id", "prefix", "name", "scopes", "created", "revoked")
    for k in rows:
        table.add_row(
            str(k.id),
            k.prefix,
            k.name,
            ",".join(s.value for s in k.scopes),
            k.created_at.isoformat(timespec="seconds"),
            k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "",
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(
    tenant: TenantOpt,
    key: Annotated[str, typer.Argument(help="Key id or prefix.")],
    data_dir: DataDir = None,
) -> None:
    """Revoke an API key."""
    with opened(data_dir) as runtime, runtime.factory() as session, session.begin():
        out = service.revoke_api_key(session, service.get_tenant(session, tenant), key)
    console.print(f"Revoked key {out.id} ({out.prefix}).")
