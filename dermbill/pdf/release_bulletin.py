"""A staff bulletin for a CMS release (US Letter PDF): what changed, grouped by who must act on it.

The content comes in as words already (``core.releases.bulletin_sections``): this module only lays it out. The same
bulletin always renders to the same bytes (no creation time in the file).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import letter as us_letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

_BODY = ParagraphStyle("bulletin-body", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=3)
_TITLE = ParagraphStyle("bulletin-title", parent=_BODY, fontName="Helvetica-Bold", fontSize=15, leading=19,
                        spaceAfter=6)
_HEADING = ParagraphStyle("bulletin-heading", parent=_BODY, fontName="Helvetica-Bold", fontSize=12, leading=15,
                          spaceBefore=10, spaceAfter=4, keepWithNext=1)
_BULLET = ParagraphStyle("bulletin-bullet", parent=_BODY, leftIndent=14, bulletIndent=3)


@dataclass(frozen=True, slots=True)
class TrainingQuiz:
    """A training module printed after the bulletin: its lesson, then (prompt, choices, answer, explanation)."""

    title: str
    lesson: Sequence[str]
    questions: Sequence[tuple[str, Sequence[str], str, str]]


@dataclass(frozen=True, slots=True)
class Bulletin:
    title: str  # "Reference changes 2026q3 to 2026q4"
    summary: Sequence[str]  # one line per release compared
    sections: Sequence[tuple[str, Sequence[str]]]  # heading, the changes in words
    training: Sequence[TrainingQuiz] = ()  # the training modules generated from the changes, when asked for


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=us_letter, leftMargin=inch, rightMargin=inch, topMargin=0.8 * inch,
                            bottomMargin=0.8 * inch, title=bulletin.title, author="dermbill", invariant=True)
    story: list[Flowable] = [Paragraph(escape(bulletin.title), _TITLE)]
    story += [Paragraph(escape(line), _BODY) for line in bulletin.summary]
    if not bulletin.sections:
        story.append(Spacer(1, 8))
        story.append(Paragraph("Nothing changed that touches a dermatology practice's work.", _BODY))
    for heading, lines in bulletin.sections:
        story.append(Paragraph(escape(heading), _HEADING))
        story += [Paragraph(escape(line), _BULLET, bulletText="-") for line in lines]
    for quiz in bulletin.training:
        # The questions first and the answers after them, so a trainee can answer before reading on.
        story.append(Paragraph(escape(f"Training: {quiz.title}"), _HEADING))
        story += [Paragraph(escape(line), _BODY) for line in quiz.lesson]
        story += [Paragraph(escape(f"{prompt} ({' / '.join(choices)})"), _BULLET, bulletText=f"{n}.")
                  for n, (prompt, choices, _, _) in enumerate(quiz.questions, start=1)]
        story.append(Paragraph("Answers", _BODY))
        story += [Paragraph(escape(f"{answer}: {explanation}"), _BULLET, bulletText=f"{n}.")
                  for n, (_, _, answer, explanation) in enumerate(quiz.questions, start=1)]
    doc.build(story)
    return buffer.getvalue()
