"""The city's administrative districts (읍·면·동), Asan-si as in the source plan (seeds/003)."""
from flask_babel import get_locale

# (code, Korean name, romanized name)
DISTRICTS = [
    ("onyang1", "온양1동", "Onyang 1-dong"),
    ("onyang2", "온양2동", "Onyang 2-dong"),
    ("onyang3", "온양3동", "Onyang 3-dong"),
    ("onyang4", "온양4동", "Onyang 4-dong"),
    ("onyang5", "온양5동", "Onyang 5-dong"),
    ("onyang6", "온양6동", "Onyang 6-dong"),
    ("baebang", "배방읍", "Baebang-eup"),
    ("yeomchi", "염치읍", "Yeomchi-eup"),
    ("tangjeong", "탕정면", "Tangjeong-myeon"),
    ("eumbong", "음봉면", "Eumbong-myeon"),
    ("dunpo", "둔포면", "Dunpo-myeon"),
    ("yeongin", "영인면", "Yeongin-myeon"),
    ("inju", "인주면", "Inju-myeon"),
    ("songak", "송악면", "Songak-myeon"),
    ("dogo", "도고면", "Dogo-myeon"),
    ("sinchang", "신창면", "Sinchang-myeon"),
    ("seonjang", "선장면", "Seonjang-myeon"),
]
DISTRICT_CODES = [code for code, _, _ in DISTRICTS]
_NAMES = {code: (ko, en) for code, ko, en in DISTRICTS}


def district_name(code: str | None) -> str:
    if not code or code not in _NAMES:
        return code or ""
    ko, en = _NAMES[code]
    return en if str(get_locale()) == "en" else ko


def district_choices() -> list[tuple[str, str]]:
    return [(code, district_name(code)) for code in DISTRICT_CODES]
