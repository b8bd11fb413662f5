from django.urls import path

from broadsheet.readers import views

app_name = "readers"

urlpatterns = [
    path("", views.account_home, name="home"),
]
