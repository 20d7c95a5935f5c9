from django.urls import path

from . import views

# Outside the newsletter page, so the one-click unsubscribe can be exempt from CSRF (a mail
# client POSTs it); the token follows a segment the log filter redacts (core.logscrub).
urlpatterns = [
    path("newsletter-preferences/<str:token>/", views.preferences, name="newsletter_preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="newsletter_unsubscribe"),
    path("newsletter-link/<str:token>/", views.link_follow, name="newsletter_link"),
]
