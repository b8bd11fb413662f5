from django.urls import path

from broadsheet.comments import feeds
from broadsheet.reading import comment_views as views

app_name = "comments"

urlpatterns = [
    path("feed.atom", feeds.LatestCommentsFeed(), name="feed"),
    path("feed/<row_id:article_id>.atom", feeds.ArticleCommentsFeed(), name="article-feed"),
    path("post/<row_id:article_id>/", views.comment_post, name="post"),
    path("<row_id:comment_id>/reply/", views.reply_form, name="reply"),
    path("<row_id:comment_id>/report/", views.comment_report, name="report"),
]
