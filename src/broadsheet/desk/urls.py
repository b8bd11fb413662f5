from django.urls import path

from broadsheet.desk import views

app_name = "desk"

urlpatterns = [
    path("", views.queue, {"queue_name": "pending"}, name="home"),
    path("<slug:queue_name>/", views.queue, name="queue"),
]
