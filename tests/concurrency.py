"""Races for the concurrency tests: calls started in threads at the same moment, each with its own app
context, request context and so its own database session and connection (on PostgreSQL, real concurrent
transactions with row locks; on SQLite, writers take turns).

    results, errors = run_together(app, work, arguments)   # what committed, what raised
    outcomes = race(app, work, arguments)                   # one Outcome a call, in argument order
    outcomes = at_once(calls)                               # plain calls, e.g. each with its own test client

A call that does not finish within ``timeout`` seconds fails the test rather than going unreported."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from app.core import DomainError
from app.extensions import db


@dataclass(frozen=True)
class Outcome:
    """What one call did: the value it returned, or the exception it raised (for race(): rolled back, and
    ``message`` a DomainError's message as the call's own request rendered it, in its language)."""

    value: Any = None
    error: Exception | None = None
    message: str | None = None

    @property
    def committed(self) -> bool:
        return self.error is None

    def refusal(self) -> DomainError | None:
        """The DomainError the call was refused with, None if it committed. Any other exception is raised
        again here: a race must end in a commit or a refusal, never in a crash."""
        if self.error is None or isinstance(self.error, DomainError):
            return self.error
        raise self.error

    def describe(self, committed: str) -> str:
        """``committed`` if the call committed, else the refusal's message, else the exception's repr (so an
        unexpected crash shows in the assertion message)."""
        if self.error is None:
            return committed
        if isinstance(self.error, DomainError) and self.message is not None:
            return self.message
        return repr(self.error)


def at_once(calls: list[Callable[[], Any]], *, timeout: float = 60) -> list[Outcome]:
    """Run each zero-argument call in its own thread, all released together by a barrier; return what each
    returned or raised, in the order of ``calls``."""
    calls = list(calls)
    barrier = threading.Barrier(len(calls), timeout=timeout)
    outcomes: list[Outcome | None] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = Outcome(value=call())
        except Exception as error:  # noqa: BLE001 — handed to the test in the outcome
            outcomes[index] = Outcome(error=error)

    threads = [threading.Thread(target=worker, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    running = sum(thread.is_alive() for thread in threads)
    assert not running, f"{running} of {len(threads)} racing calls still running after {timeout} s"
    return outcomes  # type: ignore[return-value]  (every thread finished, so every slot is filled)


def race(app, work: Callable[[Any], Any], arguments: Iterable, *, headers: dict | None = None,
         timeout: float = 60) -> list[Outcome]:
    """Call ``work(argument)`` for every argument at the same moment, each in its own thread with its own app
    and request context (``headers`` for the request, e.g. its Accept-Language) and so its own session;
    commit what returned, roll back what raised. One Outcome an argument, in argument order."""

    def in_own_session(argument):
        def call() -> Outcome:
            with app.app_context(), app.test_request_context(headers=headers):
                try:
                    value = work(argument)
                    db.session.commit()
                    return Outcome(value=value)
                except Exception as error:  # noqa: BLE001 — handed to the test in the outcome
                    db.session.rollback()
                    message = str(error.message) if isinstance(error, DomainError) else None
                    return Outcome(error=error, message=message)
                finally:
                    db.session.remove()

        return call

    started = at_once([in_own_session(argument) for argument in arguments], timeout=timeout)
    return [outcome.value if outcome.error is None else outcome for outcome in started]  # or what the barrier raised


def run_together(app, work: Callable[[Any], Any], arguments: Iterable, **options) -> tuple[list, list]:
    """race(), split: the values of the calls that committed and the exceptions of those that did not, each
    in argument order."""
    outcomes = race(app, work, arguments, **options)
    return ([o.value for o in outcomes if o.committed], [o.error for o in outcomes if not o.committed])
