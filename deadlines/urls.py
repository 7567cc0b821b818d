from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read", views.notification_read, name="notification_read"),
    path("notifications/read-all", views.notifications_read_all, name="notifications_read_all"),
    path("snapshots/<int:pk>/", views.snapshot, name="snapshot"),
    path("firms/<int:firm_id>/extend", views.extension_grant, name="extension_grant"),
]
