"""Canaries drawn from the export's own rows, so that nothing tells them apart.

An insider who can spot the canaries can strip them before leaking a list. So a
canary is not made from a fixed name list with its own conventions: every column
follows a real member of the same export, picked by a keyed draw (the workspace
key, the export's uid and the canary's number, as in :mod:`breachdesk.registry.canary`):

- a *structure donor* gives the country, the subdivision, the locale, the phone's
  format (its digits redrawn) and the shape of the email's local part, so each
  column is filled exactly as often as in the real rows, and in the same formats;
- two more members of the same country give the given name and the family name;
- the customer id is a free id drawn uniformly over the span of the members' ids
  (same prefix and width), so canary ids interleave with real ones and sit as far
  from their neighbours as real ids do. The export is written in customer-id order,
  so a canary's place in the file follows from its id.

The email domain is the one thing a canary cannot share with real rows: mail to it
must reach the tripwire, so it is the holding entity's ``canary_domain``. Choose
canary domains that look like ordinary mail providers. When the id space has no
free gap (ids handed out densely), canaries take ids just above the highest, and
the export says so, since those ids then give them away.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select

from breachdesk.registry.canary import Canary, _Stream, email_hash_hex
from breachdesk.registry.entities import Entity
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.registry.normalize import normalise_email
from breachdesk.store import Store
from breachdesk.store.models import Customer
from breachdesk.store.models.exports import ExportCanary

_LAST_DIGITS = re.compile(r"(\d+)(\D*)$")
_TRIES = 200  # draws per canary, at most
_NAME_TRIES = 20
_ID_TRIES = 50


@dataclass(frozen=True)
class Member:
    customer_id: str
    full_name: str
    email: str
    country: str
    subdivision: str | None
    locale: str | None
    phone: str | None
    entity: str


@dataclass
class Blend:
    canaries: list[Canary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    above: int = 0  # canaries whose ids had to go above the highest real id


def _fold(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word)
    return "".join(c for c in folded if not unicodedata.combining(c)).lower()


def _plain(word: str) -> str:
    """ASCII letters and digits only, as most people write their name in an address."""
    return "".join(c for c in _fold(word.replace("ß", "ss")) if c.isascii() and c.isalnum())


def _split_name(full: str) -> tuple[str, str]:
    parts = full.split()
    if len(parts) < 2:
        return full, ""
    return parts[0], " ".join(parts[1:])


def _redraw_digits(text: str, s: _Stream, keep: int = 0) -> str:
    """``text`` with every digit after the first ``keep`` characters drawn anew."""
    return text[:keep] + "".join(str(s.below(10)) if c.isdigit() else c for c in text[keep:])


def _phone_like(phone: str | None, s: _Stream) -> str | None:
    if not phone:
        return phone
    head = 4 if phone.startswith(("+", "(")) else 2  # keep the country code or area prefix
    return _redraw_digits(phone, s, keep=min(head, len(phone)))


def local_part_like(donor: Member, given: str, family: str, s: _Stream) -> str:
    """The donor's local part with the donor's names swapped for the canary's.

    ``jürgen.mueller84`` of Jürgen Müller becomes ``anna.schmidt31`` for Anna Schmidt:
    names written as the donor wrote them (as typed, or folded to ASCII), initials
    kept as initials, digits redrawn, other letters kept.
    """
    local = donor.email.rpartition("@")[0]
    dg, df = _split_name(donor.full_name)
    out = local.lower()
    slots: list[tuple[str, str]] = []
    for mark, donor_word, word in (("\x01", df, family), ("\x02", dg, given)):
        # as many words as the donor wrote: a one-word name gets the canary's last word
        one = word.split()[-1] if word.split() else word
        forms = [(donor_word, word if " " in donor_word else one)]
        if " " in donor_word:  # a multi-word family name: the last word alone, too
            forms.append((donor_word.split()[-1], one))
        done = False
        for dw, w in forms:
            for variant, render in (
                (dw.lower().replace(" ", ""), w.lower().replace(" ", "")),
                (_plain(dw), _plain(w)),
                (_fold(dw).replace(" ", ""), _fold(w).replace(" ", "")),
            ):
                if not done and len(variant) > 1 and variant in out:
                    out = out.replace(variant, mark, 1)
                    slots.append((mark, render))
                    done = True
    if "\x02" not in out and dg and out[:1] == _fold(dg)[:1] and out[1:2] in ("\x01", ".", "_"):
        out = "\x03" + out[1:]  # an initial
        slots.append(("\x03", _plain(given)[:1]))
    out = _redraw_digits(out, s)
    for mark, render in slots:
        out = out.replace(mark, render)
    return out or _fold(given) or "mail"


def _members(store: Store, where: Sequence[ColumnElement[bool]], ids: list[str]) -> list[Member]:
    with store.sessions() as session:
        rows = session.execute(
            select(
                Customer.customer_id,
                Customer.full_name,
                Customer.email,
                Customer.country,
                Customer.subdivision,
                Customer.locale,
                Customer.phone,
                Customer.entity,
            ).where(*where, Customer.customer_id.in_(ids))
        ).all()
    return [Member(*r) for r in rows]


def _ids_at(store: Store, where: Sequence[ColumnElement[bool]], rank: int, n: int = 1) -> list[str]:
    """Customer ids of ``n`` members from ``rank`` on, in customer-id order."""
    with store.sessions() as session:
        stmt = select(Customer.customer_id).where(*where).order_by(Customer.customer_id)
        return list(session.scalars(stmt.offset(rank).limit(n)))


def _taken(store: Store, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    with store.sessions() as session:
        return set(
            session.scalars(select(Customer.customer_id).where(Customer.customer_id.in_(ids)))
        )


def _canary_taken(store: Store, hasher: KeyedHasher, email_norm: str) -> bool:
    with store.sessions() as session:
        hit = session.scalar(
            select(ExportCanary.id).where(
                ExportCanary.email_hash == email_hash_hex(hasher, email_norm)
            )
        )
    return hit is not None


def _id_between(low: str, high: str | None, s: _Stream) -> str | None:
    """An id drawn uniformly strictly between two ids of the same shape, or None.

    Drawn over the whole span of the export's ids, a free id lands in each gap in
    proportion to the gap's length, so the distances from a canary to its neighbours
    are distributed like a real member's (two independent gaps, not one split gap).
    """
    if high is None:
        return None
    a, b = _LAST_DIGITS.search(low), _LAST_DIGITS.search(high)
    if a is None or b is None or low[: a.start()] != high[: b.start()] or a.group(2) != b.group(2):
        return None
    if len(a.group(1)) != len(b.group(1)) and a.group(1).startswith("0"):
        return None
    lo, hi = int(a.group(1)), int(b.group(1))
    if hi - lo < 2:
        return None
    n = lo + 1 + s.below(hi - lo - 1)
    digits = str(n).zfill(len(a.group(1))) if a.group(1).startswith("0") else str(n)
    return low[: a.start()] + digits + a.group(2)


def _id_above(highest: str, s: _Stream, spread: int) -> str:
    m = _LAST_DIGITS.search(highest)
    if m is None:
        return highest + str(1 + s.below(spread))
    width = len(m.group(1))
    n = int(m.group(1)) + 1 + s.below(spread)
    return highest[: m.start()] + str(n).zfill(width) + m.group(2)


def _member_at(
    store: Store, where: Sequence[ColumnElement[bool]], rank: int
) -> tuple[Member, str | None] | None:
    """The member at ``rank`` in customer-id order, and the next member's id."""
    ids = _ids_at(store, where, rank, 2)
    found = _members(store, where, ids[:1])
    if not found:
        return None
    return found[0], ids[1] if len(ids) > 1 else None


class _Draws:
    """The export's members in customer-id order, by rank, overall or in one country.

    An export of up to ``IN_MEMORY`` members is read once, in the store's own order
    (so that each backend draws what it drew before); a larger one is paged from the
    store at each draw. A small export is where draws repeat most (few names to
    combine), so a query per draw there cost minutes on PostgreSQL.
    """

    IN_MEMORY = 200_000

    def __init__(self, store: Store, where: Sequence[ColumnElement[bool]], members: int) -> None:
        self.store, self.where = store, where
        self.rows: list[Member] | None = None
        self.by_country: dict[str, list[Member]] = {}
        if members <= self.IN_MEMORY:
            with store.sessions() as session:
                self.rows = [
                    Member(*r)
                    for r in session.execute(
                        select(
                            Customer.customer_id,
                            Customer.full_name,
                            Customer.email,
                            Customer.country,
                            Customer.subdivision,
                            Customer.locale,
                            Customer.phone,
                            Customer.entity,
                        )
                        .where(*where)
                        .order_by(Customer.customer_id)
                    )
                ]

    def at(self, rank: int, country: str | None = None) -> tuple[Member, str | None] | None:
        if self.rows is None:
            where = self.where if country is None else [*self.where, Customer.country == country]
            return _member_at(self.store, where, rank)
        rows = self.rows
        if country is not None:
            if country not in self.by_country:
                self.by_country[country] = [m for m in self.rows if m.country == country]
            rows = self.by_country[country]
        if rank >= len(rows):
            return None
        return rows[rank], rows[rank + 1].customer_id if rank + 1 < len(rows) else None


def _free_id(
    store: Store,
    s: _Stream,
    span: tuple[str, str],
    neighbour: tuple[str, str | None],
    used: set[str],
) -> str | None:
    for _ in range(_ID_TRIES):
        cid = _id_between(*span, s) or _id_between(*neighbour, s)
        if cid is None:
            return None
        if cid not in used and not _taken(store, {cid}):
            return cid
    return None


def blend_canaries(
    store: Store,
    hasher: KeyedHasher,
    uid: str,
    k: int,
    countries: Mapping[str, int],
    where: Sequence[ColumnElement[bool]],
    holder: Mapping[str, str],
    entities: Mapping[str, Entity],
) -> Blend:
    """Draw ``k`` canaries for an export selected by ``where`` (``countries``: members
    per country). The structure donor is drawn first and fixes the canary's country;
    names, address and id are then redrawn until they fit, so that no rejection can
    tilt the mix of countries or formats away from the real rows'."""
    blend = Blend()
    used: set[str] = set()
    emails: set[str] = set()
    members = sum(countries.values())
    with store.sessions() as session:
        lowest, highest = session.execute(
            select(func.min(Customer.customer_id), func.max(Customer.customer_id)).where(*where)
        ).one()
    span = (lowest or "C0", highest or "C0")
    draws = _Draws(store, where, members)
    dense = False
    number = 0
    while len(blend.canaries) < k and number < k * _TRIES:
        s = _Stream(hasher, uid, number)
        number += 1
        picked = draws.at(s.below(members))
        if picked is None:
            continue
        donor, after = picked
        ent = entities.get(holder.get(donor.country, ""))
        domain = ent.canary_domain if ent is not None and ent.canary_domain else ""
        in_country = countries.get(donor.country, 0)
        made: tuple[str, str, str] | None = None
        for _ in range(_NAME_TRIES):
            g = draws.at(s.below(in_country), donor.country) if in_country else None
            f = draws.at(s.below(in_country), donor.country) if in_country else None
            if g is None or f is None or not domain:
                break
            given, family = _split_name(g[0].full_name)[0], _split_name(f[0].full_name)[1]
            family = family or _split_name(f[0].full_name)[0]
            email = f"{local_part_like(donor, given, family, s)}@{domain}"
            try:
                norm = normalise_email(email)
            except ValueError:
                continue
            if norm not in emails and not _canary_taken(store, hasher, norm):
                made = (f"{given} {family}".strip(), email, norm)
                break
        if made is None:
            continue
        cid = None if dense else _free_id(store, s, span, (donor.customer_id, after), used)
        if cid is None:
            dense = True  # no free id in the span: the rest go above the highest
            for _ in range(_ID_TRIES):
                cid = _id_above(span[1], s, max(100, 10 * k))
                if cid not in used and not _taken(store, {cid}):
                    break
            else:
                continue
            blend.above += 1
        used.add(cid)
        emails.add(made[2])
        blend.canaries.append(
            Canary(
                number=number - 1,
                customer_id=cid,
                full_name=made[0],
                email=made[1],
                email_norm=made[2],
                country=donor.country,
                entity=donor.entity,
                domain=domain,
                locale=donor.locale,
                subdivision=donor.subdivision,
                phone=_phone_like(donor.phone, s),
            )
        )
    if blend.above:
        blend.warnings.append(
            f"{blend.above} of {len(blend.canaries)} canaries have ids above the highest "
            "real id: the id space has no free gaps between these customers' ids, so those "
            "ids could give the canaries away"
        )
    return blend


def canary_values(c: Canary) -> dict[str, Any]:
    """A canary as an export row (the registry's columns)."""
    return {
        "customer_id": c.customer_id,
        "email": c.email,
        "full_name": c.full_name,
        "country": c.country,
        "subdivision": c.subdivision,
        "entity": c.entity,
        "locale": c.locale,
        "phone": c.phone,
    }
