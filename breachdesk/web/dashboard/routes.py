"""The dashboard's routers, gathered (each area keeps its own module)."""

from __future__ import annotations

from fastapi import APIRouter

from breachdesk.web.dashboard import auth, incidents, records, review

router = APIRouter()
router.include_router(auth.router)
router.include_router(incidents.router)
router.include_router(records.router)
router.include_router(review.router)
