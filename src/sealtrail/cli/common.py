"""What every command shares: the --data-dir option, opening the runtime, error output."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from sealtrail.config import Settings, load_settings
from sealtrail.db import migrate
from sealtrail.errors import SealtrailError
from sealtrail.observability.logging import configure_logging
from sealtrail.runtime import Runtime

console = Console()
err_console = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data directory (default ./data or SEALTRAIL_DATA_DIR).",
        file_okay=False,
        show_default=False,
    ),
]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error to stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def settings_from(data_dir: Path | None, **overrides: object) -> Settings:
    """Settings from environment and flags; a clear error when they are invalid."""
    try:
        return load_settings(data_dir, **overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise fail(f"invalid settings: {problems}") from None


@contextmanager
def opened(data_dir: Path | None, *, require_schema: bool = True) -> Iterator[Runtime]:
    """A runtime for a one-shot command; errors become a message and exit status 1."""
    settings = settings_from(data_dir)
    configure_logging(settings.log_level, settings.log_format)
    try:
        runtime = Runtime.build(settings)
    except SealtrailError as exc:
        raise fail(exc.message) from None
    try:
        if require_schema and migrate.current_revision(runtime.engine) != migrate.head_revision():
            raise fail("the database schema is not up to date; run `sealtrail migrate` first")
        yield runtime
    except SealtrailError as exc:
        raise fail(exc.message) from None
    finally:
        runtime.close()
