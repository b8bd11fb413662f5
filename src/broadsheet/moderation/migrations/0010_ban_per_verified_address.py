import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0009_decision_author_actions"),
    ]

    operations = [
        migrations.AddField(
            model_name="ban",
            name="account_ban",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="address_bans",
                to="moderation.ban",
            ),
        ),
    ]
