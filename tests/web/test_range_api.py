"""The Pwned Passwords range API: the exact HIBP format, padding, errors, caching
headers, the data paths (leaked lists via ``attribute``, HIBP downloader files),
and three real client packages from PyPI pointed at it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from breachdesk.cli.main import run
from breachdesk.registry.index import build_index
from breachdesk.store.audit import entries
from breachdesk.web.range_api.harvest import harvest_passwords
from breachdesk.web.range_api.hashing import md4, ntlm_hex, sha1_hex
from breachdesk.web.range_api.store import read_range
from breachdesk.workspace import hasher
from tests.web.builders import World
from tests.web.conftest import client_for
from tests.web.live import serving

LEAKED = {"Sommer2024!": 2, "hunter2-Ünïcode": 1, "correct horse battery": 1}


def _dump(tmp: Path, world: World) -> list[Path]:
    combo = tmp / "combo.txt"
    combo.write_text(
        f"{world.email('de1')}:Sommer2024!\r\n"
        f"{world.email('fr1')}:Sommer2024!\n"
        f"{world.email('gb1')}:hunter2-Ünïcode\n"
        "someone@example.net:$2b$12$abcdefghijklmnopqrstuuN5rJ6ISUuSj1pvPKs1hL6E2KnW9Ru.2\n",
        encoding="utf-8",
    )
    csv = tmp / "users.csv"
    csv.write_text(
        f"email,name,password\n{world.email('fr2')},Zoé,correct horse battery\n",
        encoding="utf-8",
    )
    return [combo, csv]


@pytest.fixture
def seeded(world: World, tmp_path: Path) -> World:
    from breachdesk.workspace import load_key  # noqa: F401  (the key exists)

    result = harvest_passwords(world.store, _dump(tmp_path, world), 200, 10**9, "tester")
    assert result.passwords == 3 and result.occurrences == 4
    return world


@pytest.fixture
def api(seeded: World) -> Iterator[TestClient]:
    with client_for(seeded) as c:
        yield c


def test_md4_and_ntlm_vectors() -> None:
    # RFC 1320 test suite, and the well-known NTLM hash of "password"
    assert md4(b"").hex() == "31d6cfe0d16ae931b73c59d7e0c089c0"
    assert md4(b"abc").hex() == "a448017aaf21d8525fc10ae87aa6729d"
    assert md4(b"message digest").hex() == "d9130a8164549fe818874806e1c7014b"
    digits = b"1234567890" * 8
    assert md4(digits).hex() == "e33b4ddc9c38f2199c3e7b164fcc0536"
    assert ntlm_hex("password") == "8846F7EAEE8FB117AD06BDD830B7586C"
    assert sha1_hex("password") == "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8"


def test_only_hashes_are_stored(seeded: World) -> None:
    with seeded.store.engine.connect() as conn:
        dump = "\n".join(str(r) for r in conn.exec_driver_sql("SELECT * FROM password_hashes"))
    for pw in LEAKED:
        assert pw not in dump
    full = sha1_hex("Sommer2024!")
    assert read_range(seeded.store, "sha1", full[:5]) == [(full[5:], 2)]
    assert any(e.action == "passwords.harvest" for e in entries(seeded.store))


def test_exact_hibp_format(api: TestClient) -> None:
    full = sha1_hex("Sommer2024!")
    r = api.get(f"/range/{full[:5].lower()}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["cache-control"] == "public, max-age=2678400"
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["etag"]
    # Last-Modified as HIBP sends it: an HTTP date, when the range last changed
    changed = parsedate_to_datetime(r.headers["last-modified"])
    assert r.headers["last-modified"].endswith(" GMT") and changed.tzinfo is not None
    assert abs((datetime.now(UTC) - changed).total_seconds()) < 3600
    body = r.content
    assert not body.startswith(b"\xef\xbb\xbf") and not body.endswith(b"\r\n")
    assert body == f"{full[5:]}:2".encode()
    again = api.get(f"/range/{full[:5]}", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_ntlm_mode_and_padding(api: TestClient) -> None:
    nt = ntlm_hex("hunter2-Ünïcode")
    r = api.get(f"/range/{nt[:5]}?mode=ntlm")
    assert r.text == f"{nt[5:]}:1"
    sha = sha1_hex("hunter2-Ünïcode")
    assert api.get(f"/range/{sha[:5]}?mode=other").text == f"{sha[5:]}:1"
    padded = api.get(f"/range/{nt[:5]}?mode=ntlm", headers={"add-padding": "TRUE"})
    lines = padded.text.split("\r\n")
    assert 10 < len(lines) <= 210 and not padded.text.endswith("\r\n")
    assert f"{nt[5:]}:1" in lines
    assert all(re.fullmatch(r"[0-9A-F]{27}:\d+", line) for line in lines)
    assert sum(1 for line in lines if line.endswith(":0")) == len(lines) - 1
    assert lines == sorted(lines)
    sha_pad = api.get(f"/range/{sha[:5]}", headers={"Add-Padding": "true"}).text.split("\r\n")
    assert all(re.fullmatch(r"[0-9A-F]{35}:\d+", line) for line in sha_pad)
    assert padded.headers["cache-control"] == "public, max-age=2678400"
    empty = api.get("/range/FFFFF")  # nothing stored: padding only, never an empty body
    assert empty.status_code == 200 and empty.content
    assert all(line.endswith(":0") for line in empty.text.split("\r\n"))


@pytest.mark.parametrize("bad", ["ABCD", "ABCDEF", "ABCDG", "12 45", "%C3%9C1234"])
def test_bad_prefix_is_400(api: TestClient, bad: str) -> None:
    r = api.get(f"/range/{bad}")
    assert r.status_code == 400
    assert r.text == "The hash prefix was not in a valid format"


def test_options_allows_add_padding(api: TestClient) -> None:
    r = api.options("/range/ABCDE")
    assert "Add-Padding" in r.headers["access-control-allow-headers"]


def test_hibp_downloader_files_import(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "hibp"
    folder.mkdir()
    sha = hashlib.sha1(b"P@ssw0rd", usedforsecurity=False).hexdigest().upper()
    (folder / f"{sha[:5]}.txt").write_bytes(
        f"{sha[5:]}:52579\r\n{'0' * 35}:3\r\nnot a line\r\n".encode()
    )
    full = tmp_path / "ntlm.txt"
    nt = ntlm_hex("P@ssw0rd")
    full.write_text(f"{nt}:12\n{'A' * 32}:1\n", encoding="utf-8")
    code = run(["passwords", "import", str(folder), str(full)])
    assert code == 3  # done, with the one bad line reported
    assert read_range(world.store, "sha1", sha[:5]) == [("0" * 35, 3), (sha[5:], 52579)]
    assert (nt[5:], 12) in read_range(world.store, "ntlm", nt[:5])


def test_attribute_feeds_the_range_api(world: World, tmp_path: Path) -> None:
    build_index(world.store, hasher(world.settings), world.settings.index_dir)
    paths = _dump(tmp_path, world)
    assert run(["attribute", *map(str, paths)]) == 0
    full = sha1_hex("correct horse battery")
    assert read_range(world.store, "sha1", full[:5]) == [(full[5:], 1)]


@pytest.fixture
def live(seeded: World) -> Iterator[str]:
    from breachdesk.web.app import create_app
    from tests.web.conftest import web_settings

    app = create_app(web_settings(seeded), seeded.store)
    with serving(app) as base:
        yield base


def test_pwnedpasswords_package(live: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import pwnedpasswords
    from pwnedpasswords.pwnedpasswords import PwnedPasswordsAPI

    original = PwnedPasswordsAPI.url

    def url(*components: str, **kwargs: str) -> str:
        return str(original(*components, **kwargs)).replace(
            "https://api.pwnedpasswords.com/", live + "/"
        )

    monkeypatch.setattr(PwnedPasswordsAPI, "url", staticmethod(url))
    assert pwnedpasswords.check("Sommer2024!") == 2
    assert pwnedpasswords.check("hunter2-Ünïcode") == 1
    assert pwnedpasswords.check("never leaked anywhere 7") == 0


def test_pyhibp_package(live: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyhibp
    from pyhibp import pwnedpasswords as pw

    pyhibp.set_user_agent(ua="breachdesk tests")
    monkeypatch.setattr(pw, "PWNED_PASSWORDS_API_BASE_URI", live + "/")
    assert pw.is_password_breached(password="Sommer2024!") == 2
    assert pw.is_password_breached(password="correct horse battery", add_padding=True) == 1
    assert pw.is_password_breached(password="never leaked anywhere 7", add_padding=True) == 0


def test_pwned_passwords_django_package(live: str) -> None:
    from django.conf import settings as django_settings

    if not django_settings.configured:
        django_settings.configure(PWNED_PASSWORDS={"ADD_PADDING": True, "API_TIMEOUT": 5.0})
    import httpx
    from pwned_passwords_django.api import PwnedPasswords

    with httpx.Client() as sync_client:
        client = PwnedPasswords(client=sync_client, async_client=_NoAsync())
        client.api_endpoint = live + "/range/"
        assert client.check_password("Sommer2024!") == 2
        assert client.check_password("correct horse battery") == 1
        assert client.check_password("never leaked anywhere 7") == 0


class _NoAsync:
    """Stands in for the async client this test does not use (nothing left open)."""
