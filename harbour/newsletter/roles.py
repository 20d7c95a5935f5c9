"""Who does what with the newsletter (assembled by core.roles).

- Organisers write and send mailings to their own groups' lists only (newsletter.mailings
  narrows every list, form and page to those); they see counts, never the subscribers.
- Moderators and administrators send to any list (`send_mailing`) and keep the lists.
- Nobody sees subscribers in the admin; a list's export is the supporters' export
  (people.export_person: moderators and administrators), audited."""

from harbour.core.roles import ADMINISTRATORS, MODERATORS, ORGANISERS

MAILINGS = [
    "newsletter.add_mailing",
    "newsletter.change_mailing",
    "newsletter.delete_mailing",
    "newsletter.view_mailing",
]
LISTS = [
    "newsletter.add_mailinglist",
    "newsletter.change_mailinglist",
    "newsletter.view_mailinglist",
]

PERMISSIONS = {
    ORGANISERS: MAILINGS,
    MODERATORS: [*MAILINGS, *LISTS, "newsletter.send_mailing"],
    ADMINISTRATORS: [*MAILINGS, *LISTS, "newsletter.send_mailing"],
}
