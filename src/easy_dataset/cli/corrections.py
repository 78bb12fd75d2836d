"""How the CLI words the self-correction loop's outcomes and the citation figures (after a
job and in the report)."""

from __future__ import annotations

from easy_dataset.cli.common import counted
from easy_dataset.services.quality import CitationFigures, RefineFigures


def refine_line(figures: RefineFigures) -> str:
    """ "4 answers judged: 1 passed; of 3 rewritten, 1 improved, 1 stayed, 1 worse (mean
    score 2.80 → 3.33)"."""
    line = f"{counted(figures.judged, 'answer')} judged: {figures.passed} passed the threshold"
    if figures.rewritten:
        line += (
            f"; of {figures.rewritten} rewritten, {figures.improved} improved, "
            f"{figures.stayed} stayed, {figures.worse} worse "
            f"(mean score {figures.mean_before:.2f} → {figures.mean_after:.2f})"
        )
    return line


def citation_line(figures: CitationFigures) -> str:
    """ "5 of 6 quotes verified (83.3%); 1 of 3 answers with an unverified quote"."""
    if not figures.samples:
        return "no answers with citations"
    line = f"{figures.verified} of {counted(figures.quotes, 'quote')} verified"
    if figures.share is not None:
        line += f" ({figures.share:.1%})"
    line += (
        f"; {figures.unverified_samples} of {counted(figures.samples, 'answer')} with an "
        "unverified quote"
    )
    if figures.without_quotes:
        line += f"; {counted(figures.without_quotes, 'answer')} quoted nothing"
    return line
