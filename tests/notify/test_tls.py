"""STARTTLS and AUTH as configured in the settings, against the local server with a
self-signed certificate that the client trusts through BREACHDESK_SMTP_CA_FILE."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from breachdesk.notify.approval import approve
from breachdesk.notify.missing import status
from breachdesk.notify.plan import plan
from breachdesk.notify.sender import deliver, options_from
from breachdesk.notify.smtp_sink import SmtpSink
from breachdesk.settings import Settings

from .conftest import BAD, GOOD, World


def _cert(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_sink(world: World, tmp_path: Path) -> Iterator[tuple[SmtpSink, Path]]:
    cert, key = _cert(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    with SmtpSink(
        tmp_path / "tls", world.sink.keys, tls_context=ctx, credentials=("bd", "s3cret")
    ) as sink:
        yield sink, cert


def _settings(monkeypatch: pytest.MonkeyPatch, port: int, cert: Path, password: str) -> Settings:
    monkeypatch.setenv("BREACHDESK_SMTP_PORT", str(port))
    monkeypatch.setenv("BREACHDESK_SMTP_STARTTLS", "true")
    monkeypatch.setenv("BREACHDESK_SMTP_CA_FILE", str(cert))
    monkeypatch.setenv("BREACHDESK_SMTP_USERNAME", "bd")
    monkeypatch.setenv("BREACHDESK_SMTP_PASSWORD", password)
    cfg = Settings()
    assert password not in repr(cfg.smtp_password) and cfg.smtp_password is not None
    return cfg


def test_starttls_and_auth_from_settings(
    world: World, tls_sink: tuple[SmtpSink, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    sink, cert = tls_sink
    cfg = _settings(monkeypatch, sink.port, cert, "s3cret")
    plan(world.store, cfg, world.incident_id)
    approve(world.store, cfg, world.incident_id, "tester")
    deliver(world.store, cfg, world.incident_id, options_from(cfg))
    assert sorted(m.rcpt[0] for m in sink.messages) == sorted(c[1] for c in GOOD)
    assert all(m.dkim_ok for m in sink.messages)


def test_wrong_password_stops_the_run_and_charges_no_row(
    world: World, tls_sink: tuple[SmtpSink, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    sink, cert = tls_sink
    cfg = _settings(monkeypatch, sink.port, cert, "wrong")
    plan(world.store, cfg, world.incident_id)
    approve(world.store, cfg, world.incident_id, "tester")
    progress = deliver(world.store, cfg, world.incident_id, options_from(cfg))
    assert sink.messages == []
    # A refused login is the server's answer about us, not about any customer: the run
    # stops at once (retrying cannot help) with the reason, and every row stays pending.
    assert progress.stopped is not None and "refused the login (535" in progress.stopped
    assert "BREACHDESK_SMTP_PASSWORD" in progress.stopped
    assert status(world.store, world.incident_id).states == {"pending": len(GOOD), "held": len(BAD)}


def test_untrusted_certificate_stops_the_run_with_the_setting_to_fix(
    world: World, tls_sink: tuple[SmtpSink, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    sink, cert = tls_sink
    cfg = _settings(monkeypatch, sink.port, cert, "s3cret")
    cfg.smtp_ca_file = None  # the self-signed certificate is not trusted now
    plan(world.store, cfg, world.incident_id)
    approve(world.store, cfg, world.incident_id, "tester")
    progress = deliver(world.store, cfg, world.incident_id, options_from(cfg))
    assert sink.messages == []
    assert progress.stopped is not None and "TLS certificate not trusted" in progress.stopped
    assert "BREACHDESK_SMTP_CA_FILE" in progress.stopped
    assert status(world.store, world.incident_id).states == {"pending": len(GOOD), "held": len(BAD)}
