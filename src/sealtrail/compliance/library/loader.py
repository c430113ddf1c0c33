"""Loading the library from YAML: every problem is reported with its file and field."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from sealtrail.compliance.library.models import Control, Framework, Library
from sealtrail.errors import ConfigurationError

DEFAULT_ROOT = Path(__file__).parent
_Model = TypeVar("_Model", Control, Framework)


class LibraryError(ConfigurationError):
    """The control library on disk is invalid; `details` lists every problem found."""

    code = "invalid_control_library"


def load_library(root: Path | None = None) -> Library:
    """Load and validate the library under `root` (the built-in one, cached, by default)."""
    return _builtin() if root is None else _load(root)


@cache
def _builtin() -> Library:
    return _load(DEFAULT_ROOT)


def _load(root: Path) -> Library:
    problems: list[str] = []
    frameworks = _load_all(root, root / "frameworks", Framework, problems)
    controls = _load_all(root, root / "controls", Control, problems)
    requirements = {f.id: {r.id for r in f.requirements} for f in frameworks.values()}
    for name, control in controls.items():
        problems.extend(_mapping_problems(name, control, requirements))
    if not controls and not problems:
        problems.append(f"{root / 'controls'}: no control files found")
    if problems:
        raise LibraryError(
            f"invalid compliance library ({len(problems)} problem"
            f"{'s' if len(problems) > 1 else ''}):\n" + "\n".join(problems),
            details=problems,
        )
    return Library(
        controls={c.id: c for c in controls.values()},
        frameworks={f.id: f for f in frameworks.values()},
    )


def _load_all(
    root: Path, folder: Path, model: type[_Model], problems: list[str]
) -> dict[str, _Model]:
    """Each valid file of `folder` by its path relative to `root`, with its model."""
    loaded: dict[str, _Model] = {}
    ids: dict[str, str] = {}
    for path in _yaml_files(folder):
        name = path.relative_to(root).as_posix()
        raw = _read(path, name, problems)
        if raw is None:
            continue
        try:
            item = model.model_validate(raw)
        except ValidationError as error:
            problems.extend(f"{name}: {_field(e['loc'])}: {_message(e)}" for e in error.errors())
            continue
        item_id = item.id
        if path.stem != item_id:
            problems.append(f"{name}: id: {item_id!r} must match the file name {path.stem!r}")
        elif item_id in ids:
            problems.append(f"{name}: id: {item_id!r} is also defined in {ids[item_id]}")
        else:
            ids[item_id] = name
            loaded[name] = item
    return loaded


def _yaml_files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml"))


def _read(path: Path, name: str, problems: list[str]) -> dict[str, Any] | None:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        problems.append(f"{name}: not valid YAML: {error}")
        return None
    if not isinstance(raw, dict):
        problems.append(f"{name}: expected a mapping at the top level, got {type(raw).__name__}")
        return None
    return raw


def _mapping_problems(name: str, control: Control, by_id: dict[str, set[str]]) -> list[str]:
    problems = []
    for framework_id, mappings in control.frameworks.items():
        if framework_id not in by_id:
            known = ", ".join(sorted(by_id)) or "none"
            problems.append(
                f"{name}: frameworks.{framework_id}: unknown framework (known: {known})"
            )
            continue
        for index, mapping in enumerate(mappings):
            if mapping.requirement not in by_id[framework_id]:
                problems.append(
                    f"{name}: frameworks.{framework_id}[{index}].requirement: "
                    f"{mapping.requirement!r} is not a requirement of {framework_id}"
                )
    return problems


def _field(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _message(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] in ("string_type", "int_type", "bool_type", "dict_type", "list_type"):
        message += f" (got {error['input']!r})"
    return message
