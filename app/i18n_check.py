"""Finds messages used in the code that a catalogue does not translate."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHOD_MAP = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
KEYWORDS: dict[str, Any] = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2),
                            "pgettext": ((1, "c"), 2)}


def used_messages() -> set[str]:
    messages: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map=METHOD_MAP, keywords=KEYWORDS,
        options_map={"app/templates/**.html": {"extensions": "jinja2.ext.do"}},
    ):
        messages.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return messages


def untranslated() -> dict[str, list[str]]:
    used = used_messages()
    result = {}
    for locale in ("ko", "en"):
        path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
        translated: set[str] = set()
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle)
            for message in catalog:
                if not message.id or message.fuzzy:
                    continue
                ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if all(strings):
                    translated.update(ids)
        result[locale] = sorted(used - translated)
    return result
