"""Chinese number formats: Django's own zh_Hans dates, with figures grouped by thousands (1,848,493).

Django's zh_Hans locale has no thousands separator, so a 1,848,493 t report read as 1848493; Chinese
statistical tables (the seed's among them) group by thousands with a comma, as here.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403 - every other format as Django ships it

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
