"""The survey_results open data set: choice counts of closed surveys only, no written answers, no respondents."""
from app.extensions import db
from app.opendata.registry import dataset
from app.surveys import services
from tests.surveys.conftest import opt, q


def rows():
    return list(dataset("survey_results").rows())


def test_only_closed_surveys_appear_with_every_choice_counted(app, make_survey, make_user, staff):
    survey = make_survey(demographics=False)
    alice, bob = make_user(display_name="앨리스"), make_user(display_name="밥")
    services.submit_response(survey, {str(q(survey, 0).id): [opt(survey, 0, 1)], str(q(survey, 1).id):
                                      [opt(survey, 1, 0), opt(survey, 1, 2)], str(q(survey, 2).id): ["4"],
                                      str(q(survey, 3).id): ["연락주세요 010-9999-0000"]}, user=alice)
    services.submit_response(survey, {str(q(survey, 0).id): [opt(survey, 0, 1)], str(q(survey, 2).id): ["5"]},
                             user=bob)
    db.session.commit()
    assert rows() == []  # still open: results are not public yet

    services.close_survey(survey, staff)
    db.session.commit()
    published = rows()
    by_question = {}
    for survey_id, _title, position, _text, kind, choice, count in published:
        assert survey_id == survey.id
        by_question.setdefault(position, (kind, {}))[1][choice] = count
    kinds = {position: kind for position, (kind, _) in by_question.items()}
    assert sorted(kinds.values()) == ["multiple", "scale", "single"]  # text questions stay out
    single = next(counts for kind, counts in by_question.values() if kind == "single")
    assert single == {"매우 좋음": 0, "좋은 편": 2, "보통": 0, "나쁜 편": 0}
    multiple = next(counts for kind, counts in by_question.values() if kind == "multiple")
    assert multiple == {"의료/복지": 1, "교육": 0, "교통": 1}
    scale = next(counts for kind, counts in by_question.values() if kind == "scale")
    assert scale == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    flat = repr(published)
    assert "010-9999-0000" not in flat and "앨리스" not in flat


def test_the_export_lists_survey_results_beside_the_other_sets(app, runner, make_survey, staff, tmp_path):
    survey = make_survey(demographics=False)
    services.close_survey(survey, staff)
    db.session.commit()
    app.config["OPENDATA_DIR"] = str(tmp_path / "opendata")
    result = runner.invoke(args=["opendata", "export"])
    assert result.exit_code == 0, result.output
    assert "survey_results: 12 rows" in result.output  # 4 + 3 choices + 5 scale values
