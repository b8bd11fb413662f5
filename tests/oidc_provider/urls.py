from django.contrib.auth import get_user_model, login
from django.http import HttpResponseRedirect
from django.urls import include, path


def login_as(request, username):
    """Stands in for the provider's own sign-in form: the tests pick who signs in."""
    user = get_user_model().objects.get(username=username)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(request.GET.get("next", "/"))


urlpatterns = [
    path("login-as/<str:username>/", login_as),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
