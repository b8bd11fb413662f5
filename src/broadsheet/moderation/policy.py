"""From scanner scores to an outcome, under the site's (or the section's) policy."""

from __future__ import annotations

from dataclasses import dataclass

from broadsheet.articles.models import Article
from broadsheet.core.models import ModerationPolicy, SiteSettings
from broadsheet.moderation.thresholds import DEFAULT_THRESHOLDS

# Which rejection reason a clear violation maps to.
REASON_FOR_CODE = {
    "banned-word": "abusive",
    "abusive": "abusive",
    "personal-attack": "personal-attack",
    "spam": "spam",
    "link": "spam",
}


def effective_policy(article: Article, site: SiteSettings | None = None) -> str:
    site = site or SiteSettings.load()
    return article.section.moderation_policy or site.moderation_policy


def thresholds(site: SiteSettings | None = None) -> dict[str, dict[str, float]]:
    merged = {name: dict(values) for name, values in DEFAULT_THRESHOLDS.items()}
    site = site or SiteSettings.load()
    overrides = {
        ("abuse", "hold"): site.abuse_hold_threshold,
        ("abuse", "reject"): site.abuse_reject_threshold,
        ("spam", "hold"): site.spam_hold_threshold,
        ("spam", "reject"): site.spam_reject_threshold,
        ("relevance", "hold"): site.relevance_hold_threshold,
    }
    for (scanner, level), value in overrides.items():
        if value is not None:
            merged[scanner][level] = value
    return merged


@dataclass
class Verdict:
    # "approve": every score under its hold threshold; "hold": wait for a human;
    # "reject": a clear violation.
    action: str
    reason_slug: str = ""
    explanation: str = ""


def scan_verdict(scores: dict[str, float], verdicts: dict[str, str | None],
                 reasons: list[dict], limits: dict[str, dict[str, float]]) -> Verdict:
    """What the scan alone says, before the policy decides whether a human must look."""
    if any(v == "reject" for v in verdicts.values()):
        code = next((r["code"] for r in reasons if r["code"] == "banned-word"), "banned-word")
        return Verdict("reject", REASON_FOR_CODE.get(code, "abusive"), "banned word")
    for scanner, level in (("abuse", "reject"), ("spam", "reject")):
        limit = limits.get(scanner, {}).get(level)
        if limit is not None and scores.get(scanner, 0.0) >= limit:
            codes = [r["code"] for r in reasons if r.get("scanner") == scanner]
            slug = REASON_FOR_CODE.get(codes[0], scanner) if codes else scanner
            if scanner == "abuse" and "personal-attack" in codes:
                slug = "personal-attack"
            return Verdict("reject", slug, f"{scanner} score {scores[scanner]:.2f}")
    if any(v == "hold" for v in verdicts.values()):
        return Verdict("hold", explanation="suspect word")
    over = [
        scanner
        for scanner, levels in limits.items()
        if "hold" in levels and scores.get(scanner, 0.0) >= levels["hold"]
    ]
    if over:
        return Verdict("hold", explanation=", ".join(sorted(over)))
    return Verdict("approve")


def outcome_for_policy(policy: str, verdict: Verdict) -> str:
    """The status the auto-moderator gives the comment: "approved", "rejected" or "pending"."""
    if policy == ModerationPolicy.AUTO:
        return {"approve": "approved", "reject": "rejected"}.get(verdict.action, "pending")
    if policy == ModerationPolicy.POSTMODERATE:
        return "approved" if verdict.action == "approve" else "pending"
    return "pending"
