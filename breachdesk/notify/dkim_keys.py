"""One DKIM key per entity, generated into the workspace (mode 0600, never committed).

The private key lives at ``<workspace>/dkim/<entity>.pem``; ``dns_record`` gives the
TXT record to publish at ``<selector>._domainkey.<sender domain>``.
"""

from __future__ import annotations

import base64
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from breachdesk.errors import ConfigError
from breachdesk.registry.entities import Entity
from breachdesk.settings import Settings

SELECTOR = "bd1"


@dataclass(frozen=True)
class DkimKey:
    entity: str
    domain: str
    selector: str
    private_pem: bytes
    public_b64: str

    @property
    def dns_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    def dns_record(self) -> str:
        return f"v=DKIM1; k=rsa; p={self.public_b64}"


def sender_domain(entity: Entity) -> str:
    return entity.sender.rsplit("@", 1)[-1].lower()


def _public_b64(private_pem: bytes, path: Path) -> str:
    try:
        key = serialization.load_pem_private_key(private_pem, password=None)
    except ValueError as exc:
        raise ConfigError(f"{path}: not a PEM private key: {exc}") from None
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


def _generate(path: Path) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return pem


def load_or_create(cfg: Settings, entity: Entity) -> DkimKey:
    """The entity's key, generated on first use; refuses a key file others can read."""
    path = cfg.dkim_dir / f"{entity.id}.pem"
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(f"{path}: DKIM key is readable by others (mode {mode:o}); chmod 600")
        pem = path.read_bytes()
    else:
        try:
            pem = _generate(path)
        except FileExistsError:  # another worker created it first
            pem = path.read_bytes()
    return DkimKey(entity.id, sender_domain(entity), SELECTOR, pem, _public_b64(pem, path))


def public_keys(cfg: Settings, entities: dict[str, Entity]) -> dict[str, str]:
    """DNS name (with trailing dot) -> TXT record, for offline DKIM verification."""
    out: dict[str, str] = {}
    for entity in entities.values():
        k = load_or_create(cfg, entity)
        out[k.dns_name + "."] = k.dns_record()
    return out
