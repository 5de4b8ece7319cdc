"""Writes for companies. Domains are stored normalized; a duplicate is a 409 decided by
the database constraint. Deleting a company detaches its contacts (company_id → null)."""

from django.db import transaction
from django.utils import timezone

from crm.models import Company, Contact
from crm.normalization import normalize_domain
from crm.services.conflicts import conflict_on

DOMAIN_CONSTRAINT = "crm_company_domain_uniq"


def _save(company: Company, **kwargs) -> Company:
    if company.domain is not None:
        company.domain = normalize_domain(company.domain)
    message = f"A company with domain '{company.domain}' already exists in this workspace"
    with conflict_on(Company, DOMAIN_CONSTRAINT, message):
        company.save(**kwargs)
    return company


@transaction.atomic
def company_create(*, workspace, **fields) -> Company:
    return _save(Company(workspace=workspace, **fields))


@transaction.atomic
def company_update(*, company: Company, **changes) -> Company:
    return _save(company, update_fields=company.assign(changes))


@transaction.atomic
def company_delete(*, company: Company) -> None:
    # Done here rather than by the FK's SET_NULL so the contacts' updated_at moves too:
    # clients syncing with `updated_after` must see that company_id changed.
    Contact.unscoped.filter(workspace_id=company.workspace_id, company=company).update(
        company=None, updated_at=timezone.now()
    )
    company.delete()
