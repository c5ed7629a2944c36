"""The DPO's answers the law rules ask for, kept on the incident beside the risk answers.

``Incident.risk_answers`` holds the ENISA answers (``recipients``, ``malicious`` ...);
under ``criteria`` it also holds yes/no answers to the rules' unmodelled criteria
(``breachdesk risk ID --answer br-large-scale=yes``) and under ``key_compromised``
whether the encryption key was taken with the data. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Mapping

from breachdesk.errors import UsageError
from breachdesk.incident.lifecycle import subject
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models.incidents import Incident

CRITERIA = "criteria"
KEY_COMPROMISED = "key_compromised"


def key_compromised(inc: Incident) -> bool:
    return bool((inc.risk_answers or {}).get(KEY_COMPROMISED, False))


def criterion_answers(inc: Incident) -> dict[str, bool]:
    stored = (inc.risk_answers or {}).get(CRITERIA) or {}
    return {str(k): bool(v) for k, v in stored.items()}


def set_law_answers(
    store: Store,
    incident_id: int,
    criteria: Mapping[str, bool],
    actor: str,
    key_taken: bool | None = None,
) -> None:
    """Store answers to unmodelled criteria (and whether the key was compromised);
    audited as ``law.answers`` with the previous values."""
    with store.session() as s:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise UsageError(f"incident {incident_id}: no such incident")
        before = {CRITERIA: criterion_answers(inc), KEY_COMPROMISED: key_compromised(inc)}
        current = dict(inc.risk_answers or {})
        current[CRITERIA] = {**criterion_answers(inc), **dict(criteria)}
        if key_taken is not None:
            current[KEY_COMPROMISED] = key_taken
        inc.risk_answers = current
        change: dict[str, object] = {"answers": dict(criteria), "before": before}
        if key_taken is not None:
            change[KEY_COMPROMISED] = key_taken
        record(s, actor, "law.answers", subject(incident_id), change)
