from django.db import migrations, models

BATCH = 1000


def fill_token_bags(apps, schema_editor):
    """Give the vectors already stored their comments' token bags, so the relevance scanner
    compares discussions by their words at once instead of after every comment is rescanned."""
    from broadsheet.moderation.embedder import bag_to_bytes, lexical_bags

    CommentVector = apps.get_model("moderation", "CommentVector")
    pending = CommentVector.objects.filter(token_bag__isnull=True).order_by("comment_id")
    after = 0
    while True:
        rows = list(
            pending.filter(comment_id__gt=after).values_list("comment_id", "comment__text")[:BATCH]
        )
        if not rows:
            return
        bags = lexical_bags().bags([text or "" for _, text in rows])
        for (comment_id, _), bag in zip(rows, bags, strict=True):
            CommentVector.objects.filter(comment_id=comment_id).update(token_bag=bag_to_bytes(bag))
        after = rows[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0004_comment_vectors"),
    ]

    operations = [
        migrations.AddField(
            model_name="commentvector",
            name="token_bag",
            field=models.BinaryField(null=True),
        ),
        migrations.RunPython(fill_token_bags, migrations.RunPython.noop),
    ]
