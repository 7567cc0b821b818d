from django.urls import path

from signin import views

app_name = "signin"

urlpatterns = [
    path("accounts/verify/", views.verify, name="verify"),
    path("accounts/second-factor/", views.enrol, name="enrol"),
    path("accounts/second-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("accounts/second-factor/remove/", views.second_factor_remove, name="second_factor_remove"),
    path("accounts/step-up/", views.step_up, name="step_up"),
    path("accounts/tokens/", views.token_list, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("security/events/", views.event_list, name="events"),
    path("security/unlock/", views.unlock, name="unlock"),
]
