from django.urls import path

from broadsheet.comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("feed.atom", feeds.LatestCommentsFeed(), name="feed"),
    path("feed/<int:article_id>.atom", feeds.ArticleCommentsFeed(), name="article-feed"),
    path("post/<int:article_id>/", views.comment_post, name="post"),
    path("<int:comment_id>/reply/", views.reply_form, name="reply"),
    path("<int:comment_id>/report/", views.comment_report, name="report"),
]
