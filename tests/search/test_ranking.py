"""`ranking` reads Whoosh's posting blocks itself: checked where that is risky, against a plain BM25.

The corpus (several thousand documents, written straight into an index of its own) makes common
terms span several posting blocks (BLOCK_SIZE documents each) and keeps rare terms short enough to
be inlined in the term info; the reference ranks it with nothing but Python counting."""
import math
import random
from collections import Counter

import numpy as np
import pytest
from whoosh import index as whoosh_index

from app.search import SCHEMA, SearchDocument, _fields, analysis, index_writer, ranking

SEARCH_BACKENDS = ("whoosh",)

COMMON = ["주차", "버스", "공원", "가로등", "쓰레기", "도서관", "놀이터", "횡단보도"]
RARE = ["분수대", "자전거", "소방서", "보건소"]
FILLER = ["우리", "동네에", "요청합니다", "필요합니다", "주민들이", "불편합니다", "밤에는", "아이들이", "어르신들이"]
DOCUMENTS = 3500


def _corpus(seed=7):
    rng = random.Random(seed)
    documents = []
    for number in range(DOCUMENTS):
        words = rng.sample(FILLER, 3) + rng.sample(COMMON[1:], rng.randint(1, 3))
        if rng.random() < 0.8:  # 주차 is in most documents: its posting lists span several blocks
            words.append("주차")
        if number % 500 == 17:  # rare words: a handful of documents, one in each block
            words.append(RARE[number // 500 % len(RARE)])
        rng.shuffle(words)
        title = " ".join(words[:2]) + " 문제"
        body = " ".join(words * rng.randint(1, 3))
        documents.append(SearchDocument(type="proposal" if number % 3 else "comment", id=number + 1, title=title,
                                        body=body, url=f"/proposals/{number + 1}", hidden=number % 97 == 0,
                                        owner_id=number % 50 + 1))
    return documents


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("ranking-index"))
    ix = whoosh_index.create_in(directory, SCHEMA)
    documents = _corpus()
    for part in (documents[:2700], documents[2700:]):  # two segments
        writer = index_writer(ix)
        for document in part:
            writer.add_document(**_fields(document))
        writer.commit(merge=False)
    return directory, documents


def _plan(text):
    return analysis.plan(text)


def _reference(documents, text, *, viewer=None, staff=False):
    """BM25 as `ranking` defines it, counted in plain Python: every unit required (the morpheme, or all of
    its bigrams), then the units and the bigrams across the query's spaces in the title, then the score."""
    plan = _plan(text)
    assert not any(unit.single_syllable for unit in plan.units)  # the reference covers whole units
    counted = [{f: Counter(analysis.terms(getattr(d, f))) for f in ranking.FIELDS} for d in documents]
    count = len(documents)
    average = {f: max(1.0, sum(len(getattr(d, f)) for d in documents) / count) for f in ranking.FIELDS}

    def df(term):
        return sum((c["title"][term] > 0) + (c["body"][term] > 0) for c in counted)

    def unit_tf(unit, field_counts):
        tf = field_counts[unit.form]
        if unit.bigrams:
            tf = max(tf, min(field_counts[b] for b in unit.bigrams))
        return tf

    idf = {}
    for unit in plan.units:
        frequency = df(unit.form)
        if unit.bigrams:
            frequency = max(frequency, min(df(b) for b in unit.bigrams))
        idf[unit.form] = math.log(count / (frequency + 1)) + 1
    for term in plan.extra:
        idf[term] = math.log(count / (df(term) + 1)) + 1

    def bm25(term_idf, tf, document, field):
        norm = ranking.K1 * ((1 - ranking.B) + ranking.B * len(getattr(document, field)) / average[field])
        return term_idf * tf * (ranking.K1 + 1) / (tf + norm) * (ranking.TITLE_BOOST if field == "title" else 1.0)

    results = []
    for position, (document, counts) in enumerate(zip(documents, counted)):
        if document.hidden and not staff and document.owner_id != viewer:
            continue
        if not all(unit_tf(u, counts["title"]) or unit_tf(u, counts["body"]) for u in plan.units):
            continue
        score, in_title = 0.0, 0
        for unit in plan.units:
            for field in ranking.FIELDS:
                score += bm25(idf[unit.form], unit_tf(unit, counts[field]), document, field)
            in_title += unit_tf(unit, counts["title"]) > 0
        for term in plan.extra:
            for field in ranking.FIELDS:
                score += bm25(idf[term], counts[field][term], document, field)
            in_title += counts["title"][term] > 0
        results.append((in_title, score, position, document.id))
    results.sort(key=lambda r: (-r[0], -r[1], -r[2]))
    return results


def _ranked(directory, text, **viewer):
    options = {"types": None, "hidden_visible_to": None, "all_hidden_visible": False} | viewer
    with ranking.searcher(directory, SCHEMA) as searcher:
        ranked = ranking.rank(searcher, _plan(text), **options)
        best = ranked.best(len(ranked))
        return [int(i) for i in ranked.ids[best]], len(ranked)


@pytest.mark.parametrize("text", ["주차", "버스 공원", "가로등 놀이터 도서관", "분수대", "소방서 주차", "쓰레기"])
def test_top_10_and_total_agree_with_a_reference_bm25(corpus_index, text):
    directory, documents = corpus_index
    reference = _reference(documents, text)
    ids, total = _ranked(directory, text)
    assert total == len(reference) > 0
    # Scores are float32 in the index: compare by the reference's own score of each returned document.
    scores = {doc_id: (in_title, score) for in_title, score, _, doc_id in reference}
    returned = [scores[doc_id] for doc_id in ids[:10]]
    expected = [(in_title, score) for in_title, score, _, _ in reference[:10]]
    assert [r[0] for r in returned] == [e[0] for e in expected]
    assert np.allclose([r[1] for r in returned], [e[1] for e in expected], rtol=1e-4)
    assert set(ids) == set(scores)


def test_a_common_term_spans_several_blocks_and_every_posting_is_read(corpus_index):
    directory, documents = corpus_index
    with ranking.searcher(directory, SCHEMA) as searcher:
        reader, _ = list(searcher.reader().leaf_readers())[0]  # the 2,700-document segment
        ids, weights = ranking._postings(reader, "body", "주차")
        expected = [n for n, d in enumerate(documents[:2700]) if "주차" in analysis.terms(d.body)]
        assert len(expected) > 2 * ranking.BLOCK_SIZE  # three blocks at least
        assert ids.tolist() == expected
        assert weights.tolist() == [Counter(analysis.terms(documents[n].body))["주차"] for n in expected]


def test_blocks_without_a_candidate_are_skipped(corpus_index):
    directory, documents = corpus_index
    with ranking.searcher(directory, SCHEMA) as searcher:
        reader, _ = list(searcher.reader().leaf_readers())[0]
        everything, _ = ranking._postings(reader, "body", "주차")
        candidate = everything[ranking.BLOCK_SIZE + 5]  # in the second block only
        ids, _ = ranking._postings(reader, "body", "주차", within=np.array([candidate]))
        assert candidate in ids and len(ids) <= ranking.BLOCK_SIZE
        assert ids[0] > everything[ranking.BLOCK_SIZE - 1] - 1 and ids[-1] < everything[2 * ranking.BLOCK_SIZE]
        none, _ = ranking._postings(reader, "body", "주차", within=np.array([], np.int64))
        assert none.size == 0


def test_a_rare_term_joined_with_a_common_one_reads_only_the_blocks_it_needs(corpus_index):
    directory, documents = corpus_index
    reference = _reference(documents, "소방서 주차")
    assert 0 < len(reference) < 20
    assert [doc_id for *_, doc_id in reference] == _ranked(directory, "소방서 주차")[0]


def test_hidden_documents_only_for_their_owner_and_staff(corpus_index):
    directory, documents = corpus_index
    hidden = [d for d in documents if d.hidden and "버스" in analysis.terms(d.title + " " + d.body)]
    assert hidden
    anonymous = set(_ranked(directory, "버스")[0])
    assert not anonymous & {d.id for d in hidden}
    owner = hidden[0].owner_id
    as_owner = set(_ranked(directory, "버스", hidden_visible_to=owner)[0])
    assert {d.id for d in hidden if d.owner_id == owner} <= as_owner
    assert {d.id for d in hidden} <= set(_ranked(directory, "버스", all_hidden_visible=True)[0])
    assert _ranked(directory, "버스", all_hidden_visible=True)[1] == len(_reference(documents, "버스", staff=True))


def test_types_keep_to_the_asked_type(corpus_index):
    directory, documents = corpus_index
    with ranking.searcher(directory, SCHEMA) as searcher:
        ranked = ranking.rank(searcher, _plan("공원"), types={"comment"}, hidden_visible_to=None,
                              all_hidden_visible=True)
        assert {ranked.type_of(p) for p in range(len(ranked))} == {"comment"}


def test_deletions_inside_a_block_are_left_out(tmp_path):
    directory = str(tmp_path)
    ix = whoosh_index.create_in(directory, SCHEMA)
    documents = _corpus(seed=11)[:2500]
    writer = index_writer(ix)
    for document in documents:
        writer.add_document(**_fields(document))
    writer.commit()
    matching = [d.id for d in documents if "버스" in analysis.terms(d.title + " " + d.body) and not d.hidden]
    deleted = set(matching[1030:1040]) | {matching[3]}  # inside the second block, and one in the first
    writer = index_writer(ix)
    for doc_id in deleted:
        writer.delete_by_term("key", f"proposal:{doc_id}")
        writer.delete_by_term("key", f"comment:{doc_id}")
    writer.commit(merge=False)
    with ranking.searcher(directory, SCHEMA) as searcher:
        reader, _ = list(searcher.reader().leaf_readers())[0]
        assert reader.has_deletions()  # kept in the segment, not merged away
    ids, total = _ranked(directory, "버스")
    assert total == len(matching) - len(deleted) and not set(ids) & deleted
    assert set(ids) == set(matching) - deleted


def test_an_empty_index_and_a_query_without_words_find_nothing(tmp_path):
    whoosh_index.create_in(str(tmp_path), SCHEMA)
    assert _ranked(str(tmp_path), "주차") == ([], 0)
    assert _ranked(str(tmp_path), "은 는") == ([], 0)
