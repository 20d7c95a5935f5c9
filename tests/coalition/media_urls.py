"""The site's URLs with media served by Django, as `make run` has them."""

from harbour.urls import media_patterns
from harbour.urls import urlpatterns as site

urlpatterns = media_patterns() + site
