"""The static embedder ships with the package and runs on numpy + tokenizers alone."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from broadsheet.moderation import embedder


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the embedder tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def static_backend(monkeypatch):
    monkeypatch.delenv("BROADSHEET_EMBEDDER", raising=False)
    embedder.reset_backend()
    yield embedder.get_backend()
    embedder.reset_backend()


def test_it_ships_the_model_files_inside_the_package():
    for name in ("static.npz", "static.json", "tokenizer.json"):
        assert (embedder.MODEL_DIR / name).is_file(), name
    size = sum(p.stat().st_size for p in embedder.MODEL_DIR.iterdir() if p.is_file())
    assert size < 15_000_000


def test_it_loads_offline_and_returns_normalised_float32_rows(no_network, static_backend):
    vecs = embedder.embed(["The bowlers struggled at Lord's.", "Mortgage rates rose again."])

    assert isinstance(static_backend, embedder.StaticEmbedder)
    assert vecs.dtype == np.float32
    assert vecs.shape == (2, embedder.embedding_dim())
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_it_returns_a_zero_row_for_a_text_without_tokens(static_backend):
    vecs = embedder.embed(["", "Cricket"])

    assert not vecs[0].any()
    assert np.isclose(np.linalg.norm(vecs[1]), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, embedder.embedding_dim())


def test_it_places_related_texts_closer_than_unrelated_ones(static_backend):
    cricket, bowling, mortgage = embedder.embed(
        [
            "England's batting collapsed in the second innings of the Test match.",
            "The fast bowlers took five wickets before lunch.",
            "The bank raised its fixed mortgage rates for first-time buyers.",
        ]
    )

    assert cricket @ bowling > cricket @ mortgage


def test_it_names_the_vector_space_so_stored_vectors_can_be_checked(static_backend):
    assert embedder.model_name() == embedder.MODEL_NAME
    assert embedder.model_name().startswith("static-")


def test_it_keeps_the_static_model_when_minilm_is_asked_for_but_not_installed(monkeypatch):
    monkeypatch.setenv("BROADSHEET_EMBEDDER", "minilm")
    monkeypatch.setattr(embedder, "_minilm_available", lambda: False)
    embedder.reset_backend()
    try:
        assert isinstance(embedder.get_backend(), embedder.StaticEmbedder)
    finally:
        embedder.reset_backend()


def test_it_puts_headline_and_deck_first_and_cuts_the_body_into_paragraph_sized_chunks():
    sentence = "The seam bowlers found movement all morning under heavy cloud. "  # 10 words
    body = sentence * 60

    chunks = embedder.article_chunks("Rain saves England", "A draw at Lord's", body)

    assert chunks[0] == "Rain saves England A draw at Lord's"
    body_chunks = chunks[1:]
    assert len(body_chunks) == 4
    assert all(100 <= len(c.split()) <= 200 for c in body_chunks)
    assert " ".join(body_chunks) == " ".join(body.split())


def test_it_merges_a_short_tail_into_the_previous_chunk():
    body = ("word " * 150) + "A short closing line."

    chunks = embedder.article_chunks("Title", "", body)

    assert len(chunks) == 2
    assert chunks[1].endswith("A short closing line.")


def test_it_cuts_a_body_without_sentence_ends_at_the_word_limit():
    chunks = embedder.article_chunks("", "", "word " * 400)

    assert [len(c.split()) for c in chunks] == [150, 150, 100]


def test_it_handles_an_article_with_no_text():
    assert embedder.article_chunks("", "", "   ") == []


def test_it_embeds_an_article_as_one_row_per_chunk(static_backend):
    rows = embedder.embed_article("Rain saves England", "A draw at Lord's", "word " * 320)

    assert rows.shape == (3, embedder.embedding_dim())


def test_it_round_trips_embeddings_through_bytes():
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(3, 256)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)

    back = embedder.from_bytes(embedder.to_bytes(vecs))

    assert back.dtype == np.float32
    assert back.shape == (3, 256)
    assert np.abs(back - vecs).max() < 1e-3
    assert embedder.from_bytes(memoryview(embedder.to_bytes(vecs[0]))).shape == (1, 256)


def test_token_bags_overlap_every_row_as_the_pairwise_overlap_does():
    from broadsheet.moderation.relevance.evidence import overlap

    lexical = embedder.lexical_bags()
    rows = lexical.bags([
        "Grimsby trawlers and fishing quotas", "Quotas sold to foreign trawlers", "",
        "Mortgage rates rise again", "Grimsby, Grimsby, Grimsby",
    ])
    comments = lexical.bags(["The Grimsby quotas", "Nothing in common here", "", "rates"])

    got = embedder.TokenBags(rows).overlaps(comments)

    want = np.array([[overlap(c, r) for r in rows] for c in comments])
    np.testing.assert_allclose(got, want, atol=1e-6)
    assert got[0, 0] > got[0, 1] > 0 and got[0, 3] == 0
    assert embedder.TokenBags([]).overlaps(comments).shape == (4, 0)


def test_token_bags_give_the_same_overlaps_when_common_words_go_dense(monkeypatch):
    from broadsheet.moderation.relevance.evidence import overlap

    lexical = embedder.lexical_bags()
    rows = lexical.bags([f"The vote in {place} was about the {topic}, and that is that."
                         for place in ("Grimsby", "Hull", "Leeds", "York", "Bath", "Ely")
                         for topic in ("quotas", "fishing", "bus fares", "rail", "schools")])
    comments = lexical.bags(["The vote in Hull was about schools.", "the", "Nothing alike."])
    want = np.array([[overlap(c, r) for r in rows] for c in comments])

    for budget in (2_000_000, 7):  # one call, and one comment per call
        monkeypatch.setattr(embedder, "OVERLAP_PAIRS_PER_CALL", budget)
        bags = embedder.TokenBags(rows)
        assert len(bags.dense_tokens) > 0  # "the", "vote", "was" ... are in every row
        np.testing.assert_allclose(bags.overlaps(comments), want, atol=1e-6)


def test_it_round_trips_a_token_bag_through_bytes():
    (bag,) = embedder.lexical_bags().bags(["Fishing quotas decided the vote in Grimsby."])

    ids, weights = embedder.bag_from_bytes(embedder.bag_to_bytes(bag))

    np.testing.assert_array_equal(ids, bag[0])
    np.testing.assert_allclose(weights, bag[1], atol=1e-3)
    empty = embedder.bag_from_bytes(embedder.bag_to_bytes((np.zeros(0, np.int64),
                                                           np.zeros(0, np.float32))))
    assert len(empty[0]) == len(empty[1]) == 0
