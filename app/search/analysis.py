"""The Korean analyzer shared by every search backend: the terms of a text, and the plan of a query.

A resident types 주차장이, the text says 주차장을; the query 주차장이 없어요 holds an ending (어요)
no text has. Each word is analysed by Kiwi (kiwipiepy, a Korean morphological analyzer) into
morphemes, of which the content ones are kept: nouns, numerals, roots, verb and adjective stems,
foreign words and numbers; particles and endings are dropped. Hangul character bigrams are kept
too (the bigram across one space as well), so that compounds the analyzer does not split
(공영주차장 → 주차) and spacing variants (버스정류장 / 버스 정류장) still match.

Speed: Kiwi analyses about 190 whole documents a second on one core, far too slow for a
million documents. A text's words repeat (Zipf), so each distinct word (space-separated run) is
analysed once and its morphemes cached; the analysis of a word without its sentence is what a
query gets too, so index and query agree. `make bench` figures are in the README.
"""
from __future__ import annotations

import re
import threading
import warnings
from dataclasses import dataclass, field

_WORD = re.compile(r"[\uac00-\ud7a3A-Za-z0-9]+")
_HANGUL_SPACED = re.compile(r"[\uac00-\ud7a3]+(?:\s[\uac00-\ud7a3]+)*")
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")
# Kiwi's tags of content morphemes: general and proper nouns, numerals, roots, verb and adjective
# stems (with their irregular variants, VV-I, VA-R …), foreign words, numbers, hanja.
_CONTENT_TAGS = ("NNG", "NNP", "NR", "XR", "VV", "VA", "SL", "SN", "SH")
_CACHE_LIMIT = 400_000  # distinct words kept; the cache is emptied when it grows past this

_kiwi = None
_kiwi_lock = threading.Lock()
_cache: dict[str, tuple[tuple[str, int, int], ...]] = {}


def _analyzer():
    """Kiwi is loaded on first use (about a second), in each process (Whoosh's writer processes too)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                # num_workers=0: no thread pool, each call runs in the calling thread (single words need
                # none, and a pool's threads hung a process that also ran Whoosh's writer processes).
                # Since 0.21 that is what 0 means; the warning only announces that change.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    _kiwi = Kiwi(num_workers=0)
    return _kiwi


def word_morphemes(word: str) -> tuple[tuple[str, int, int], ...]:
    """The content morphemes of one word as (form, start, end) offsets within the word, cached."""
    cached = _cache.get(word)
    if cached is not None:
        return cached
    result: tuple[tuple[str, int, int], ...]
    if word.isascii():
        result = ((word.lower(), 0, len(word)),)
    else:
        kiwi = _analyzer()
        with _kiwi_lock:  # one Kiwi object is not documented as safe to call from several threads
            tokens = kiwi.tokenize(word)
        result = tuple((token.form.lower() if token.tag == "SL" else token.form, token.start,
                        min(len(word), token.start + max(1, token.len)))
                       for token in tokens if token.tag.split("-")[0] in _CONTENT_TAGS and _is_text(token.form))
        if not result:  # no noun or stem found (그늘막 = 그늘 + 막 "just"): the word up to its particles and endings
            end = max((token.start + token.len for token in tokens if token.tag[0] not in "JE"), default=0)
            result = ((word[:end], 0, end),) if end >= 2 else ()
    if len(_cache) >= _CACHE_LIMIT:
        _cache.clear()
    _cache[word] = result
    return result


def _is_text(form: str) -> bool:
    return bool(_WORD.fullmatch(form))


def terms_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """Every index term of ``text`` with its character span (morphemes and Hangul bigrams), in the order
    of their spans (Whoosh's highlighting fragmenters expect it)."""
    terms = []
    for match in _WORD.finditer(text):
        for form, start, end in word_morphemes(match.group()):
            terms.append((form, match.start() + start, match.start() + end))
    for match in _HANGUL_SPACED.finditer(text):
        chunk, base = match.group(), match.start()
        previous_end = None
        for run in _HANGUL_RUN.finditer(chunk):
            start, end = base + run.start(), base + run.end()
            if previous_end is not None:  # the bigram across one space: 버스 정류장 -> 스정
                terms.append((text[previous_end - 1] + text[start], previous_end - 1, start + 1))
            for i in range(start, end - 1):
                terms.append((text[i:i + 2], i, i + 2))
            previous_end = end
    terms.sort(key=lambda term: (term[1], term[2]))
    return terms


_word_terms: dict[str, list[str]] = {}


def terms(text: str) -> list[str]:
    """The index terms of ``text``, as `terms_with_offsets` but without spans or order (for indexing,
    which needs neither): each word's morphemes and bigrams come from a cache."""
    result = []
    for word in _WORD.findall(text):
        cached = _word_terms.get(word)
        if cached is None:
            cached = [form for form, _, _ in word_morphemes(word)]
            for run in _HANGUL_RUN.findall(word):
                cached.extend(run[i:i + 2] for i in range(len(run) - 1))
            if len(_word_terms) >= _CACHE_LIMIT:
                _word_terms.clear()
            _word_terms[word] = cached
        result.extend(cached)
    for match in _HANGUL_SPACED.finditer(text):  # the bigrams across one space
        runs = match.group().split()
        result.extend(runs[i][-1] + runs[i + 1][0] for i in range(len(runs) - 1))
    return result


def bigrams(form: str) -> list[str]:
    return [form[i:i + 2] for i in range(len(form) - 1)]


def is_hangul(text: str) -> bool:
    return bool(_HANGUL_RUN.fullmatch(text))


# Query plans -------------------------------------------------------------------------------------

@dataclass
class Unit:
    """One thing the query asks for: a content morpheme of a query word.

    A document has it when it holds the morpheme itself, or every bigram of it (a compound the
    analyzer left whole: 공영주차장 has 주차장's bigrams). A single syllable (물, 길) also matches
    the words starting with it (물통, 길가; with the bigram across a space almost every word
    holding it), ranked below documents with the whole word."""
    form: str
    word: int  # index of the query word it comes from

    @property
    def bigrams(self) -> list[str]:
        return bigrams(self.form) if len(self.form) > 2 and is_hangul(self.form) else []

    @property
    def single_syllable(self) -> bool:
        return len(self.form) == 1 and is_hangul(self.form)


@dataclass
class QueryPlan:
    words: list[str]  # the query's words as typed
    units: list[Unit]
    extra: list[str] = field(default_factory=list)  # bigrams across the query's spaces: rank higher only

    @property
    def terms(self) -> list[str]:
        """Every term the plan names (for highlighting)."""
        names = [u.form for u in self.units] + [b for u in self.units for b in u.bigrams] + self.extra
        return list(dict.fromkeys(names))

    def missing_words(self, found_units: set[int]) -> list[str]:
        """The words (as typed) one of whose units is not among ``found_units`` (indexes into units)."""
        missing = {unit.word for position, unit in enumerate(self.units) if position not in found_units}
        return [word for position, word in enumerate(self.words) if position in missing]


def plan(text: str) -> QueryPlan:
    words = [word for word in text.split() if _WORD.search(word)]
    units: list[Unit] = []
    seen = set()
    for position, word in enumerate(words):
        # A word of nothing but adverbs, particles or endings (안, 요) asks for nothing.
        forms = [form for part in _WORD.findall(word) for form, _, _ in word_morphemes(part)]
        for form in forms:
            if form not in seen:
                seen.add(form)
                units.append(Unit(form, position))
    spaced = [t for t, _, _ in terms_with_offsets(text)]
    inside = {b for word in words for b, _, _ in terms_with_offsets(word)}
    extra = [b for b in dict.fromkeys(spaced) if len(b) == 2 and b not in inside and b not in seen]
    return QueryPlan(words, units, extra)


# One-letter typos at the level of Hangul letters (jamo) -------------------------------------------

_INITIALS, _MEDIALS, _FINALS = 19, 21, 28


def _syllable_variants(syllable: str) -> list[str]:
    code = ord(syllable) - 0xAC00
    initial, medial, final = code // (_MEDIALS * _FINALS), code // _FINALS % _MEDIALS, code % _FINALS
    variants = []
    for i in range(_INITIALS):
        if i != initial:
            variants.append(chr(0xAC00 + (i * _MEDIALS + medial) * _FINALS + final))
    for m in range(_MEDIALS):
        if m != medial:
            variants.append(chr(0xAC00 + (initial * _MEDIALS + m) * _FINALS + final))
    for f in range(_FINALS):  # includes adding or dropping the final consonant
        if f != final:
            variants.append(chr(0xAC00 + (initial * _MEDIALS + medial) * _FINALS + f))
    return variants


def one_letter_variants(form: str) -> list[str]:
    """Every Hangul word one letter (jamo) away from ``form``: a changed initial, vowel or final."""
    if not is_hangul(form) or len(form) < 2:
        return []
    return [form[:i] + variant + form[i + 1:] for i, syllable in enumerate(form)
            for variant in _syllable_variants(syllable)]
