"""Reads for companies' includes, each a fixed number of queries whatever the page size."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce

from crm.models import Contact

INCLUDED_CONTACTS_LIMIT = 100


def with_contact_count(companies):
    """Annotates `contact_count` with a correlated subquery (served by the contacts'
    (workspace, company) index), so the page query stays one query without a GROUP BY."""
    counts = (
        Contact.unscoped.filter(workspace=OuterRef("workspace"), company=OuterRef("pk"))
        .order_by()
        .values("company")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return companies.annotate(contact_count=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0)))


def with_recent_contacts(companies, *, workspace):
    """Prefetches each company's newest contacts (at most 100) into `recent_contacts`, in
    one query for the whole page (Django limits per company with a window function)."""
    newest = Contact.unscoped.filter(workspace=workspace).order_by("-created_at", "-id")
    return companies.prefetch_related(
        Prefetch("contacts", queryset=newest[:INCLUDED_CONTACTS_LIMIT], to_attr="recent_contacts")
    )
