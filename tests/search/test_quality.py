"""Search quality on a fixed Korean query set: recall@10 and mean reciprocal rank (MRR).

Each query is typed as a resident would (particles and endings the text does not use, short
sentences, single syllables, one-letter typos through the suggestion, spacing variants) and names
the documents it must find. The figures are printed (`pytest -s`) and quoted in the README; the
test fails when either falls below what the analyzer reaches today."""
import pytest

from app.search import search

CORPUS = {
    "parking": ("공영 주차장 확충", "시장 앞 주차장을 늘려 주세요. 주말마다 차를 댈 곳이 없습니다."),
    "parking_night": ("아파트 주차 공간 부족", "우리 아파트는 주차장이 없어서 밤마다 골목에 차를 세웁니다."),
    "illegal_parking": ("불법 주차 단속", "초등학교 앞 불법주차 때문에 아이들이 위험합니다."),
    "bus_shelter": ("정류장 지붕 설치", "버스 정류장에 지붕이 없어 비가 오면 불편합니다."),
    "bus_info": ("도착 안내판 설치", "버스정류장마다 실시간 도착 안내판이 필요합니다."),
    "bus_interval": ("마을버스 배차 간격", "마을버스가 한 시간에 한 대뿐이라 출근이 힘듭니다."),
    "waste": ("쓰레기 무단투기", "골목에 쓰레기를 버리는 사람이 많습니다. 감시 카메라를 달아 주세요."),
    "recycling": ("분리수거함 설치", "아파트 단지 앞에 재활용 분리수거함이 부족합니다."),
    "streetlight": ("골목 가로등 고장", "밤에 가로등이 꺼져서 골목이 어둡습니다. 고쳐 주세요."),
    "cctv": ("놀이터 CCTV 설치", "놀이터에 CCTV가 없어 아이들이 걱정됩니다."),
    "ice": ("빙판길 대책", "겨울이면 언덕길이 미끄러워서 어르신들이 자주 넘어지십니다."),
    "water": ("단수 안내 요청", "내일 물이 나오지 않는다고 합니다. 미리 알려 주세요."),
    "fountain": ("음수대 고장", "공원 음수대에서 물이 나오지 않습니다."),
    "road": ("통학로 정비", "아이들이 다니는 길을 넓혀 주세요. 인도가 너무 좁습니다."),
    "elderly": ("독거노인 돌봄", "혼자 사시는 어르신을 돌보는 방문 서비스가 필요합니다."),
    "senior_center": ("경로당 냉방기", "여름에 경로당 에어컨이 고장 나서 어르신들이 더위에 힘들어하십니다."),
    "school_zone": ("어린이 보호구역 과속", "어린이 보호구역에서 차들이 너무 빨리 달립니다."),
    "dust": ("미세먼지 측정기", "동네에 미세먼지 측정기를 설치해 주세요."),
    "park_bench": ("산책로 벤치", "산책로에 쉴 곳이 없어 어르신들이 힘들어하십니다."),
    "library": ("도서관 운영 시간", "퇴근 후에도 도서관을 이용할 수 있게 해 주세요."),
    "market": ("전통시장 주차", "전통시장에 주차할 곳이 없어 손님이 줄었습니다."),
    "crosswalk": ("횡단보도 신호 시간", "횡단보도 신호가 짧아서 어르신들이 다 건너지 못합니다."),
}

# query -> the documents it must find (MRR counts the rank of the first of them in the results)
QUERIES = {
    # particles and endings
    "주차장이": ["parking", "parking_night"],
    "가로등을": ["streetlight"],
    "쓰레기를": ["waste"],
    "미끄러운": ["ice"],
    "도서관에서": ["library"],
    "경로당이": ["senior_center"],
    "어르신을": ["elderly", "senior_center", "ice", "park_bench", "crosswalk"],
    # short sentences
    "주차장이 없어요": ["parking_night", "parking"],
    "가로등이 꺼졌어요": ["streetlight"],
    "물이 안 나와요": ["water", "fountain"],
    "버스가 너무 늦게 와요": ["bus_interval"],
    "미세먼지가 심해요": ["dust"],
    # single syllables
    "물": ["water", "fountain"],
    "길": ["road", "ice"],
    # spacing and compounds
    "버스정류장": ["bus_shelter", "bus_info"],
    "버스 정류장": ["bus_shelter", "bus_info"],
    "불법 주차": ["illegal_parking"],
    "어린이보호구역": ["school_zone"],
    "분리 수거": ["recycling"],
    "독거 노인": ["elderly"],
    # one-letter typos, answered through the suggestion when nothing matches
    "쓰래기": ["waste"],
    "가로듯": ["streetlight"],
    "경로담": ["senior_center"],
    "놀이타": ["cctv"],
}


def _ranked_keys(query, by_id):
    result = search(query, per_page=10)
    if not result.total and result.suggestion:
        result = search(result.suggestion, per_page=10)
    return [by_id[hit.id] for hit in result.hits]


@pytest.fixture
def corpus(make_proposal, make_user):
    author = make_user()
    return {make_proposal(author, title=title, body=body).id: key for key, (title, body) in CORPUS.items()}


def test_recall_at_10_and_mrr_on_the_korean_query_set(corpus, capsys):
    recalls, reciprocal_ranks, misses = [], [], []
    for query, expected in QUERIES.items():
        ranked = _ranked_keys(query, corpus)
        found = [key for key in expected if key in ranked[:10]]
        recalls.append(len(found) / len(expected))
        rank = next((position for position, key in enumerate(ranked, 1) if key in expected), None)
        reciprocal_ranks.append(1 / rank if rank else 0.0)
        if len(found) < len(expected) or rank != 1:
            misses.append(f"{query}: expected {expected}, got {ranked[:5]}")
    recall, mrr = sum(recalls) / len(recalls), sum(reciprocal_ranks) / len(reciprocal_ranks)
    with capsys.disabled():
        print(f"\nKorean query set: {len(QUERIES)} queries, recall@10 {recall:.3f}, MRR {mrr:.3f}")
        for miss in misses:
            print("  " + miss)
    assert recall >= 0.95 and mrr >= 0.95, misses
