"""Korean as residents type it: particles and endings, sentences, single syllables, typos, spacing."""
from app.search import analysis, search


def titles(text, viewer=None):
    return [hit.title for hit in search(text, viewer=viewer).hits]


def test_a_particle_the_text_does_not_use_still_finds_the_word(make_proposal):
    make_proposal(title="공영 주차장 확충", body="시장 앞 주차장을 늘려 주세요. 주말마다 차를 댈 곳이 없습니다.")
    assert titles("주차장이") == ["공영 주차장 확충"]
    assert titles("주차장을") == titles("주차장에") == titles("주차장") == ["공영 주차장 확충"]


def test_verb_and_adjective_endings_are_dropped(make_proposal):
    make_proposal(title="빙판길 대책", body="겨울이면 언덕길이 미끄러워서 어르신들이 자주 넘어지십니다.")
    assert titles("미끄러운") == ["빙판길 대책"]
    assert titles("미끄럽다") == ["빙판길 대책"]


def test_a_short_sentence_finds_the_document_holding_its_words(make_proposal):
    make_proposal(title="주차 공간 부족", body="우리 아파트는 주차장이 없어서 밤마다 골목에 차를 세웁니다.")
    make_proposal(title="주차장 개방", body="학교 주차장을 주말에 개방해 주세요.")
    assert titles("주차장이 없어요") == ["주차 공간 부족"]


def test_when_no_document_has_every_word_the_most_of_them_come_first_and_the_missing_words_are_named(
        make_proposal, client):
    make_proposal(title="주차장 개방", body="학교 주차장을 주말에 개방해 주세요.")
    make_proposal(title="놀이터 그늘막", body="여름에 놀이터가 너무 뜨겁습니다.")
    result = search("주차장 개방 수영장")
    assert [hit.title for hit in result.hits] == ["주차장 개방"] and result.missing == ["수영장"]
    assert result.total == 1
    html = client.get("/search?q=주차장 개방 수영장").get_data(as_text=True)
    assert "찾지 못한 낱말: 수영장" in html
    api = client.get("/api/v1/search?q=주차장 개방 수영장").get_json()
    assert api["missing"] == ["수영장"] and api["total"] == 1 and api["suggestion"] is None


def test_documents_with_more_of_the_words_rank_above_those_with_fewer(make_proposal):
    make_proposal(title="놀이터 정비", body="놀이터 바닥이 깨졌습니다.")
    make_proposal(title="놀이터 그늘막", body="놀이터에 그늘막을 설치해 주세요.")
    result = search("놀이터 그늘막 분수")
    assert [hit.title for hit in result.hits] == ["놀이터 그늘막", "놀이터 정비"]
    assert result.missing == ["분수"]


def test_a_single_syllable_finds_the_word_and_the_words_containing_it_below(make_proposal):
    make_proposal(title="음수대 고장", body="공원 물통이 깨졌습니다.")
    make_proposal(title="단수 안내", body="내일 물이 나오지 않는다고 합니다. 미리 알려 주세요.")
    make_proposal(title="가로등 고장", body="골목이 어둡습니다.")
    assert titles("물") == ["단수 안내", "음수대 고장"]
    assert titles("길") == []


def test_a_single_syllable_road(make_proposal):
    make_proposal(title="통학로 정비", body="아이들이 다니는 길을 넓혀 주세요.")
    make_proposal(title="산책로 조성", body="길가에 꽃을 심어 주세요.")
    assert titles("길") == ["통학로 정비", "산책로 조성"]


def test_a_one_letter_typo_offers_the_corrected_query(make_proposal, client):
    make_proposal(title="쓰레기 무단투기", body="골목에 쓰레기를 버리는 사람이 많습니다.")
    result = search("쓰래기")
    assert result.total == 0 and result.suggestion == "쓰레기"
    html = client.get("/search?q=쓰래기").get_data(as_text=True)
    assert "이것을 찾으셨나요?" in html and "/search?q=%EC%93%B0%EB%A0%88%EA%B8%B0" in html
    assert client.get("/api/v1/search?q=쓰래기를").get_json()["suggestion"] == "쓰레기를"
    assert search("쓰레기").total == 1 and search("쓰레기").suggestion is None


def test_no_suggestion_when_no_word_is_one_letter_away(make_proposal):
    make_proposal(title="쓰레기 무단투기", body="골목에 쓰레기를 버리는 사람이 많습니다.")
    assert search("도서관").suggestion is None and search("도서관").total == 0


def test_spacing_variants_and_compounds_the_analyzer_leaves_whole(make_proposal):
    make_proposal(title="정류장 개선", body="버스 정류장에 지붕이 없어 비가 오면 불편합니다.")
    make_proposal(title="안내판 설치", body="버스정류장마다 실시간 도착 안내판이 필요합니다.")
    make_proposal(title="공영주차장 요금", body="요금이 너무 비쌉니다.")
    assert set(titles("버스정류장")) == set(titles("버스 정류장이")) == {"정류장 개선", "안내판 설치"}
    assert titles("주차") == ["공영주차장 요금"]


def test_latin_words_and_numbers_are_found_case_insensitively(make_proposal):
    make_proposal(title="CCTV 추가 설치", body="놀이터 2곳에 cctv가 없습니다.")
    assert titles("cctv를") == titles("CCTV") == ["CCTV 추가 설치"]


def test_words_without_content_are_not_required(make_proposal):
    make_proposal(title="단수 안내", body="내일 물이 나오지 않는다고 합니다.")
    assert titles("물이 안 나와요") == ["단수 안내"]


def test_the_analyzer_keeps_content_morphemes_and_drops_particles_and_endings():
    terms = set(analysis.terms("주차장이 없어요"))
    assert {"주차장", "없"} <= terms and "이" not in terms
    assert [form for form, _, _ in analysis.word_morphemes("없어요")] == ["없"]
    assert {"주차", "차장", "장이", "이없"} <= terms  # bigrams, the one across the space too
    plan = analysis.plan("주차장이 없어요")
    assert [unit.form for unit in plan.units] == ["주차장", "없"]
    assert plan.missing_words({0}) == ["없어요"]


def test_one_letter_variants_change_one_jamo():
    variants = analysis.one_letter_variants("쓰래기")
    assert "쓰레기" in variants and "쓰래기" not in variants
    assert "쓰랙기" in variants  # a final consonant added
    assert analysis.one_letter_variants("물") == [] and analysis.one_letter_variants("cctv") == []


def test_the_fast_terms_are_the_terms_with_offsets():
    from collections import Counter

    for text in ["주차장이 없어요", "버스 정류장에  지붕이\n없어서 CCTV가 2곳", "그늘막이 필요합니다. 물!", ""]:
        assert Counter(analysis.terms(text)) == Counter(t for t, _, _ in analysis.terms_with_offsets(text))
