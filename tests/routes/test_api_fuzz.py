"""Schemathesis against the OpenAPI schema: generated requests never cause a server error."""

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models import Workshop

EXAMPLES = 20  # per operation; ~60 operations


def test_no_request_causes_a_server_error(app: Any, app_workshop: Workshop) -> None:
    with TestClient(app) as client:
        token = client.post("/api/v1/join", json={"code": app_workshop.join_code}).json()[
            "participant_token"]
    # Live streams never end by themselves; their replay is tested with a real connection.
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app).exclude(
        path_regex=r"/events$")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy(), aim=st.booleans())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any, aim: bool) -> None:
            # Half the requests aim at the real workshop with a participant's token, so they get
            # past the lookups into the services; the rest keep the generated slug and headers.
            if aim and "slug" in (case.path_parameters or {}):
                case.path_parameters["slug"] = app_workshop.slug
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r}: "
                                f"{response.status_code} {response.text[:200]}")

        check()
    assert not failures, "\n".join(failures[:20])
