"""Schemathesis over the JSON API's own OpenAPI: generated requests (valid and not) to every operation, against the
demo county; no answer may be a server error or take longer than its time budget."""

from __future__ import annotations


import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, not_a_server_error

from quanze.api.http import create_app

BUDGET = 20  # seconds: the server's own per-request budget, and the longest answer schemathesis accepts
LONGEST = BUDGET + 5  # seconds
EXAMPLES = 12  # per operation: a few hundred requests in all, a minute or two here


def test_no_server_error_and_no_answer_over_its_budget(demo_url):
    app = create_app(demo_url, request_seconds=BUDGET, allowed_hosts=["testserver"])  # the host name it sends
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    seen: dict[str, set[int]] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def one(case):
            response = case.call_and_validate(checks=[not_a_server_error], excluded_checks=[
                c for c in CHECKS.get_all() if c is not not_a_server_error])
            assert response.status_code < 500, (case.operation.label, response.status_code, response.text[:300])
            assert response.elapsed <= LONGEST, (case.operation.label, response.elapsed)
            if response.status_code >= 400:  # every refusal is our JSON error, in both languages
                body = response.json()["error"]
                assert body["zh"] and body["en"] and body["code"], body
            seen.setdefault(case.operation.label, set()).add(response.status_code)

        one()
    assert set(seen) == {op.label for op in operations}
