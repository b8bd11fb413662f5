"""The frame's pass: which story it shows and for which host site, signed by the server.

Issued by the story endpoint to an allowed origin only, carried by every write the frame
makes, and checked again against the current list, so removing a site revokes its frames."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

FRAME_SALT = "broadsheet.embed.frame"
OWN_SALT = "broadsheet.embed.own"
FRAME_MAX_AGE = 7 * 24 * 3600
OWN_KEPT = 20


@dataclass(frozen=True)
class FramePass:
    article_id: int
    origin: str
    # The frame's interface language ("": the site's default), chosen once by the story call.
    language: str = ""


def frame_token(*, article_id: int, origin: str, language: str = "") -> str:
    data: dict[str, object] = {"a": article_id, "o": origin}
    if language:
        data["l"] = language
    return signing.dumps(data, salt=FRAME_SALT, compress=True)


def read_frame_token(token: str) -> FramePass | None:
    try:
        data = signing.loads(token, salt=FRAME_SALT, max_age=FRAME_MAX_AGE)
        return FramePass(
            article_id=int(data["a"]), origin=str(data["o"]), language=str(data.get("l", ""))
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def own_token(comment_ids: list[int]) -> str:
    return signing.dumps(comment_ids[-OWN_KEPT:], salt=OWN_SALT, compress=True)


def read_own_token(token: str) -> frozenset[int]:
    try:
        return frozenset(int(i) for i in signing.loads(token, salt=OWN_SALT, max_age=FRAME_MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        return frozenset()
