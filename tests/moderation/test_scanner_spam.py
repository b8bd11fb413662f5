"""The spam scanner flags offers, links, repeats, shouting and personal data."""

from broadsheet.moderation.scanners.base import ScanContext
from broadsheet.moderation.scanners.spam import SpamScanner
from broadsheet.moderation.thresholds import DEFAULT_THRESHOLDS

HOLD = DEFAULT_THRESHOLDS["spam"]["hold"]
REJECT = DEFAULT_THRESHOLDS["spam"]["reject"]


def _scan(text, **kw):
    return SpamScanner().scan_batch([ScanContext(text=text, **kw)])[0]


def _codes(result):
    return [r.code for r in result.reasons]


def _reason(result, code):
    return next(r for r in result.reasons if r.code == code)


def test_it_lets_an_ordinary_comment_through():
    result = _scan("I disagree with the minister, the numbers in paragraph 3 do not add up.")
    assert result.score < HOLD
    assert result.reasons == []


def test_it_notes_a_single_link_without_holding_the_comment():
    text = "The full report is at https://www.ons.gov.uk/report for anyone curious."
    result = _scan(text)
    assert _codes(result) == ["link"]
    assert result.score < HOLD
    span = _reason(result, "link").spans[0]
    assert text[span.start : span.end] == "https://www.ons.gov.uk/report"


def test_it_rejects_links_to_blocked_domains_including_subdomains():
    blocked = frozenset({"spammy.biz"})
    result = _scan("Read this www.shop.spammy.biz/deal now", blocked_domains=blocked)
    assert result.score >= REJECT
    assert result.reasons[0].code == "link"


def test_it_rejects_a_commercial_offer_with_a_link():
    text = "I earn $500 a day working from home! Visit my profile http://cash.example.xyz"
    result = _scan(text)
    assert result.score >= REJECT
    assert result.reasons[0].code in ("link", "spam")
    highlighted = [text[s.start : s.end] for s in _reason(result, "spam").spans]
    assert "Visit my profile" in highlighted


def test_it_sees_offers_through_disguises():
    result = _scan("wh@tsapp me for the b e s t p r i c e")
    assert result.score >= HOLD
    assert "spam" in _codes(result)


def test_it_does_not_flag_work_from_home_as_a_topic():
    result = _scan("Working from home has changed how cities plan their transport.")
    assert result.score < HOLD


def test_it_holds_an_email_address_and_a_phone_number_as_personal_data():
    text = "His address is john.smith@example.com and his number 07700 900123."
    result = _scan(text)
    reason = _reason(result, "personal-data")
    assert result.score >= HOLD
    highlighted = [text[s.start : s.end] for s in reason.spans]
    assert highlighted == ["john.smith@example.com", "07700 900123"]


def test_it_does_not_take_years_or_big_numbers_for_phone_numbers():
    result = _scan("Between 1999 2004 2016 the debt rose by 1,000,000,000 on 12/05/2016.")
    assert "personal-data" not in _codes(result)


def test_it_holds_but_never_rejects_shouting():
    result = _scan("THIS GOVERNMENT IS A DISGRACE AND EVERYONE KNOWS IT")
    assert _codes(result) == ["shouting"]
    assert HOLD <= result.score < REJECT


def test_it_ignores_capitals_in_short_texts():
    assert _scan("NO WAY!").reasons == []


def test_it_holds_repeated_text():
    result = _scan("Same words again", repeat_count=4)
    assert _codes(result) == ["repeated"]
    assert HOLD <= result.score < REJECT


def test_it_rejects_repeated_offers():
    result = _scan("Buy now, limited offer", repeat_count=2)
    assert result.score >= REJECT


def test_it_reports_separate_reasons_and_scores_the_strongest():
    result = _scan("CALL ME ON 0770 090 0123 FOR THE BEST DEALS IN TOWN TODAY", repeat_count=1)
    assert {"personal-data", "shouting", "repeated"} <= set(_codes(result))
    assert result.score == max(r.score for r in result.reasons)


def test_it_treats_a_dealers_offer_with_a_link_as_advertising():
    from broadsheet.moderation.scanners.base import ScanContext
    from broadsheet.moderation.scanners.spam import SpamScanner

    text = (
        "Tired of waiting for the bus?? Used cars on easy instalments, ZERO deposit! "
        "Visit https://cheap-wheels.example/offer and call today!!"
    )
    result = SpamScanner().scan_batch([ScanContext(text=text)])[0]
    assert result.score >= 0.9
    assert {"link", "spam"} <= {reason.code for reason in result.reasons}
