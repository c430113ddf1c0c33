"""The `sealtrail` command."""

from __future__ import annotations

import json

import typer

import sealtrail
from sealtrail.cli import server
from sealtrail.cli.compliance import scan_app
from sealtrail.cli.dlq import dlq_app
from sealtrail.cli.identity import keys_app, tenants_app
from sealtrail.cli.ledger import export, ledger_app, verify
from sealtrail.cli.users import superadmin_app, users_app
from sealtrail.events.schema import json_schema

app = typer.Typer(
    name="sealtrail",
    help="Sealtrail: tamper-evident audit trail and compliance platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(server.up)
app.command()(server.api)
app.command()(server.worker)
app.command()(server.migrate)
app.add_typer(tenants_app, name="tenants")
app.add_typer(keys_app, name="keys")
app.add_typer(users_app, name="users")
app.add_typer(superadmin_app, name="superadmin")
app.add_typer(scan_app, name="scan")
app.add_typer(dlq_app, name="dlq")
app.add_typer(ledger_app, name="ledger")
app.command()(export)
app.command()(verify)


@app.command()
def version() -> None:
    """Print the version."""
    print(sealtrail.__version__)


@app.command()
def schema() -> None:
    """Print the JSON Schema of an audit event (v1)."""
    print(json.dumps(json_schema(), indent=2, sort_keys=True))


if __name__ == "__main__":
    app()
