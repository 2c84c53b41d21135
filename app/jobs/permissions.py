"""Who may see and retry failed background jobs."""
from __future__ import annotations


def can_manage_jobs(user) -> bool:
    return (user is not None and getattr(user, "is_authenticated", False) and user.active
            and (user.is_staff or user.is_admin))
