"""The limits the project keeps its code to, checked over src/broadsheet so they stay held:
a module of at most 500 lines, a function of at most 80, a view (a function that takes the
request first) of at most 40. Migrations and the demo's content are data, not code to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "broadsheet"
MODULE_LINES, FUNCTION_LINES, VIEW_LINES = 500, 80, 40

# Data written as Python: the demo's articles and comments.
NOT_CODE = {"demo/content.py"}

# Functions over the limit, each with why it stays whole. Keep this list short.
LONGER_ON_PURPOSE: dict[str, str] = {}


def _modules() -> list[Path]:
    return sorted(
        path for path in SOURCE.rglob("*.py")
        if "migrations" not in path.relative_to(SOURCE).parts
        and path.relative_to(SOURCE).as_posix() not in NOT_CODE
    )


def _name(path: Path) -> str:
    return path.relative_to(SOURCE).as_posix()


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _takes_the_request_first(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    names = [arg.arg for arg in function.args.posonlyargs + function.args.args]
    if names[:1] in (["self"], ["cls"]):
        names = names[1:]
    return names[:1] == ["request"]


def _lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    # From the def line (decorators excluded) to the last line of the body.
    return (function.end_lineno or function.lineno) - function.lineno + 1


def _over_the_limits() -> list[str]:
    found = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        count = len(text.splitlines())
        if count > MODULE_LINES:
            found.append(f"{_name(path)}: {count} lines (a module keeps to {MODULE_LINES})")
        for function in _functions(ast.parse(text)):
            where = f"{_name(path)}:{function.lineno} {function.name}"
            if f"{_name(path)}::{function.name}" in LONGER_ON_PURPOSE:
                continue
            limit = VIEW_LINES if _takes_the_request_first(function) else FUNCTION_LINES
            kind = "a view" if limit == VIEW_LINES else "a function"
            if _lines(function) > limit:
                found.append(f"{where}: {_lines(function)} lines ({kind} keeps to {limit})")
    return found


def test_modules_functions_and_views_keep_to_their_sizes():
    found = _over_the_limits()
    assert not found, "\n".join(found)


def test_the_exceptions_name_functions_that_exist_and_say_why():
    known = {
        f"{_name(path)}::{function.name}"
        for path in _modules()
        for function in _functions(ast.parse(path.read_text(encoding="utf-8")))
    }
    for name, reason in LONGER_ON_PURPOSE.items():
        assert name in known, name
        assert len(reason) > 20, name


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def view(request):\n" + "    x = 1\n" * 40,
         ["example.py:1 view: 41 lines (a view keeps to 40)"]),
        ("def view(request):\n" + "    x = 1\n" * 39, []),
        ("def helper(value):\n" + "    x = 1\n" * 80,
         ["example.py:1 helper: 81 lines (a function keeps to 80)"]),
        ("class Page:\n    def get(self, request):\n" + "        x = 1\n" * 40,
         ["example.py:2 get: 41 lines (a view keeps to 40)"]),
    ],
)
def test_the_check_finds_what_is_too_long(tmp_path, monkeypatch, source, expected):
    (tmp_path / "example.py").write_text(source)
    monkeypatch.setitem(globals(), "SOURCE", tmp_path)
    assert _over_the_limits() == expected
