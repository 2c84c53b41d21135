"""Demo data: each domain's ``demo`` module has an idempotent ``seed_demo()`` (it looks before it adds)."""
from __future__ import annotations

from importlib import import_module

# Order matters: later domains build on earlier ones' demo rows.
DEMO_MODULES = [
    "app.auth.demo",
    "app.proposals.demo",
    "app.policies.demo",
    "app.labs.demo",
    "app.committees.demo",  # before the ledger: its attendance creates allowances the ledger demo leaves pending
    "app.ledger.demo",
    "app.consultations.demo",
    "app.interests.demo",
    "app.intake.demo",  # after proposals: enters a proposal for a resident without an account
    "app.surveys.demo",
    "app.walking.demo",
    "app.certificates.demo",  # last: certifies the closed demo lab's members
]


def run_demo_seeders() -> list[str]:
    from app.extensions import db

    for name in DEMO_MODULES:
        import_module(name).seed_demo()
        db.session.commit()
    return DEMO_MODULES
