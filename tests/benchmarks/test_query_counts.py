"""The query-count target: no request's count depends on page size or custom fields."""

from benchmarks.query_counts import flat, measure


def test_query_counts_do_not_depend_on_page_size_or_custom_fields():
    counts = measure()
    assert flat(counts), counts
    assert counts["contact get"]["10 custom field values"] == counts["contacts list"]["limit 1"]
