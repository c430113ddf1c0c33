"""`users` and `superadmin`: manage the people of a tenant and the platform superadmin."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import EmailStr, TypeAdapter, ValidationError
from rich.table import Table

from sealtrail.cli.common import DataDir, console, opened
from sealtrail.identity import service, users
from sealtrail.identity.schemas import Role
from sealtrail.identity.users import UserUpdate

users_app = typer.Typer(help="Manage users (people) of a tenant.", no_args_is_help=True)
superadmin_app = typer.Typer(help="Manage the platform superadmin.", no_args_is_help=True)

TenantOpt = Annotated[str, typer.Option("--tenant", help="Tenant name.")]
EmailOpt = Annotated[str, typer.Option("--email", help="The user's email address.")]
PasswordOpt = Annotated[
    str | None,
    typer.Option("--password", help="Omit to generate one (printed once, as the last line)."),
]


@users_app.command("create")
def users_create(
    tenant: TenantOpt,
    email: EmailOpt,
    role: Annotated[Role, typer.Option("--role", help="admin, analyst or auditor.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password: PasswordOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Create a user; a generated password is printed once, as the last line."""
    with opened(data_dir) as runtime, runtime.factory() as session, session.begin():
        user = users.create_user(
            session,
            service.get_tenant(session, tenant),
            _email(email),
            role,
            name=name,
            password=password,
        )
    console.print(f"Created user {user.id} {user.email} ({user.role.value}) in tenant {tenant}.")
    _show_generated(user.password)


@users_app.command("list")
def users_list(tenant: TenantOpt, data_dir: DataDir = None) -> None:
    """List a tenant's users."""
    with opened(data_dir) as runtime, runtime.factory() as session:
        rows = users.list_users(session, service.get_tenant(session, tenant))
    table = Table("id", "email", "role", "status", "last login")
    for u in rows:
        status = "disabled" if u.disabled_at else "active"
        if u.superadmin:
            status += ", superadmin"
        last = u.last_login_at.isoformat(timespec="seconds") if u.last_login_at else "never"
        table.add_row(str(u.id), u.email, u.role.value, status, last)
    console.print(table)


@users_app.command("disable")
def users_disable(
    tenant: TenantOpt,
    user: Annotated[str, typer.Argument(help="User id or email.")],
    data_dir: DataDir = None,
) -> None:
    """Disable a user and end their sessions."""
    with opened(data_dir) as runtime, runtime.factory() as session, session.begin():
        out = users.update_user(
            session,
            service.get_tenant(session, tenant),
            user,
            UserUpdate(disabled=True),
            acting_user=None,
        )
    console.print(f"Disabled {out.email}; their sessions have ended.")


@users_app.command("reset-password")
def users_reset_password(
    tenant: TenantOpt,
    user: Annotated[str, typer.Argument(help="User id or email.")],
    password: PasswordOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Set a new password (generated when none is given: printed once, last line)."""
    with opened(data_dir) as runtime, runtime.factory() as session, session.begin():
        found = users.find_user(session, service.get_tenant(session, tenant), user)
        generated = users.reset_password(session, found, password)
        email = found.email
    console.print(f"Password of {email} reset; their sessions have ended.")
    _show_generated(generated)


@superadmin_app.command("create")
def superadmin_create(
    email: EmailOpt,
    tenant: Annotated[str, typer.Option("--tenant", help="Home tenant.")] = "default",
    password: PasswordOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Create the platform superadmin (manages tenants); only this command can."""
    with opened(data_dir) as runtime, runtime.factory() as session, session.begin():
        user = users.create_user(
            session,
            service.get_tenant(session, tenant),
            _email(email),
            Role.admin,
            name="Superadmin",
            password=password,
            superadmin=True,
        )
    console.print(f"Created superadmin {user.email} (home tenant {tenant}).")
    _show_generated(user.password)


def _show_generated(password: str | None) -> None:
    """A generated password, once, as the last line of stdout (for scripts)."""
    if password:
        console.print("The generated password is shown once:")
        print(password)


def _email(value: str) -> str:
    try:
        return str(TypeAdapter(EmailStr).validate_python(value)).lower()
    except ValidationError as exc:
        raise typer.BadParameter(exc.errors()[0]["msg"], param_hint="--email") from None
