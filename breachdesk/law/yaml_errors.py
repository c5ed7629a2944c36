"""One-line descriptions of YAML and JSON syntax errors (the user sees one line)."""

from __future__ import annotations

import json

import yaml


def syntax_error_line(exc: yaml.YAMLError | json.JSONDecodeError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is None:
        return str(problem)
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
