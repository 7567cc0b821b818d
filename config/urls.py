from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from mrv import views as mrv_views
from signin import views as signin_views

admin.site.site_header = _("Carbon MRV administration")
admin.site.site_title = _("Carbon MRV")

urlpatterns = [
    path("", mrv_views.home, name="home"),
    path("healthz", mrv_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", signin_views.login, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(
            subject_template_name="emails/password_reset-subject.txt",
            email_template_name="emails/password_reset-body-text.html",
            html_email_template_name="emails/password_reset-body-html.html",
        ),
        name="password_reset",
    ),
    path("", include("signin.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("mrv.ui.urls")),
    path("admin/", admin.site.urls),
    path("deadlines/", include("deadlines.urls")),
    path("api/v1/registry/", include("registry.api_urls")),
    path("api/v1/", include("deadlines.api_urls")),
    path("api/v1/", include("mrv.api.urls")),
    path("registry/", include("registry.urls")),
    path("public/", include("disclosure.urls")),
]

# An unknown URL under /api/ answers a problem document, like every other API error.
handler404 = "mrv.api.conventions.not_found"
