"""The whole way of a new reader, over HTTP and a real SMTP server: sign up, confirm the
address by the emailed link, comment, and hear why the desk did not publish it."""

from __future__ import annotations

import re

from broadsheet.comments.models import Comment

PASSWORD = "a-long-reader-passphrase"


def path_of_link_in(text: str) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", text).group(1)


def test_sign_up_confirm_comment_and_hear_the_reason_for_a_rejection(
    smtp_server, anonymous_client, decide, article, reasons, faq
):
    reader = anonymous_client

    signed_up = reader.post("/accounts/signup/", {
        "email": "journey@example.com", "password1": PASSWORD, "password2": PASSWORD,
        "display_name": "Journey Reader",
    })
    assert signed_up.status_code == 302
    [verification] = smtp_server.wait_for(1)
    assert verification.envelope_recipients == ["journey@example.com"]
    refused = reader.post(f"/comments/post/{article.pk}/", {"text": "Before confirming."})
    assert refused.status_code == 403

    confirmed = reader.get(path_of_link_in(smtp_server.text(verification)), follow=True)
    assert "<strong>journey@example.com</strong> is confirmed." in confirmed.text

    posted = reader.post(f"/comments/post/{article.pk}/",
                         {"text": "The umpires should never have taken them off."})
    assert posted.status_code == 303
    comment = Comment.objects.get()
    assert (comment.status, comment.author_name) == ("pending", "Journey Reader")

    rejected = decide(comment, "reject", {"reason": "off-topic", "note": "not about the match"})
    assert rejected.status_code == 303

    _, statement = smtp_server.wait_for(2)
    assert statement.envelope_recipients == ["journey@example.com"]
    assert "was not published" in statement["Subject"]
    text = smtp_server.text(statement)
    assert f"Reason: {reasons['off-topic'].label}" in text
    assert "The umpires should never have taken them off." in text
    assert faq.get_absolute_url() in text
