"""DKIM: both signers produce signatures dkimpy verifies offline; any change breaks them."""

from __future__ import annotations

import pytest

from breachdesk.notify.dkim_keys import load_or_create, public_keys
from breachdesk.notify.message import sign, verify
from breachdesk.registry.entities import load_entities

from .conftest import World

RAW = (
    b"From: Example Shop UK Ltd <privacy@notices.shop.example.co.uk>\r\n"
    b"To: Alice <alice@example.org>\r\nSubject: notice\r\n"
    b"Date: Mon, 23 Nov 2026 09:00:00 +0000\r\nMessage-ID: <bd.1.x@notices.shop.example.co.uk>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Dear Alice,  \r\nyour email address was exposed.\r\n\r\n"
)


@pytest.mark.parametrize("engine", ["cryptography", "dkimpy"])
def test_signature_verifies_and_tampering_is_caught(world: World, engine: str) -> None:
    entities = load_entities(world.settings.entities_path)
    key = load_or_create(world.settings, entities["shop-uk"])
    records = public_keys(world.settings, entities)
    signed = sign(RAW, key, engine)
    assert signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple;")
    assert verify(signed, records)
    assert not verify(signed.replace(b"exposed", b"safe!!!"), records)
    assert not verify(signed.replace(b"Subject: notice", b"Subject: urgent"), records)
    other = {k: v for k, v in records.items() if "co.uk" not in k}
    assert not verify(signed, other)  # no key published: not verified


def test_key_file_is_private(world: World) -> None:
    entities = load_entities(world.settings.entities_path)
    load_or_create(world.settings, entities["shop-jp"])
    path = world.settings.dkim_dir / "shop-jp.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o644)
    from breachdesk.errors import ConfigError

    with pytest.raises(ConfigError, match="readable by others"):
        load_or_create(world.settings, entities["shop-jp"])
