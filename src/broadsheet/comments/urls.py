from django.urls import path

from broadsheet.comments import views

app_name = "comments"

urlpatterns = [
    path("post/<int:article_id>/", views.comment_post, name="post"),
    path("<int:comment_id>/reply/", views.reply_form, name="reply"),
    path("<int:comment_id>/report/", views.comment_report, name="report"),
]
