from django.urls import path

from broadsheet.embed import views

app_name = "embed"

urlpatterns = [
    path("embed.js", views.embed_js, name="script"),
    path("embed/v1/story", views.story, name="story"),
    path("embed/frame/", views.frame, name="frame"),
    path("embed/frame/post", views.post, name="post"),
    path("embed/frame/report/<int:comment_id>", views.report, name="report"),
    path("embed-demo/", views.demo, name="demo"),
]
