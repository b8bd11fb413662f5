from django.urls import include, path

from broadsheet.embed import replies, signin_views, views

app_name = "embed"

# Mounted at the site's root before the readers' pages, so every comment post and page is
# matched against these first: grouped under "embed/", one test turns all of them away.
urlpatterns = [
    path("embed.js", views.embed_js, name="script"),
    path("embed/", include([
        path("v1/story", views.story, name="story"),
        path("frame/", views.frame, name="frame"),
        path("frame/post", views.post, name="post"),
        path("frame/report/<int:comment_id>", views.report, name="report"),
        path("frame/reply/<int:comment_id>", replies.reply_form, name="reply_form"),
        path("frame/session", signin_views.frame_session, name="frame_session"),
        path("frame/sign-out", signin_views.frame_sign_out, name="sign_out"),
        path("sign-in/", signin_views.sign_in, name="sign_in"),
        path("sign-in/login/", signin_views.SignInLoginView.as_view(), name="sign_in_login"),
    ])),
    path("embed-demo/", views.demo, name="demo"),
]
