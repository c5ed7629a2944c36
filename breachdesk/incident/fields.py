"""Names of exposed fields: what findings and affected-customer lists may say, and
the law engine's data element each stands for (see ``law.situation.DataElement``)."""

from __future__ import annotations

FIELD_ELEMENTS: dict[str, str] = {
    "email": "email",
    "name": "name",
    "phone": "phone",
    "address": "postal_address",
    "postal_address": "postal_address",
    "dob": "date_of_birth",
    "date_of_birth": "date_of_birth",
    "username": "username",
    "password": "password",
    "security_qa": "security_qa",
    "id": "government_id",
    "government_id": "government_id",
    "ssn": "ssn",
    "drivers_license": "drivers_license",
    "passport": "passport",
    "financial": "financial_account",
    "financial_account": "financial_account",
    "payment_card": "payment_card",
    "health": "health",
    "biometric": "biometric",
    "precise_location": "precise_location",
}
KNOWN_FIELDS: tuple[str, ...] = tuple(sorted(FIELD_ELEMENTS))
