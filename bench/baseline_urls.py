"""The product's URLs plus the baseline of the page benchmark: a Django view that runs one query."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns
from mrv.models import Market


def one_query(request):
    return HttpResponse(f"{Market.objects.count()} markets")


urlpatterns = [path("bench/one-query/", one_query), *product_urlpatterns]
