from sqlalchemy import func, select

from app.extensions import db
from app.policies.models import Policy, PolicyStatus, PolicyUpdate
from app.proposals.models import Proposal


def _seed():
    from importlib import import_module

    for name in ("app.auth.demo", "app.proposals.demo", "app.policies.demo"):
        import_module(name).seed_demo()
        db.session.commit()


def test_demo_policies_cover_every_status_link_the_adopted_proposal_and_seed_once(client):
    _seed()
    _seed()
    policies = db.session.scalars(select(Policy)).all()
    assert len(policies) == 10
    assert {p.status for p in policies} == set(PolicyStatus)
    assert len({p.department for p in policies}) >= 8
    linked = [p for p in policies if p.proposals]
    assert {p.proposals[0].title for p in linked} == {"온양3동 골목길 쓰레기 무단투기 CCTV 설치"}
    assert db.session.scalar(select(func.count()).select_from(PolicyUpdate)) >= 6
    assert {p.progress for p in policies} >= {0, 100}
    cctv = next(p for p in policies if p.title == "AI 기반 CCTV")
    page = client.get(f"/policies/{cctv.id}").get_data(as_text=True)
    assert "정보통신과" in page and "설치 후 골목이 훨씬 깨끗해졌어요" in page
    proposal = db.session.scalar(select(Proposal).where(Proposal.title == "온양3동 골목길 쓰레기 무단투기 CCTV 설치"))
    assert client.get("/policies?department=자원순환과").get_data(as_text=True).count("policy-status-") == 1
    assert proposal.id in [p.id for p in cctv.proposals]
