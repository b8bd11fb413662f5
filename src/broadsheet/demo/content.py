"""The demo newsroom's words: articles, people, reader comments and the Comments FAQ.

Everything here is invented for Broadsheet. The places (Sarwarabad, Ambarpur, Port Salim),
the people and the figures are fictional; any likeness to a real story is an accident.
Times are offsets, so a fresh load always looks current: an article's age is how long ago it
was published, and a comment's `after` is minutes after its article went up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

EDITOR_USERNAME = "editor"
EDITOR_PASSWORD = "broadsheet-demo"
EDITOR_EMAIL = "editor@broadsheet.example"
# A reader account with a confirmed address and a comment in each state (docs/accounts.md).
READER_EMAIL = "reader@broadsheet.example"
READER_PASSWORD = "broadsheet-reader"
READER_NAME = "Priya Raman"
# (status, rejection reason slug, text), on the first demo article.
READER_COMMENTS = [
    ("approved", "", "The council's figures leave out the evening services, which is where "
     "the cuts will be felt most."),
    ("pending", "", "Does anyone know whether the consultation is still open?"),
    ("rejected", "off-topic", "Unrelated, but the bins on my street have not been collected "
     "for three weeks."),
]

ENGAGEMENT_USERNAME = "engagement"
ENGAGEMENT_EMAIL = "engagement@broadsheet.example"
ENGAGEMENT_NAME = "Mehwish Anjum"
ENGAGEMENT_LABEL = "Digital Engagement Team, The Broadsheet"

# The article the browser test and the "View more comments" check use.
MANY_THREADS_ARTICLE = "teal-line-opens"
CLOSED_ARTICLE = "clock-tower-market-restoration"

SECTIONS = [
    ("City", "city", 1),
    ("Business", "business", 2),
    ("Sport", "sport", 3),
    ("Culture", "culture", 4),
]

AUTHORS = [
    (
        "Farah Siddiqui", "farah-siddiqui",
        "Farah Siddiqui covers transport, housing and the municipal corporation for the City "
        "desk. Before joining The Broadsheet she spent six years on the night shift of a "
        "wire service.",
    ),
    (
        "Bilal Chaudhry", "bilal-chaudhry",
        "Bilal Chaudhry is the paper's data reporter. He builds the spreadsheets behind the "
        "numbers in our stories and rides a bicycle to work, weather permitting.",
    ),
    (
        "Naveed Akhtar", "naveed-akhtar",
        "Naveed Akhtar is the Business correspondent in Ambarpur, where he follows the "
        "provincial assembly, public finance and the tax office.",
    ),
    (
        "Omar Rashid", "omar-rashid",
        "Omar Rashid has reported on domestic cricket for eleven seasons and still keeps a "
        "paper scorebook at every match.",
    ),
    (
        "Hina Mirza", "hina-mirza",
        "Hina Mirza writes about architecture, museums and the city's older buildings for "
        "the Culture pages.",
    ),
]

TAGS = [
    ("Transport", "transport"),
    ("City government", "city-government"),
    ("Provincial budget", "provincial-budget"),
    ("Taxes", "taxes"),
    ("Cricket", "cricket"),
    ("Heritage", "heritage"),
    ("Architecture", "architecture"),
]


@dataclass(frozen=True)
class DemoComment:
    """One reader comment and the replies under it, as the moderators left them."""

    name: str
    email: str
    after: int  # minutes after the article was published
    text: str
    status: str = "approved"
    replies: tuple[DemoComment, ...] = ()
    # For rejected comments: the RejectionReason slug and the moderator's note.
    reason: str = ""
    note: str = ""
    # Published after a moderator cut part of it: this is the text as the reader sent it.
    submitted_text: str = ""
    # An open report from a reader: (Report.Reason value, the reader's note).
    report: tuple[str, str] | None = None
    staff: bool = False


@dataclass(frozen=True)
class DemoArticle:
    key: str
    headline: str
    deck: str
    section: str
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    dateline: str
    age: timedelta
    body: str
    print_edition: bool = False
    # (alt text, caption, credit) of a lead picture the loader draws, or None.
    picture: tuple[str, str, str] | None = None
    comments_closed: bool = False
    comments: tuple[DemoComment, ...] = field(default=())


def c(name: str, email: str, after: int, text: str, *replies: DemoComment, **extra) -> DemoComment:
    """A comment in the tables below; replies follow the text so threads read top-down."""
    return DemoComment(name=name, email=email, after=after, text=text, replies=replies, **extra)


def staff(after: int, text: str, *replies: DemoComment) -> DemoComment:
    return DemoComment(
        name=ENGAGEMENT_NAME, email=ENGAGEMENT_EMAIL, after=after, text=text,
        replies=replies, staff=True,
    )


TEAL_LINE_BODY = """\
The first articulated bus on the Teal Line pulled out of Canal Gate station at 6.02am on \
Monday, two minutes behind the timetable and roughly four years behind the original plan. By \
mid-morning the platforms at the busiest stops were full, and the queue for the ticket \
machines at Old Mandi reached the foot of the footbridge.

The 18-kilometre corridor runs from Canal Gate in the north to the Industrial Estate on the \
southern bypass, with 22 stations and bus lanes kept apart from other traffic by a raised \
kerb. The Sarwarabad Mass Transit Authority says buses will run every four minutes at peak \
hours and every eight minutes in the evening, with the last departure at 10.30pm.

"My son's trip to the polytechnic took an hour and ten minutes last week. Today it took \
thirty-five," said Rukhsana Bibi, who sells vegetables beside Jail Road station and has \
watched the works "swallow the road" for three years. "If it stays like this, I will stop \
complaining about the dust."

The authority counted about 41,000 passengers between the first departure and 9pm, a figure \
it called provisional. Its managing director, Kamran Hayat, said the flat fare of Rs40 for \
any distance would hold "for at least the first year", and that a half-fare card for \
students and pensioners would be on sale from next month.

Not every station was ready. The lifts at Clock Tower and University Road were still wrapped \
in plastic, and staff there sent passengers with wheelchairs or prams on to the next stop. \
Mr Hayat said both lifts were waiting for a safety certificate and should open "within \
days". Disability campaigners who rode the line in the afternoon said the step between \
platform and bus was small at most stations but uneven at three.

On the roads that now share their width with the busway, traffic was slower than usual. The \
city traffic police said 120 wardens had been posted at junctions along the route. \
Shopkeepers on Railway Road, where the corridor took away two lanes of parking, said \
customers had struggled to stop; the authority said it would review loading bays there \
after a month.

The line cost Rs38 billion, about a third of it borrowed under a loan the provincial \
government will repay over twenty years. A second corridor, east to west along the river \
through the old city, has been approved but has no construction date.

For now, riders seemed most concerned with the afternoon sun. Several of the open-sided \
stations have a roof over only half the platform. "The bus is fast," said Adeel Ahmed, a \
student waiting at Model Colony. "The waiting still happens outside."
"""

BUDGET_BODY = """\
The finance minister, Shaista Karim, told the provincial assembly on Thursday that a revised \
budget of Rs1.2 trillion for the rest of the year was "honest about where the money comes \
from", as opposition members left the chamber in protest before she had finished speaking.

The plan raises spending on roads, schools and water schemes by 14 per cent on the figures \
approved in June. To pay for it, the government is counting on a property tax reassessed on \
current market values in the province's five largest cities, most of which were last valued \
more than twenty years ago.

That valuation has not yet been carried out. Ms Karim said surveyors would begin work in \
Ambarpur in January and that owners would be able to appeal their new valuations before any \
higher bill was sent. Until then, the additional revenue in the budget, about Rs46 billion, \
is an estimate.

The leader of the opposition, Rana Tufail, called the estimate "a promissory note written by \
people who will not be here to honour it", and said his members had walked out because they \
had received the detailed figures only two hours before the session began.

Economists who follow the province's finances were divided. Dr Sadia Lodhi of Ambarpur \
University said valuations so far out of date were "a subsidy to whoever owns the most \
property" and overdue for reform. Others pointed out that in each of the past three years \
the province spent less than two-thirds of its development allocation.

The assembly will debate the budget clause by clause next week. The government has a \
majority of eleven.
"""

FINAL_BODY = """\
Coastal Mariners held on for a draw in the final of the Provincial Championship on Sunday, \
finishing on 187 for nine, 96 runs short of their target, after their last pair survived \
fourteen overs against three Sarwarabad Lions spinners on a wearing pitch at Harbour Road.

The Lions, who led by 118 on first innings, had declared at lunch on the fourth day and \
needed to take ten wickets in a little over two sessions. Their leg-spinner, Asad Kazmi, took \
five for 61, and the off-spinner Haris Jamil three for 44, as the Mariners' middle order \
fell from 90 for two to 146 for nine.

That left Junaid Baloch, the Mariners' No. 10, and Kamil Tariq, a fast bowler who had made \
four runs all season, to bat out the final hour. Baloch, playing his third first-class \
match, faced 71 balls for an unbeaten 22 and was carried from the field by team-mates.

The Lions' captain, Tahir Nadeem, set defensive fields for much of the last session, with \
three men on the boundary even after the ninth wicket fell. "With the ball turning like \
that, I wanted them to hit it in the air," he said afterwards. "They did not. Credit to \
them."

Because the match was drawn, the Mariners take the title on their better record in the \
group stage, their first championship since the competition began its current format.

The Lions will feel they had the better of four days. Their opener Saad Rehman made 143 in \
the first innings, the only century of the match, and their seamers bowled the Mariners out \
for 205 on a first day that began under cloud.
"""

CLOCK_TOWER_BODY = """\
Scaffolding went up around the Clock Tower market this week as conservators began what the \
city's heritage department expects to be a three-year restoration of the 1911 building, \
which has housed traders under its brick arches for more than a century.

The first job, said the project's lead conservator, Yasmin Haider, is to find out what the \
building is made of. Layers of whitewash and enamel paint, some of it applied as recently \
as the 1990s, cover the original brickwork and the carved sandstone around the main gate. \
"We will take it off one test patch at a time," she said. "Paint holds moisture in. The \
bricks have been suffocating."

The clock itself has not kept time since the mid-1970s, when its weights were removed during \
repairs to the tower and never returned. A firm of clockmakers has been asked to rebuild the \
mechanism using as many original parts as can be saved; the four faces will be reglazed.

The market's sixty stallholders have moved to a temporary covered market on the old bus \
depot site, two streets away. The heritage department says each of them has a written \
promise of a stall in the restored building at the same rent, adjusted for inflation.

Not all of them are convinced. "They told my father the same thing in 1985," said a cloth \
merchant who asked not to be named. "He waited eight years and then the work stopped."

The restoration is budgeted at Rs420 million, shared between the city and a provincial \
heritage fund. Ms Haider said the most expensive part would be the roof, where the timber \
beams will be replaced with seasoned wood of the same species.
"""


TEAL_LINE_COMMENTS = (
    c("Tariq Mehmood", "tariq.mehmood@example.com", 25,
      "Rode it from Canal Gate to Old Mandi this morning: twenty-six minutes, and the driver "
      "stopped level with the platform every single time. Whoever trained the drivers did "
      "a good job.",
      c("Saima Khalid", "saima.k@example.net", 70,
        "Same from Model Colony. The only delay was people not knowing which door to use.",
        c("Tariq Mehmood", "tariq.mehmood@example.com", 95,
          "Signs on the platform would fix that. At the moment there is one small sticker "
          "per door and you cannot read it until you are standing on it.",
          staff(140,
                "Thank you both. We have passed this on to our transport reporter, who has "
                "asked the authority about platform signs for a follow-up.",
                c("Saima Khalid", "saima.k@example.net", 200,
                  "Good to hear. Please ask them about the lifts at Clock Tower too.")))),
      c("Junaid Aslam", "junaid.aslam@example.org", 180,
        "Twenty-six minutes is what the car took me before construction began. The real "
        "test is week three, when the novelty has worn off and the buses are full.")),
    c("Nadia Parveen", "nadia.parveen@example.com", 40,
      "The article mentions the lifts at Clock Tower. I use a wheelchair and had to go on to "
      "the next stop and come back along the road, which has no proper pavement there. "
      "\"Within days\" should have meant before opening.",
      c("Usman Ghani", "usman.ghani@example.net", 90,
        "Agree completely. A new line should be step-free on the first day, not eventually.",
        c("Nadia Parveen", "nadia.parveen@example.com", 300,
          "To be fair, the ramps at the other stations are well done. It is only those two."))),
    c("Khalid Rauf", "k.rauf@example.com", 55,
      "Rs38 billion for 18 kilometres. I would like to see how that compares per kilometre "
      "with busways elsewhere before deciding whether it was good value.",
      c("Ayesha Noor", "ayesha.noor@example.org", 130,
        "The loan terms matter more than the headline number. Twenty years at what rate?",
        c("Khalid Rauf", "k.rauf@example.com", 160,
          "The report does not say. A follow-up on the loan would be worth reading."))),
    c("Samina Yousaf", "samina.yousaf@example.com", 80,
      "Shopkeeper on Railway Road here. Our customers used to park outside; now they circle "
      "twice and give up. A month of review is a month of lost trade for small shops.",
      c("Faisal Mir", "faisal.mir@example.net", 150,
        "Most of your customers walk, I would guess. The bus should bring you more of them.",
        c("Samina Yousaf", "samina.yousaf@example.com", 210,
          "Some walk. The wholesale buyers who load boxes into a car do not. Loading bays "
          "are all we asked for."))),
    c("Ahmed Shah", "ahmed.shah@example.org", 110,
      "The half-fare card for students should have been on sale at launch. Term started "
      "weeks ago and students are the people most likely to use this line."),
    c("Zara Hussain", "zara.h@example.com", 140,
      "Shade. Please, shade. Half a roof on a west-facing platform is a design decision "
      "that somebody should explain.",
      c("Irfan Latif", "irfan.latif@example.net", 220,
        "I heard the full-length canopies were dropped to save money when the design was "
        "revised. It would be good if the paper could confirm or rule that out."),
      # Waiting on the desk: a reply is queued like any other comment.
      c("Lubna Farooq", "lubna.farooq@example.com", 3090,
        "The canopies at University Road run the full length of the platform, so it can be "
        "done.", status="pending")),
    c("Mohsin Raza", "mohsin.raza@example.com", 200,
      "Four minutes at peak is good and eight in the evening is fine, but a last bus at "
      "10.30pm is early for anyone on a late shift at the Industrial Estate."),
    c("Rabia Anwar", "rabia.anwar@example.org", 260,
      "Took my mother to her hospital appointment on it. She is 74 and found the steps at "
      "the entrance to Jail Road station harder than anything on the bus itself."),
    c("Hamza Tariq", "hamza.tariq@example.com", 400,
      "Traffic on the parallel roads was dreadful this evening. Wardens at every junction "
      "and still a jam from Civil Lines to the bridge.",
      c("Bushra Ali", "bushra.ali@example.net", 460,
        "The first week of any change to the roads is like this. Give it a month.")),
    c("Sohail Akram", "sohail.akram@example.com", 600,
      "Does anyone know whether bicycles are allowed on board? The article does not say.",
      staff(640,
            "The authority's published rules allow folded bicycles outside peak hours only. "
            "We will ask whether full-size bicycles will be allowed later.")),
    c("Mariam Javed", "mariam.javed@example.org", 900,
      "Telling that the river corridor has \"no construction date\". That is the line that "
      "would serve the most people in the old city."),
    c("Noman Qureshi", "noman.q@example.com", 1300,
      "Second morning: three buses arrived at Old Mandi together, then nothing for twelve "
      "minutes. Bunching already."),
    c("Kiran Shahid", "kiran.shahid@example.net", 1800,
      "I remember the groundbreaking. The dust was worth it if the line stays clean and "
      "the buses keep to time."),
    c("Waqas Butt", "waqas.butt@example.com", 2500,
      "A flat Rs40 is generous for anyone coming in from the Industrial Estate. I hope it "
      "is not quietly raised the day the first year ends."),
    # Decided against, with the moderator's reason kept in the history.
    c("Shafiq", "shafiq.bikes@example.com", 330,
      "Anyone want a second-hand motorbike near Model Colony? Good condition, message me "
      "on 0300 5550123.",
      status="rejected", reason="spam", note="Selling a motorbike, with a phone number."),
    c("Plain Speaker", "plainspeaker@example.net", 520,
      "Of course it was the people from the south side pushing at the doors. That lot have "
      "no manners and never will.",
      status="rejected", reason="abusive", note="Contempt for people from one part of town."),
    c("Asim", "asim.r@example.org", 780,
      "Farah Siddiqui writes this rubbish every week. Does anyone at the paper check what "
      "she files?",
      status="rejected", reason="personal-attack", note="Aimed at the reporter, not the story."),
    # Still waiting for a moderator: the desk's Pending queue.
    c("Imtiaz Hussain", "imtiaz.h@example.com", 3030,
      "Is there a map of the stations with the working lifts marked? I could not find one on "
      "the authority's website.", status="pending"),
    c("Shahzad M", "shahzad.m@example.net", 3045,
      "Nothing to do with buses, but when will the paper cover the water shortage in "
      "Gulshan Block? We have had no supply for nine days.", status="pending"),
    c("Truth Teller", "truth.teller@example.org", 3060,
      "Only a fool would call this bus worth 38 billion. The clowns who planned it should "
      "be ashamed of themselves.", status="pending"),
    c("Best Deals", "deals@cheap-wheels.example", 3075,
      "Tired of waiting for the bus?? Used cars on easy instalments, ZERO deposit! Visit "
      "https://cheap-wheels.example/offer and call today!!", status="pending"),
)

BUDGET_COMMENTS = (
    staff(20,
          "The detailed budget papers tabled in the assembly are linked from our Business "
          "page. Questions for Naveed Akhtar are welcome here; he will answer a selection "
          "tomorrow."),
    c("Shabnam Riaz", "shabnam.riaz@example.com", 45,
      "A property tax on a valuation nobody has done yet is not a plan, it is a hope.",
      c("Asif Nawaz", "asif.nawaz@example.net", 70,
        "Valuations in this city are decades old. Somebody has to redo them, and it will be "
        "unpopular whoever does it.",
        c("Shabnam Riaz", "shabnam.riaz@example.com", 95,
          "Agreed. But do the valuation first and set the rate after, not the other way "
          "round."))),
    c("Pervez Iqbal", "pervez.iqbal@example.org", 80,
      "Fourteen per cent more for development sounds good until you remember how much of "
      "last year's allocation was never spent."),
    c("Tahira Bano", "tahira.bano@example.com", 150,
      "Anyone worried about the new valuations should ask at the district tax office; a "
      "clerk there explained the appeal process to me clearly.",
      submitted_text=(
          "Anyone worried about the new valuations should ask at the district tax office; "
          "my cousin works there, ring him on 0321 5550188, he explained the appeal "
          "process to me clearly."
      ),
      note="Removed a private phone number."),
    c("Kamran", "kamran.z@example.net", 200,
      "Everyone knows the minister's brother-in-law will get the valuation contract. That is "
      "what this whole budget is for.",
      status="rejected", reason="legal-risk",
      note="Unproven accusation against a named person; senior moderator decided."),
    c("Jamil Akhtar", "jamil.akhtar@example.com", 470,
      "WALKING OUT IS NOT OPPOSITION. STAY IN THE CHAMBER AND DEBATE THE NUMBERS.",
      status="pending"),
    c("Sobia Naz", "sobia.naz@example.org", 500,
      "How much of the development money goes to districts outside Ambarpur? The article "
      "only mentions projects in the city.", status="pending"),
)

FINAL_COMMENTS = (
    c("Danish Kamal", "danish.kamal@example.com", 40,
      "What a final day. The last pair batting fourteen overs against three spinners was "
      "the best cricket I have watched all season.",
      c("Fahad Sheikh", "fahad.sheikh@example.net", 75,
        "Credit to the groundsman as well. A fourth-day pitch that still had something for "
        "the bowlers is rare at Harbour Road.")),
    c("Salman Aziz", "salman.aziz@example.org", 60,
      "Tahir Nadeem's captaincy in the last session was the most cowardly thing I have seen "
      "in years. Three men on the boundary with the opposition nine down!",
      c("Nida Akbar", "nida.akbar@example.com", 110,
        "Harsh. He had just watched two batters caught in the deep. Defensive, yes; "
        "cowardly, no."),
      report=("personal-attack", "Calling the captain a coward is an insult, not a comment "
                                 "on the cricket.")),
    c("Rizwan Haider", "rizwan.haider@example.net", 130,
      "Eight wickets on the last day and still no result. A four-day final needs a reserve "
      "day."),
    c("Best Deals", "offers@cheap-wheels.example", 160,
      "Cricket fans!! Watch every match on our app, special price this week only, sign up "
      "at https://cheap-wheels.example/cricket",
      status="rejected", reason="spam", note="Advertising; email banned."),
    c("Ghazala Parveen", "ghazala.p@example.com", 1400,
      "Who made the most runs across the whole tournament? A table of the leading scorers "
      "would be good to see.", status="pending"),
)

CLOCK_TOWER_COMMENTS = (
    c("Zubair Ahmed", "zubair.ahmed@example.com", 90,
      "My grandfather had a watch-repair stall under those arches. I am glad someone is "
      "finally looking after the building.",
      c("Shazia Rahman", "shazia.rahman@example.net", 180,
        "What a lovely memory. Do you know whether the stallholders will really be let back "
        "in afterwards?",
        c("Zubair Ahmed", "zubair.ahmed@example.com", 260,
          "The article says they have it in writing. My father would say a promise is only "
          "as good as the next government."))),
    c("Anwar Saleem", "anwar.saleem@example.org", 300,
      "Three years is optimistic. I will believe the clock works when I hear it strike."),
    c("Naila", "naila.k@example.com", 420,
      "Why is the paper writing about old buildings when the drains in our street have "
      "overflowed all week?",
      status="rejected", reason="off-topic", note="Not about the restoration."),
)

# Which accounts receive the ban the demo shows on the desk.
BANNED_EMAILS = [("offers@cheap-wheels.example", "Posts advertising on every article.")]

ARTICLES = [
    DemoArticle(
        key=MANY_THREADS_ARTICLE,
        headline="Teal Line opens: 22 stations, 18 kilometres and a queue at every ticket "
        "machine",
        deck="The city's first bus rapid transit corridor carried about 41,000 riders on its "
        "first day, the authority says, as commuters praised the speed and asked about shade",
        section="city",
        authors=("farah-siddiqui", "bilal-chaudhry"),
        tags=("transport", "city-government"),
        dateline="SARWARABAD",
        age=timedelta(days=2, hours=4),
        body=TEAL_LINE_BODY,
        print_edition=True,
        picture=(
            "Drawing of a teal bus at a raised station platform under an evening sky",
            "A Teal Line bus at a corridor station on the first day of service.",
            "Illustration: Broadsheet demo",
        ),
        comments=TEAL_LINE_COMMENTS,
    ),
    DemoArticle(
        key="revised-budget-walkout",
        headline="Opposition walks out as finance minister defends a budget built on "
        "property tax",
        deck="The Rs1.2 trillion revised plan raises development spending by 14 per cent and "
        "relies on a valuation of urban property that has yet to begin",
        section="business",
        authors=("naveed-akhtar",),
        tags=("provincial-budget", "taxes"),
        dateline="AMBARPUR",
        age=timedelta(hours=9),
        body=BUDGET_BODY,
        comments=BUDGET_COMMENTS,
    ),
    DemoArticle(
        key="mariners-hold-on-for-draw",
        headline="Mariners' last pair hold on for a draw, and the title, at Harbour Road",
        deck="Sarwarabad Lions' spinners took eight wickets on the final day of the "
        "Provincial Championship final but could not take the ninth",
        section="sport",
        authors=("omar-rashid",),
        tags=("cricket",),
        dateline="PORT SALIM",
        age=timedelta(days=1, hours=2),
        body=FINAL_BODY,
        print_edition=True,
        comments=FINAL_COMMENTS,
    ),
    DemoArticle(
        key=CLOSED_ARTICLE,
        headline="Scaffolding goes up around the Clock Tower market as a three-year "
        "restoration begins",
        deck="Conservators will strip a century of paint from the 1911 building's brick "
        "arches and rebuild a clock that has not kept time since the 1970s",
        section="culture",
        authors=("hina-mirza",),
        tags=("heritage", "architecture"),
        dateline="SARWARABAD",
        age=timedelta(days=9 * 365 + 40),
        body=CLOCK_TOWER_BODY,
        print_edition=True,
        comments_closed=True,
        comments=CLOCK_TOWER_COMMENTS,
    ),
]

FAQ_TITLE = "Comments FAQ"

FAQ_BODY = """\
Comments on The Broadsheet are read by a person before anyone else can see them. This page \
explains what we publish, what we turn down, and what happens to the details you give us.

## What gets a comment published?

A comment is published when it is **on-topic and not abusive**. On-topic means it has \
something to do with the article or with the comment it answers. Wandering into the wider \
subject is fine; steering the conversation somewhere else entirely is not.

## What will not be published?

- Contempt for people because of their race, ethnicity, nationality, religion or sect, \
gender, sexuality, age or disability.
- Insults or accusations aimed at the writer of the article, at another commenter or at a \
private person you name.
- Obscene language and slurs, including ones disguised with symbols, spaces or odd spelling.
- Advertising: offers, links posted to promote something, "message me" requests.
- Claims that someone committed a crime without proof, and long passages copied from \
elsewhere. A senior moderator looks at these, because they can put the paper at legal risk.

Comments written entirely in capital letters, or the same comment posted again and again, \
are held until a moderator has looked at them.

## Can a moderator change what I wrote?

Only a little. A moderator may correct spelling or punctuation, or remove the part of a \
comment that breaks these rules and publish the rest. If your comment includes someone's \
email address, phone number or home address, that part is taken out. Nothing is rewritten \
to say something you did not say, and the original is kept in the comment's history on our \
side.

## How do I report a comment?

Under every published comment there is a **Report** link. Choose the reason that fits and, \
if you like, add a short note. Your report goes to the moderators' desk, where someone \
decides whether the comment stays up, is edited or is removed. You do not need an account \
to report.

## Can I be banned?

Yes. If someone repeatedly posts comments that break these rules, a moderator can ban them. \
After that, new comments from the same email address or account are turned down \
automatically, without being read.

## Why do you ask for my email address if you never show it?

We use it to tell repeated posts from the same person apart, and to apply a ban if one is \
ever needed. It is never shown on the site, never shown to other readers and never sold. \
Only your name appears next to your comment.

## How long does it take?

Your comment appears as soon as a moderator approves it. Until then only you can see it, \
marked as awaiting moderation. Most comments are read within a few hours; overnight it can \
take longer.

## Why do deep replies stop indenting?

Replies are indented under the comment they answer, up to three levels. Replies deeper than \
that sit at the last level and say whom they are replying to, so long exchanges stay readable \
on a phone.
"""
