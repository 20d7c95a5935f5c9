"""Helpers for the CSV exports staff download."""


def csv_safe(value: object) -> str:
    """Neutralise spreadsheet formulas in supporter-supplied text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
