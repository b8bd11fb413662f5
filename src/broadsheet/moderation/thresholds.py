"""Default score thresholds of the automatic first reader (site settings may override them).

A score at or above "hold" waits for a human; at or above "reject" it is rejected outright.

abuse: picked by scripts/train_abuse.py on the dev split of the comment-like sets. "hold" is the
highest threshold on a 0.05 grid whose auto-published comments (score under it) stay under the
abusive share the site aims for, with a margin; "reject" is the lowest threshold from 0.90 up
where nearly every comment at or above it is abusive, so the abuse score alone rarely rejects and
clear cases are left to the banned-word list. The measured figures are in
ml/models/abuse-v1.json ("thresholds_from_dev") and docs/moderation.md.
spam: the spam scanner is rule-based; its components are scored against these two values
(see scanners/spam.py).
relevance: a calibrated off-topic probability; never auto-rejects (off-topic is a judgement
call for a moderator).
"""

DEFAULT_THRESHOLDS: dict[str, dict[str, float]] = {
    "abuse": {"hold": 0.3, "reject": 0.99},
    "spam": {"hold": 0.5, "reject": 0.9},
    # Relevance: the hold threshold holds about a tenth of on-topic comments on the dev split
    # (scripts/eval_relevance.py --calibrate; current figures in docs/moderation.md).
    "relevance": {"hold": 0.62},
}
