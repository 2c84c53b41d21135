from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.certificates import font, services
from app.certificates.pdf import certificate_pdf
from app.extensions import db
from tests.certificates.conftest import NOW

pytestmark = pytest.mark.usefixtures("english")


def _pdf_of(make_lab, make_user, kind="completion"):
    facilitator, member = make_user(roles=["facilitator"]), make_user(display_name="홍길동")
    lab = make_lab({member: 5}, facilitator=facilitator, title="온양동 골목 주차 리빙랩")
    if kind == "completion":
        certificate = services.issue_to_eligible(lab, facilitator, NOW).issued[0]
    else:
        certificate = services.issue_participation(lab, member, facilitator, NOW)
    db.session.commit()
    return certificate, PdfReader(BytesIO(certificate_pdf(certificate)))


def test_certificate_pdf_is_one_a4_page_with_the_korean_name_as_text(make_lab, make_user):
    certificate, reader = _pdf_of(make_lab, make_user)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == (595.3, 841.9)
    text = page.extract_text()
    assert "홍길동" in text
    assert "온양동 골목 주차 리빙랩" in text
    assert certificate.display_code in text
    assert "아산시" in text
    assert "Certificate of completion" in text
    assert "9.5 hours" in text  # 1 h 30 + 4 × 2 h
    assert services.verification_url(certificate) in text.replace("\n", "")


def test_the_korean_font_is_embedded_from_the_package_and_a_qr_code_is_drawn(make_lab, make_user):
    _, reader = _pdf_of(make_lab, make_user, kind="participation")
    resources = reader.pages[0]["/Resources"]
    fonts = [font.get_object() for font in resources["/Font"].values()]
    assert fonts and all("NotoSansKR" in str(font["/BaseFont"]) for font in fonts)
    descendant = fonts[0]["/DescendantFonts"][0].get_object()
    assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded, not left to the reader's machine
    images = list(reader.pages[0].images)
    assert len(images) == 1  # the QR code of the verification page
    assert "Certificate of participation" in reader.pages[0].extract_text()


def test_the_font_can_be_prepared_before_the_first_download(runner, make_lab, make_user, monkeypatch):
    result = runner.invoke(args=["certificates", "font"])
    assert result.exit_code == 0, result.output
    assert "NotoSansKR-400.ttf" in result.output

    def no_second_build(target):
        raise AssertionError("the first certificate built the font again")

    monkeypatch.setattr(font, "_build_static_instance", no_second_build)
    _, reader = _pdf_of(make_lab, make_user)  # the first download after `make run`'s setup step
    assert "홍길동" in reader.pages[0].extract_text()


def test_make_run_and_make_serve_prepare_the_font():
    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    for target in ("seed:", "serve:"):
        recipe = makefile.split(f"\n{target}", 1)[1].split("\n\n", 1)[0]
        assert "certificates font" in recipe, target
