"""Every install gets a Comments FAQ, because every comment form and page footer links to it.

The text is a frozen copy, as migrations should be: editors change it in the admin, and
`broadsheet load_demo` writes the demo's fuller version. An existing page is never touched.
"""

from django.db import migrations

SLUG = "comments-faq"
TITLE = "Comments FAQ"
BODY = """\
Every comment on this site is read by a moderator before it appears.

## What we publish

Comments that are **on-topic and not abusive**: they relate to the article or to the \
comment they answer, and they attack nobody.

## What we turn down

- Contempt for people because of their race, ethnicity, nationality, religion, gender, \
sexuality, age or disability.
- Insults aimed at the author, at other commenters or at private people.
- Obscene language and slurs, however they are spelt.
- Advertising and links posted to promote something.
- Accusations of crimes without proof, which a senior moderator reviews.

## Edits

A moderator may correct spelling or punctuation, or remove the part of a comment that breaks \
these rules (including anyone's email address, phone number or home address) and publish the \
rest. The original is kept in the comment's history.

## Reports and bans

Use the **Report** link under a comment to send it to the moderators. People who keep \
breaking the rules can be banned; their later comments are turned down automatically.

## Your email address

We ask for it to recognise repeat posts and to apply bans. It is never shown on the site.
"""


def add_faq(apps, schema_editor):
    Page = apps.get_model("core", "Page")
    Page.objects.get_or_create(slug=SLUG, defaults={"title": TITLE, "body": BODY})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    # Reversing keeps the page: by then an editor may have rewritten it.
    operations = [migrations.RunPython(add_faq, migrations.RunPython.noop)]
