"""How the CLI words the self-correction loop's outcomes and the citation figures (after a
job and in the report)."""

from __future__ import annotations

from easy_dataset.cli.common import counted
from easy_dataset.services.quality import CitationFigures, JudgeAgreement, RefineFigures


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


MISSING = {"too_few": "fewer than 3 samples", "constant": "every sample got the same verdict"}
ADVICE = {
    "trust": "filtering by the judge's score can be trusted",
    "check": "filter by the judge's score, but spot-check what it drops",
    "distrust": "do not filter by the judge's score alone",
}


def agreement_lines(agreement: JudgeAgreement) -> list[str]:
    """ "scores: Spearman 0.718 over 10 rated samples" and "pass/fail: kappa 0.583 (moderate)
    over 10 …", each with why a figure is missing."""
    scores = agreement.scores
    if scores.rho is None:
        why = MISSING["constant" if scores.missing == "constant" else "too_few"]
        ranks = f"scores: no Spearman yet ({why} both rated and judged)"
    else:
        ranks = f"scores: Spearman {scores.rho:.3f} over {counted(scores.n, 'rated sample')}"
    table = agreement.pass_fail
    if table.kappa is None:
        why = MISSING["constant" if table.missing == "constant" else "too_few"]
        verdicts = f"pass/fail: no kappa yet ({why})"
    else:
        verdicts = (
            f"pass/fail: Cohen's kappa {table.kappa:.3f} ({table.band}: "
            f"{ADVICE[table.advice or 'distrust']}) over {counted(table.n, 'sample')}; "
            f"both pass {table.both_pass}, judge only {table.judge_only}, reviewer only "
            f"{table.reviewer_only}, both fail {table.both_fail}; observed "
            f"{table.observed:.1%}, by chance {table.expected:.1%}"
        )
    basis = (
        f"judge passes at {agreement.judge_pass:g}/5; a reviewer at a rating of "
        f"{agreement.reviewer_pass:g}/5 or a sample verdict of ok"
    )
    return [ranks, verdicts, basis]
