"""The newsletter's models: its lists and subscribers (subscribers.py), and the organisers'
mailings with their recipients (mailings.py)."""

from .mailings import (
    DeliveryProblem,
    Mailing,
    MailingLink,
    MailingRecipient,
    MailingState,
    MailingVersion,
    RecipientState,
)
from .subscribers import (
    MailingList,
    NewsletterPage,
    SignupRequest,
    Subscription,
    SubscriptionState,
    Suppression,
    SuppressionReason,
)

__all__ = [
    "DeliveryProblem",
    "Mailing",
    "MailingLink",
    "MailingList",
    "MailingRecipient",
    "MailingState",
    "MailingVersion",
    "NewsletterPage",
    "RecipientState",
    "SignupRequest",
    "Subscription",
    "SubscriptionState",
    "Suppression",
    "SuppressionReason",
]
