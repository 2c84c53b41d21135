"""Every message the code and templates use is translated into Korean and English."""
from pathlib import Path

from app.i18n_check import untranslated, used_messages

ROOT = Path(__file__).resolve().parent.parent


def test_the_check_finds_the_messages_in_code_and_templates():
    used = used_messages()
    assert "The email or password is wrong." in used  # from Python
    assert "Skip to content" in used  # from a template


def test_every_message_is_translated_in_both_languages():
    missing = untranslated()
    report = "\n".join(f"{locale}: {msgid}" for locale, ids in missing.items() for msgid in ids)
    assert not any(missing.values()), f"Untranslated messages (run `flask translate missing`):\n{report}"


def test_templates_have_no_text_outside_the_catalogue():
    """Text between tags in our templates goes through _(): a crude but effective check for Hangul."""
    offenders = []
    for template in (ROOT / "app" / "templates").rglob("*.html"):
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.replace("한국어", "")  # the language switch names itself in its own language
            if any("\uac00" <= ch <= "\ud7a3" for ch in stripped):
                offenders.append(f"{template.relative_to(ROOT)}:{number}")
    assert offenders == []
