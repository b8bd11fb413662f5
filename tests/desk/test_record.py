"""Each commenter's record on the desk: how many of their comments were approved and rejected."""

from __future__ import annotations

from tests.conftest import make_comment


def test_it_counts_a_commenters_approved_and_rejected_comments(moderator_client, article, reasons):
    for _ in range(3):
        make_comment(article, email="regular@example.com", status="approved")
    make_comment(article, email="Regular@Example.com", status="rejected",
                 rejection_reason=reasons["abusive"])
    make_comment(article, email="someone-else@example.com", status="rejected",
                 rejection_reason=reasons["spam"])
    make_comment(article, email="regular@example.com", status="pending", name="Regular")
    make_comment(article, email="newcomer@example.com", status="pending", name="Newcomer")

    response = moderator_client.get("/desk/")
    content = response.content.decode()

    regular = content[content.index('id="item-'):]
    regular_item, newcomer_item = regular.split("</article>")[:2]
    assert "Regular" in regular_item
    assert "3 approved · 1 rejected" in regular_item
    assert "Newcomer" in newcomer_item
    assert "0 approved · 0 rejected" in newcomer_item
