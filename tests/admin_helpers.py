"""What the Wagtail admin does when a signed-in user lacks a permission."""


def assert_denied(response) -> None:
    """Wagtail answers a permission error by sending the user back to the dashboard with a
    message (a 302 to /admin/), or with a 403 from our own views: nothing else, and never
    the thing asked for."""
    assert response.status_code in (302, 403), response.status_code
    if response.status_code == 302:
        assert response["Location"] == "/admin/", response["Location"]
    assert b"text/csv" not in response.get("Content-Type", "").encode()
