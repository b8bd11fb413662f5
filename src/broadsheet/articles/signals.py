"""What the articles app announces to the apps above it, which it must not import."""

from django.dispatch import Signal

# Sent after the commit that publishes or edits a published article, with ``article_id``: the
# moderation app re-embeds the article for the relevance scanner.
article_published = Signal()
