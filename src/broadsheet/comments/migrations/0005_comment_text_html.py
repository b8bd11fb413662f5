from django.db import migrations, models

from broadsheet.core.text import render_comment_text


def render_stored_texts(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    batch = []
    for comment in Comment.objects.only("id", "text").iterator(chunk_size=2000):
        comment.text_html = render_comment_text(comment.text)
        batch.append(comment)
        if len(batch) >= 2000:
            Comment.objects.bulk_update(batch, ["text_html"])
            batch = []
    if batch:
        Comment.objects.bulk_update(batch, ["text_html"])


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0004_text_fingerprint"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="text_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(render_stored_texts, migrations.RunPython.noop),
    ]
