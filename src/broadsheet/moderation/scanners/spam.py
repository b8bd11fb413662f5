"""The spam scanner: advertising, links, repeated posts, shouting and personal data.

Rule-based on purpose: spam changes wording fast but keeps its shape (a link, an offer, a way
to get in touch), and every rule here can be explained to a moderator with a highlight.
Each component yields its own reason; the comment's score is the strongest component.

Scores are set against the default spam thresholds (hold 0.5, reject 0.9): a single link or a
weak sales phrase alone stays under hold; shouting, repeats and personal data hold but never
reject on their own (they are "other" under the policy, not advertising); an offer together
with a link or contact details, or a blocked domain, rejects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from broadsheet.moderation.scanners.base import Reason, ScanContext, ScanResult, Span
from broadsheet.moderation.scanners.normalize import tokenize
from broadsheet.moderation.scanners.wordlist import Match, PhraseMatcher

STRONG = "strong"
WEAK = "weak"

# Offers and contact-me phrases that are almost never in a genuine comment.
STRONG_PHRASES = """
buy now|order now|click here|click the link|click on the link|visit my profile|check my profile
see my profile|visit my page|check my page|visit my website|visit my site|visit my blog
check out my website|check out my site|check out my channel|subscribe to my channel
whatsapp me|whats app me|text me on|message me on|telegram me|dm me|inbox me|pm me for
contact me on|contact me at|contact me via|email me at|call me at|reach me at|hit me up on
earn money online|make money online|make money from home|earn from home|work from home job
jobs from home|online job|online jobs|extra income|passive income|get paid daily|get paid weekly
per hour from home|i make per hour|my aunt makes|my sister makes|my friend makes|this is what i do
limited offer|limited time offer|special offer|free trial|promo code|discount code|coupon code
best price|cheap price|lowest price|order today|shop now|sign up now|sign up today
investment opportunity|investment plan|crypto investment|bitcoin investment|forex trading
binary options|loan offer|quick loan|payday loan|casino bonus|online casino|free spins
viagra|cialis|hot singles|dating site|escort service|weight loss pills|seo services
followers for sale|buy followers|buy likes
call today|call now|order online|zero deposit|no deposit|easy instalments|easy installments
interest free instalments|visit our website|visit our showroom|visit our shop|free delivery
cash on delivery|lowest rates|best rates in town|limited stock
""".replace("\n", "|").split("|")

# On their own these are ordinary words in a news discussion ("work from home" is a topic).
WEAK_PHRASES = """
work from home|working from home|contact me|message me|call me|email me|text me|whatsapp
telegram|free|discount|offer|bitcoin|crypto|profit|income|earn|guaranteed|website|subscribe
cheap|deal|deals|deposit|instalments|installments|sale
""".replace("\n", "|").split("|")

_MONEY_RATE = re.compile(
    r"(?:[$£€]\s?\d[\d,.]*\s?k?|\d[\d,.]*\s?(?:dollars|usd|gbp|euros?|pounds|bucks))"
    r"\s*(?:a|an|per|/|each|every)\s*(?:day|week|month|hour|hr|night|weekend)\b"
    r"|\b(?:earn(?:ed|ing|s)?|mak(?:e|es|ing)|made|get\s+paid)\s+(?:up\s+to\s+|over\s+)?"
    r"[$£€]\s?\d[\d,.]*",
    re.IGNORECASE,
)

_TLDS = (
    "com|net|org|info|biz|io|co|uk|us|ru|cn|de|fr|in|xyz|top|site|online|shop|store|club|me|ly|gl"
    "|tk|ml|ga|cf|gq|link|click|app|ai|tv|news|live|win|vip|bid|loan|money|work|pro|ws|cc|to"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+"
    rf"|(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS})\b(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)
_HOST = re.compile(r"^(?:https?://)?([^/:?#\s]+)", re.IGNORECASE)

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
# "john dot smith at gmail dot com", "john(at)gmail(dot)com"
_EMAIL_SPELT = re.compile(
    r"\b[\w.+-]+\s*(?:\(at\)|\[at\]|\sat\s)\s*[a-z0-9-]+\s*(?:\(dot\)|\[dot\]|\sdot\s|\.)\s*"
    r"(?:com|net|org|co|uk|de|fr|info|io)\b",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d\s().\-]{6,18}\d(?!\w)")
_YEARISH = re.compile(r"^(?:1[89]|20)\d\d$")

# Shouting only means something in a text long enough to be shouted.
MIN_LETTERS_FOR_SHOUTING = 20
SHOUTING_UPPER_SHARE = 0.7

_PHRASES = PhraseMatcher(
    [(p.strip(), STRONG) for p in STRONG_PHRASES if p.strip()]
    + [(p.strip(), WEAK) for p in WEAK_PHRASES if p.strip()]
)


def find_links(text: str) -> list[tuple[str, int, int]]:
    """(host, start, end) of every link or bare domain in the text."""
    links = []
    for m in _URL.finditer(text):
        host_m = _HOST.match(m.group(0))
        host = host_m.group(1).lower() if host_m else ""
        host = host.removeprefix("www.").rstrip(".,;:!?")
        # Bare "e.g." or "U.S." are not links; a TLD match needs a dot and a real label.
        if not host or "." not in host:
            continue
        links.append((host, m.start(), m.end()))
    return links


def is_blocked(host: str, blocked: frozenset[str]) -> bool:
    parts = host.split(".")
    return any(".".join(parts[i:]) in blocked for i in range(len(parts) - 1))


def find_phones(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _PHONE.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        if not 7 <= len(digits) <= 15:
            continue
        groups = re.findall(r"\d+", raw)
        # "1999 2004 2016", "10.000.000" and dates are numbers, not phone numbers.
        if all(_YEARISH.match(g) for g in groups if len(g) == 4) and all(
            len(g) == 4 for g in groups
        ):
            continue
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", raw.strip()):
            continue
        if re.fullmatch(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}", raw.strip()):
            continue
        spans.append((m.start(), m.end()))
    return spans


def find_emails(text: str) -> list[tuple[int, int]]:
    found = {(m.start(), m.end()) for m in _EMAIL.finditer(text)}
    found |= {(m.start(), m.end()) for m in _EMAIL_SPELT.finditer(text)}
    return sorted(found)


def shouting_share(text: str) -> tuple[int, float]:
    # filter/map over the string's characters: a Python-level call per character was most
    # of the spam scanner's time on an ordinary comment.
    letters = "".join(filter(str.isalpha, text))
    if not letters:
        return 0, 0.0
    upper = sum(map(str.isupper, letters))
    return len(letters), upper / len(letters)


class SpamScanner:
    name = "spam"

    def scan_batch(self, contexts: Sequence[ScanContext]) -> list[ScanResult]:
        return [self.scan_one(ctx) for ctx in contexts]

    def scan_one(self, ctx: ScanContext) -> ScanResult:
        text = ctx.text
        reasons: list[Reason] = []

        links = find_links(text)
        blocked = [lk for lk in links if is_blocked(lk[0], ctx.blocked_domains)]
        emails = find_emails(text)
        # An email's digits or a URL's path are not a phone number.
        taken = [(s, e) for _, s, e in links] + emails
        phones = [p for p in find_phones(text) if not _overlaps(p, taken)]
        # Links inside an email address ("bob@example.com") are the email, not a link.
        links = [lk for lk in links if not _overlaps((lk[1], lk[2]), emails)]

        matches = _PHRASES.find(tokenize(text))
        strong = [m for m in matches if m.payload == STRONG]
        weak = [m for m in matches if m.payload == WEAK and not _inside(m, strong)]
        money = [(m.start(), m.end()) for m in _MONEY_RATE.finditer(text)]

        n_strong = len(strong) + len(money)
        offer, offer_spans = _offer(strong, weak, money)
        if links:
            reasons.append(_link_reason(links, blocked, offer))
        if offer > 0:
            if (emails or phones) and n_strong:
                # "whatsapp me on +44 ..." - an offer with a way to reach the poster.
                offer = max(offer, 0.95)
            elif ctx.repeat_count > 0 and n_strong:
                offer = max(offer, 0.9)
            if offer >= 0.4:
                reasons.append(
                    Reason("spam", "commercial offer or contact-me request", offer, offer_spans)
                )

        if emails or phones:
            what = " and ".join(
                w for w, found in (("email address", emails), ("phone number", phones)) if found
            )
            spans = [Span(s, e) for s, e in sorted(emails + phones)]
            reasons.append(Reason("personal-data", f"contains {what}", 0.6, spans))

        if ctx.repeat_count > 0:
            score = 0.55 if ctx.repeat_count < 3 else 0.7
            reasons.append(
                Reason(
                    "repeated",
                    f"same text posted {ctx.repeat_count} other time(s) recently",
                    score,
                )
            )

        n_letters, upper = shouting_share(text)
        if n_letters >= MIN_LETTERS_FOR_SHOUTING and upper >= SHOUTING_UPPER_SHARE:
            reasons.append(Reason("shouting", "written in capitals", 0.55, [Span(0, len(text))]))

        # Strongest first: the pipeline names a rejection after the first reason.
        reasons.sort(key=lambda r: -r.score)
        score = max((r.score for r in reasons), default=0.0)
        return ScanResult(scanner=self.name, score=score, reasons=reasons)


def _offer(
    strong: list[Match], weak: list[Match], money: list[tuple[int, int]]
) -> tuple[float, list[Span]]:
    """How much the phrases read as a commercial offer, and where."""
    offer_spans = [Span(m.start, m.end) for m in strong] + [Span(s, e) for s, e in money]
    n_strong = len(strong) + len(money)
    offer = 0.0
    if n_strong >= 2:
        offer = 0.9
    elif n_strong == 1:
        offer = 0.8 if weak else 0.7
    elif len(weak) >= 3:
        offer = 0.5
    elif len(weak) == 2:
        offer = 0.4
    elif weak:
        offer = 0.2
    if n_strong == 0 and weak and offer >= 0.4:
        offer_spans = [Span(m.start, m.end) for m in weak]
    return offer, offer_spans


def _link_reason(
    links: list[tuple[str, int, int]], blocked: list[tuple[str, int, int]], offer: float
) -> Reason:
    link_score = {1: 0.3, 2: 0.45}.get(len(links), 0.7)
    message = f"{len(links)} link(s): " + ", ".join(dict.fromkeys(h for h, _, _ in links))
    if blocked:
        link_score = 1.0
        message = "link to a blocked site: " + ", ".join(dict.fromkeys(h for h, _, _ in blocked))
    elif offer >= 0.4:
        # An offer with a link is the shape of advertising.
        link_score = 0.95
        message = "link posted with a commercial offer"
    return Reason("link", message, link_score, [Span(s, e) for _, s, e in links])


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in others)


def _inside(m, strong) -> bool:
    return any(s.start <= m.start and m.end <= s.end for s in strong)
