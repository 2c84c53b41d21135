"""Password strength: refuse common and guessable passwords, including ones built from the person's
own email address or name (zxcvbn, the estimator Dropbox published, with its word lists).

Applied where a person chooses a password (sign-up, change, reset: the forms), not to accounts an
operator creates from the command line."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError
from zxcvbn import zxcvbn

# zxcvbn's score runs 0-4; 3 is "safely unguessable" against online attacks and slowed offline ones.
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching grows with the length); the rest only adds strength.
_ZXCVBN_MAX = 72

_COMMON_WARNINGS = {
    "This is a top-10 common password.", "This is a top-100 common password.",
    "This is a very common password.", "This is similar to a commonly used password.",
}


def personal_words(email: str | None, name: str | None) -> list[str]:
    """Words a guesser tries first for this person: the email, the part before the @ and its pieces,
    and the name and its words (not the mail domain: many people share naver.com)."""
    words: list[str] = []
    if isinstance(email, str) and email.strip():
        email = email.strip().lower()
        local = email.split("@")[0]
        words += [email, local, *re.split(r"[._+\-]+", local)]
    if isinstance(name, str) and name.strip():
        name = name.strip().lower()
        words += [name, *name.split()]
    return [word for word in dict.fromkeys(words) if word]


def password_problem(password: str, context: list[str]):
    """A translated reason why the password is too weak, or None when it is strong enough."""
    lowered = password.lower()
    if any(len(word) >= 3 and word in lowered for word in context):
        return _l("Do not use your email address or name in your password.")
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=context)
    if result["score"] >= MIN_SCORE:
        return None
    if result["feedback"].get("warning") in _COMMON_WARNINGS:
        return _l("This is one of the most common passwords. Choose one that others do not use.")
    return _l("This password is too easy to guess. Use three or more unrelated words, "
              "or a longer mix of letters, numbers and signs.")


class StrongPassword:
    """WTForms validator. The person is the form's ``account`` (change, reset) or, at sign-up, the
    email and display name typed into the same form."""

    def __call__(self, form, field):
        if not isinstance(field.data, str) or not field.data:
            return
        account = getattr(form, "account", None)
        if account is not None:
            words = personal_words(account.email, account.display_name)
        else:
            words = personal_words(getattr(getattr(form, "email", None), "data", None),
                                   getattr(getattr(form, "display_name", None), "data", None))
        problem = password_problem(field.data, words)
        if problem is not None:
            raise ValidationError(problem)
