"""Staff reads of supporter records."""

from django.db.models import Q, QuerySet

from .models import Person
from .services import normalise_email


def people_search(query: str) -> QuerySet[Person]:
    """Supporters not erased, newest first: by exact address when the query has an @, else
    by up to four words of their names."""
    people = Person.objects.filter(erased_at=None)
    if "@" in query:
        people = people.filter(email=normalise_email(query))
    elif query:
        for word in query.split()[:4]:
            people = people.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return people.order_by("-created_at")
