"""Writes for contacts. Emails are stored normalized; a duplicate is a 409 decided by the
database constraint, so concurrent creates cannot both succeed."""

from django.db import transaction

from crm.models import Contact
from crm.normalization import normalize_email
from crm.services.conflicts import conflict_on

EMAIL_CONSTRAINT = "crm_contact_email_uniq"


def _save(contact: Contact, **kwargs) -> Contact:
    if contact.email is not None:
        contact.email = normalize_email(contact.email)
    message = f"A contact with email '{contact.email}' already exists in this workspace"
    with conflict_on(Contact, EMAIL_CONSTRAINT, message):
        contact.save(**kwargs)
    return contact


@transaction.atomic
def contact_create(*, workspace, **fields) -> Contact:
    return _save(Contact(workspace=workspace, **fields))


@transaction.atomic
def contact_update(*, contact: Contact, **changes) -> Contact:
    return _save(contact, update_fields=contact.assign(changes))


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    contact.delete()
