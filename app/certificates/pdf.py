"""The certificate as an A4 PDF, with the Korean font embedded and a QR code of its verification page."""
from __future__ import annotations

from io import BytesIO

import segno
from flask_babel import format_date, format_decimal, to_user_timezone
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.certificates.font import certificate_font_path
from app.certificates.models import Certificate, CertificateKind
from app.certificates.services import verification_url

FONT = "NotoSansKR"
MARGIN = 20
LABEL_WIDTH = 45
QR_SIZE = 38
ISSUER_BLOCK_HEIGHT = 36


def hours_text(certificate: Certificate) -> str:
    return _("%(hours)s hours", hours=format_decimal(certificate.hours, format="#,##0.#"))


def period_text(certificate: Certificate) -> str:
    return f"{format_date(certificate.period_start, 'long')} – {format_date(certificate.period_end, 'long')}"


def certificate_pdf(certificate: Certificate) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(f"{certificate.kind.label} · {certificate.holder_name}")
    pdf.set_creator(_("Maeul"))
    pdf.set_author(certificate.issuer_organisation)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", str(certificate_font_path()))
    pdf.add_page()
    width = pdf.w - 2 * MARGIN

    pdf.set_draw_color(40, 70, 120)
    pdf.set_line_width(0.8)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)

    pdf.set_font(FONT, size=30)
    pdf.set_y(40)
    pdf.cell(width, 16, str(certificate.kind.label), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.cell(width, 6, _("No. %(number)06d", number=certificate.id), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_y(75)
    for label, value in (
        (_("Name"), certificate.holder_name),
        (_("Living lab"), certificate.lab_title),
        (_("Period"), period_text(certificate)),
        (_("Hours of participation"), hours_text(certificate)),
    ):
        _labelled_row(pdf, label, value, width)

    pdf.ln(10)
    pdf.set_font(FONT, size=13)
    if certificate.kind is CertificateKind.COMPLETION:
        statement = _("The person named above completed the living lab above and is awarded this certificate.")
    else:
        statement = _("This confirms that the person named above took part in the living lab above for %(hours)s.",
                      hours=hours_text(certificate))
    pdf.multi_cell(width, 9, statement, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # The issuer block sits at a fixed place above the QR code, so a long lab title cannot push it down.
    pdf.set_y(verification_top(pdf) - ISSUER_BLOCK_HEIGHT)
    pdf.set_font(FONT, size=12)
    issued_on = format_date(to_user_timezone(certificate.issued_at).date(), "long")
    pdf.cell(width, 8, issued_on, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(FONT, size=20)
    pdf.cell(width, 12, certificate.issuer_organisation, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    pdf.cell(width, 6, _("Issued by %(name)s", name=certificate.issuer.display_name), align="C",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    _verification_block(pdf, certificate, width)
    return bytes(pdf.output())


def _labelled_row(pdf: FPDF, label: str, value: str, width: float) -> None:
    pdf.set_font(FONT, size=11)
    pdf.set_text_color(90, 90, 90)
    top = pdf.get_y()
    pdf.cell(LABEL_WIDTH, 10, label)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, size=14)
    pdf.set_xy(MARGIN + LABEL_WIDTH, top)
    pdf.multi_cell(width - LABEL_WIDTH, 10, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def verification_top(pdf: FPDF) -> float:
    return pdf.h - MARGIN - QR_SIZE - 6


def _verification_block(pdf: FPDF, certificate: Certificate, width: float) -> None:
    url = verification_url(certificate)
    top = verification_top(pdf)
    qr_png = BytesIO()
    segno.make(url, error="m").save(qr_png, kind="png", scale=8, border=2)
    qr_png.seek(0)
    pdf.image(qr_png, x=MARGIN, y=top, w=QR_SIZE, h=QR_SIZE, alt_text=_("QR code of the verification page"))
    text_x = MARGIN + QR_SIZE + 6
    pdf.set_xy(text_x, top + 4)
    pdf.set_font(FONT, size=10)
    pdf.cell(width - QR_SIZE - 6, 6, _("Verification code"), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=12)
    pdf.cell(width - QR_SIZE - 6, 7, certificate.display_code, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(width - QR_SIZE - 6, 5, _("Anyone can check that this certificate is genuine and not revoked "
                                             "by scanning the code or opening: %(url)s", url=url),
                   align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
