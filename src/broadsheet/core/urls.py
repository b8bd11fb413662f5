from django.urls import path

from broadsheet.core import views

app_name = "core"

urlpatterns = [path("<slug:slug>/", views.page_detail, name="page")]
