from django.urls import path

from disclosure import api, views

app_name = "disclosure"

urlpatterns = [
    path("", views.index, name="index"),
    path("history.<str:fmt>", views.history_export, name="history_export"),
    path("manage/", views.manage, name="manage"),
    path("manage/propose/", views.propose, name="propose"),
    path("manage/<int:pk>/", views.preview, name="preview"),
    path("manage/<int:pk>/publish/", views.decide, {"action": "publish"}, name="publish"),
    path("manage/<int:pk>/reject/", views.decide, {"action": "reject"}, name="reject"),
    path("api/v1/markets/", api.MarketsView.as_view(), name="api_markets"),
    path("api/v1/markets/<slug:code>/<int:year>/", api.MarketYearView.as_view(), name="api_market_year"),
    path("api/v1/history/", api.HistoryView.as_view(), name="api_history"),
    path("<slug:code>/", views.market_page, name="market"),
    path("<slug:code>/<int:year>/", views.market_year, name="market_year"),
    path("<slug:code>/<int:year>/<str:table>.<str:fmt>", views.export, name="export"),
]
