from django.urls import path

from broadsheet.desk import activity, bans, commenters, views

app_name = "desk"

urlpatterns = [
    path("", views.queue, {"queue_name": "pending"}, name="home"),
    path("arrivals/", views.arrivals, name="arrivals"),
    path("bulk/", views.bulk_decide, name="bulk"),
    path("bans/", bans.bans, name="bans"),
    path("activity/", activity.activity, name="activity"),
    path("activity/labels.csv", activity.labels_csv, name="labels-csv"),
    path("bans/<row_id:ban_id>/lift/", bans.ban_lift, name="ban-lift"),
    path("comments/<row_id:comment_id>/", views.comment_detail, name="comment"),
    path("comments/<row_id:comment_id>/item/", views.comment_item, name="item"),
    path("comments/<row_id:comment_id>/approve/", views.comment_approve, name="approve"),
    path("comments/<row_id:comment_id>/reject/", views.comment_reject, name="reject"),
    path("comments/<row_id:comment_id>/edit/", views.comment_edit, name="edit"),
    path("comments/<row_id:comment_id>/dismiss-reports/", views.comment_dismiss_reports,
         name="dismiss-reports"),
    path("comments/<row_id:comment_id>/ban/", bans.commenter_ban, name="ban"),
    path("comments/<row_id:comment_id>/commenter/", commenters.commenter, name="commenter"),
    # Last: any other single word is read as a queue name (unknown ones are a 404).
    path("<slug:queue_name>/", views.queue, name="queue"),
]
