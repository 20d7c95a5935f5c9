"""Create (or refresh) the administrator `make run` prints.

The e-mail and password come from HARBOUR_ADMIN_EMAIL / HARBOUR_ADMIN_PASSWORD; without a
password one is generated once and kept in var/admin-credentials (mode 600) so each run
prints the same working login.
"""

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from harbour.core.roles import ADMINISTRATORS, ensure_roles


class Command(BaseCommand):
    help = "Create the administrator account and print its login."

    def handle(self, *args: Any, **options: Any) -> None:
        email = settings.HARBOUR_ADMIN_EMAIL.strip().lower()
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=email, defaults={"email": email, "first_name": "Site", "last_name": "Admin"}
        )
        password = settings.HARBOUR_ADMIN_PASSWORD
        kept = Path(settings.VAR_DIR) / "admin-credentials"
        if not password and kept.exists():
            remembered = kept.read_text().strip()
            password = remembered if user.check_password(remembered) else ""
        if not password:
            password = secrets.token_urlsafe(12)
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_text(password + "\n")
            os.chmod(kept, 0o600)
        if created or not user.check_password(password):
            user.set_password(password)
        user.is_staff = True
        user.is_superuser = True
        user.is_active = True
        user.save()
        user.groups.add(ensure_roles()[ADMINISTRATORS])
        bar = "=" * 64
        self.stdout.write(
            f"{bar}\n Harbour admin: {settings.SITE_URL}/admin/\n"
            f"   e-mail (login): {email}\n   password:       {password}\n{bar}"
        )
