"""Staff reads of supporter records."""

from django.db.models import Q, QuerySet

from .models import Person
from .services import normalise_email

# A part of a name shorter than this matches too many of millions of supporters, and no
# index can find it fast (PostgreSQL's trigram indexes need three letters).
MIN_NAME_PART = 3


def name_parts(query: str) -> list[str]:
    """The words of a name search that are searched for: up to four, of three letters or
    more."""
    return [word for word in query.split() if len(word) >= MIN_NAME_PART][:4]


def people_search(query: str) -> QuerySet[Person]:
    """Supporters not erased, newest first: by exact address when the query has an @, else
    by up to four parts of their names (three letters or more each; none if no part is)."""
    people = Person.objects.filter(erased_at=None)
    if "@" in query:
        people = people.filter(email=normalise_email(query))
    elif query:
        words = name_parts(query)
        if not words:
            return Person.objects.none()
        for word in words:
            people = people.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return people.order_by("-created_at")
