"""Service-level rules that HTTP tests cannot reach: only the named unique constraint turns
into the contract's 409 message; the database still refuses what the serializers refuse."""

import re

import pytest
from django.db import IntegrityError

from crm.services.companies import company_create, company_update
from crm.services.contacts import contact_create
from nodestash.errors import Conflict


def test_other_integrity_errors_are_not_reported_as_a_duplicate_email(tenant):
    with pytest.raises(IntegrityError):
        contact_create(workspace=tenant.workspace, title="No name, no email")


def test_a_duplicate_email_is_a_conflict_naming_it(tenant):
    contact_create(workspace=tenant.workspace, email="Jane@Acme.com")
    with pytest.raises(Conflict, match=re.escape("'jane@acme.com'")):
        contact_create(workspace=tenant.workspace, email=" jane@acme.com")


def test_services_normalize_domains_too(tenant):
    company = company_create(workspace=tenant.workspace, name="Acme", domain="https://www.ACME.com/x")
    assert company.domain == "acme.com"
    other = company_create(workspace=tenant.workspace, name="Other")
    with pytest.raises(Conflict, match=re.escape("'acme.com'")):
        company_update(company=other, domain="acme.com.")
    with pytest.raises(IntegrityError):
        company_update(company=other, name="")
