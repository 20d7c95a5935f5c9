"""Staff lists over millions of rows: a paginator that counts only so far.

Django's Paginator counts every row (COUNT(*)) to number the pages: a second or more over
six million supporters or signatures, on every page view. `CappedPaginator` counts at most
CAP + 1 rows (a LIMITed subquery) and says "more than" past it: the pages up to the cap are
numbered, and the last is not offered."""

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property

CAP = 10_000


class CappedPaginator(Paginator):
    """Paginator whose count stops at `cap` (then `capped` is true)."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int = CAP, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _bounded(self) -> int:
        rows: Any = self.object_list  # a QuerySet
        return int(rows.order_by()[: self.cap + 1].count())

    @cached_property
    def count(self) -> int:
        return min(self._bounded, self.cap)

    @property
    def capped(self) -> bool:
        """True when there are more rows than the cap (the count says "more than")."""
        return self._bounded > self.cap
