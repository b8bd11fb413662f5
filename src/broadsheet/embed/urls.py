from django.urls import path

from broadsheet.embed import replies, signin_views, views

app_name = "embed"

urlpatterns = [
    path("embed.js", views.embed_js, name="script"),
    path("embed/v1/story", views.story, name="story"),
    path("embed/frame/", views.frame, name="frame"),
    path("embed/frame/post", views.post, name="post"),
    path("embed/frame/report/<int:comment_id>", views.report, name="report"),
    path("embed/frame/reply/<int:comment_id>", replies.reply_form, name="reply_form"),
    path("embed/frame/session", signin_views.frame_session, name="frame_session"),
    path("embed/frame/sign-out", signin_views.frame_sign_out, name="sign_out"),
    path("embed/sign-in/", signin_views.sign_in, name="sign_in"),
    path("embed/sign-in/login/", signin_views.SignInLoginView.as_view(), name="sign_in_login"),
    path("embed-demo/", views.demo, name="demo"),
]
