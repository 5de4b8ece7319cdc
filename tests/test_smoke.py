def test_workspace_endpoint_answers_in_the_envelope(tenant):
    response = tenant.api.get("/v1/workspace")
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["id"] == tenant.workspace.pk
    assert body["meta"]["request_id"] == response["X-Request-Id"]
