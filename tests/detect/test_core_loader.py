"""A missing compiled core stops the scan with one line that says how to build it."""

from __future__ import annotations

import sys

import pytest

import breachdesk.detect
from breachdesk.detect import core
from breachdesk.errors import ConfigError


def test_missing_core_is_loud(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "breachdesk.detect._core", None)  # import fails
    monkeypatch.delattr(breachdesk.detect, "_core", raising=False)
    with pytest.raises(ConfigError) as exc:
        core.core_module()
    message = str(exc.value)
    assert "compiled detection core" in message and "pip install -e ." in message
    assert "\n" not in message
