from django.urls import path

from broadsheet.readers import views

app_name = "readers"

urlpatterns = [
    path("", views.account_home, name="home"),
    path("comments/", views.my_comments, name="comments"),
    path("data/", views.my_data, name="data"),
    path("delete/", views.account_delete, name="delete-account"),
    path("comments/<int:comment_id>/review/", views.comment_appeal, name="appeal"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="delete"),
]
