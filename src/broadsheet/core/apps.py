from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "broadsheet.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib import admin

        from broadsheet.core.signin import ThrottledAdminAuthenticationForm

        # The admin's sign-in counts failed passwords like the staff sign-in page does.
        admin.site.login_form = ThrottledAdminAuthenticationForm
