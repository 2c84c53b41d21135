"""Korean-looking proposal and comment text built from real words, so that search behaves as on real data."""
from __future__ import annotations

import random

# Topic slug (app.proposals.choices.DEFAULT_TOPICS) -> (the field it usually belongs to, its words).
TOPIC_WORDS: dict[str, tuple[str, list[str]]] = {
    "parking": ("transport", ["주차", "불법 주차", "공영주차장", "주차난", "거주자 우선주차", "이면도로 주차"]),
    "bus": ("transport", ["버스 정류장", "배차 간격", "마을버스", "저상버스", "버스 도착 안내기", "노선 신설"]),
    "walking": ("facilities", ["보행로", "횡단보도", "보도블록", "점자블록", "보행자 신호", "인도 턱"]),
    "waste": ("environment", ["쓰레기", "무단투기", "분리수거", "재활용 선별", "음식물 쓰레기", "대형 폐기물"]),
    "cctv": ("safety", ["CCTV", "가로등", "보안등", "비상벨", "어두운 골목", "안심귀갓길"]),
    "elderly": ("welfare", ["독거노인", "돌봄", "경로당", "방문 건강관리", "치매 예방", "무더위 쉼터"]),
    "children": ("education", ["어린이 보호구역", "통학로", "놀이터", "청소년 공부방", "돌봄교실", "방과후 프로그램"]),
    "parks": ("environment", ["공원", "산책로", "녹지", "벤치", "반려견 놀이터", "가로수"]),
    "air": ("environment", ["미세먼지", "공기질 측정기", "살수차", "대기오염", "황사 마스크"]),
    "market": ("economy", ["골목상권", "전통시장", "지역화폐", "빈 점포", "온누리상품권"]),
    "smart-city": ("administration", ["스마트 가로등", "스마트 버스정류장", "공공 와이파이", "IoT 센서", "데이터 개방"]),
    "living-lab": ("culture", ["리빙랩", "시민참여단", "주민 워크숍", "현장 실험", "마을 지도"]),
}

PLACES = ["온양온천역", "배방역", "아산시청 앞", "곡교천", "신정호", "초등학교 앞", "아파트 단지", "시장 입구",
          "도서관 옆", "주민센터", "탕정 산업단지", "순천향대 앞", "온양민속박물관", "현충사 가는 길", "용화동 사거리"]

REQUESTS = ["설치를 요청합니다", "개선이 필요합니다", "확대해 주세요", "대책을 마련해 주세요", "단속을 강화해 주세요",
            "정비가 시급합니다", "문제를 해결해 주세요", "점검을 부탁드립니다"]

SENTENCES = [
    "{place} 근처는 {word}{subject} 부족해서 주민들이 매일 불편을 겪고 있습니다.",
    "특히 출퇴근 시간에는 {word} 문제로 사고가 날 뻔한 적이 여러 번 있었습니다.",
    "{word}{object} 늘리면 어르신과 아이들이 훨씬 안전하게 다닐 수 있을 것입니다.",
    "다른 시에서는 {word} 사업으로 민원이 크게 줄었다고 들었습니다.",
    "주민 설문에서도 {word}{subject} 가장 시급한 문제로 꼽혔습니다.",
    "밤에는 {place} 주변이 어두워서 {word}{subject} 꼭 필요합니다.",
    "예산이 부족하다면 {word}부터 단계적으로 추진해 주시면 좋겠습니다.",
    "관련 부서에서 현장을 한번 확인해 주시기 바랍니다.",
]

COMMENT_SENTENCES = [
    "저도 {word} 문제로 매일 불편을 겪고 있습니다.",
    "{place}에도 {word}{subject} 필요합니다. 적극 찬성합니다.",
    "좋은 제안입니다. {word}{subject} 개선되면 동네가 훨씬 살기 좋아질 것 같습니다.",
    "예산이 많이 들 것 같아 걱정입니다. {word}보다 급한 일이 있지 않을까요?",
    "작년에도 {word} 민원을 넣었는데 아직 바뀐 것이 없습니다.",
    "{word}{object} 설치하기 전에 주민 의견을 더 들어 보면 좋겠습니다.",
    "아이를 키우는 입장에서 {place} 주변 {word} 정비가 꼭 필요하다고 생각합니다.",
    "반대합니다. {place}에는 {word}보다 주차 공간이 더 필요합니다.",
    "시청 담당자분의 답변을 기다리고 있습니다.",
    "공감합니다. 저희 아파트 주민들도 같은 의견입니다.",
]

GIVEN_NAMES = ["민준", "서연", "도윤", "하은", "지호", "수아", "예준", "지우", "영숙", "정호", "순자", "상철", "미경", "성민"]
FAMILY_NAMES = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"]


def _has_final_consonant(word: str) -> bool:
    last = word[-1]
    if "가" <= last <= "힣":
        return (ord(last) - ord("가")) % 28 != 0
    return False  # Latin letters (CCTV = 씨씨티비) end in a vowel when read


def _fill(template: str, word: str, place: str) -> str:
    final = _has_final_consonant(word)
    return template.format(word=word, place=place, subject="이" if final else "가", object="을" if final else "를")


def proposal_text(rng: random.Random, topic_slug: str) -> tuple[str, str]:
    """A title (at most 120 characters) and a body of three to five sentences about one topic."""
    words = TOPIC_WORDS[topic_slug][1]
    word, place = rng.choice(words), rng.choice(PLACES)
    title = f"{place} {word} {rng.choice(REQUESTS)}"
    sentences = [_fill(s, rng.choice(words), place) for s in rng.sample(SENTENCES, rng.randint(3, 5))]
    return title[:120], " ".join(sentences)


def comment_text(rng: random.Random) -> str:
    topic = rng.choice(list(TOPIC_WORDS))
    words = TOPIC_WORDS[topic][1]
    place = rng.choice(PLACES)
    return " ".join(_fill(s, rng.choice(words), place) for s in rng.sample(COMMENT_SENTENCES, rng.randint(1, 3)))


def person_name(rng: random.Random) -> str:
    return rng.choice(FAMILY_NAMES) + rng.choice(GIVEN_NAMES)
