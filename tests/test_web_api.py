"""The web app's JSON API and pages through an in-process client: filters, paging, errors, CSP, escaping.

The store holds the project's example corpus, written through the stages' save functions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import jsonschema
import pytest
from fastapi.testclient import TestClient

from counterclaim.export import dossier_json
from counterclaim.model import Account, IngestReport, Span, Stance
from counterclaim.stages.provenance import analyze_provenance
from counterclaim.store import Store
from counterclaim.store.claims import save_accounts
from counterclaim.web import create_app
from counterclaim.web.app import CSP
from test_dossier_example import ExampleRecords, example_records, store_example

TOKEN = "a-test-token-of-some-length"


@pytest.fixture
def example(store: Store) -> ExampleRecords:
    records = example_records()
    hostile = replace(
        records.articles["rferl"],
        title="Pentagon <script>alert('x')</script> rejects",
        url="javascript:alert(1)",
    )
    records.articles["rferl"] = hostile
    store_example(store, records)
    analyze_provenance(store)
    return records


@pytest.fixture
def client(store: Store, example: ExampleRecords) -> Iterator[TestClient]:
    with TestClient(create_app(store, token=TOKEN), raise_server_exceptions=False) as test_client:
        yield test_client


def _claim_ids(client: TestClient, **params: str) -> list[str]:
    response = client.get("/api/claims", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_claims_list_and_filters(client: TestClient, example: ExampleRecords) -> None:
    claim = example.claim.id
    assert _claim_ids(client) == [claim]
    assert _claim_ids(client, stance="denies") == [claim]
    assert _claim_ids(client, source="pahon") == [claim]
    assert _claim_ids(client, source="Nobody Known") == []
    assert _claim_ids(client, outlet="tass") == [claim]
    assert _claim_ids(client, outlet_kind="state media") == [claim]
    assert _claim_ids(client, outlet_kind="government channel") == []
    assert _claim_ids(client, since="2017-01-20T00:00:00Z", until="2017-01-25T00:00:00Z") == [claim]
    assert _claim_ids(client, since="2018-01-01T00:00:00Z") == []
    assert _claim_ids(client, search="coordinates for joint air strikes") == [claim]
    first = client.get("/api/claims").json()["items"][0]
    assert first["stances"]["denies"] == 2


def test_paging_fields(client: TestClient) -> None:
    body = client.get("/api/claims", params={"limit": 1}).json()
    assert body["limit"] == 1 and body["offset"] == 0 and body["next_offset"] == 1
    assert client.get("/api/claims", params={"offset": 1}).json()["items"] == []


def test_dossier_endpoint_matches_the_export_schema(client: TestClient, example: ExampleRecords) -> None:
    body = client.get(f"/api/claims/{example.claim.id}/dossier").json()
    document = {**dossier_json.export_document([]), "dossiers": [body]}
    jsonschema.Draft202012Validator(dossier_json.load_schema()).validate(document)
    assert body["provenance"][0]["status"] == "not found"


def test_articles_attributions_reuse_and_accounts(client: TestClient, example: ExampleRecords) -> None:
    rferl = example.articles["rferl"].id
    listed = client.get("/api/articles", params={"outlet_kind": "state media"}).json()["items"]
    assert {a["outlet"] for a in listed} == {"ria-novosti", "rt"}  # TASS is listed as a wire
    assert "text" not in listed[0]
    assert client.get(f"/api/articles/{rferl}").json()["text"] == example.articles["rferl"].text
    attributions = client.get(f"/api/articles/{rferl}/attributions").json()["items"]
    assert {a["polarity"] for a in attributions} == {"asserts", "denies", "declines"}
    assert client.get(f"/api/articles/{example.articles['rt'].id}/reuse").json()["items"]
    accounts = client.get("/api/accounts", params={"claim_id": example.claim.id, "stance": "denies"}).json()
    assert len(accounts["items"]) == 2


def test_errors_have_one_shape_and_no_traces(client: TestClient) -> None:
    for response in (
        client.get("/api/claims/no-such-claim"),
        client.get("/api/articles/ffffffff"),
        client.get("/api/claims", params={"limit": 0}),
        client.get("/api/accounts"),
        client.get("/api/nothing-here"),
    ):
        assert response.status_code in (400, 404, 422), response.text
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
        assert "Traceback" not in response.text
    page = client.get("/claims/no-such-claim")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_internal_errors_hide_details(store: Store, example: ExampleRecords) -> None:
    def broken(_store: Store, _paths: list) -> IngestReport:  # type: ignore[type-arg]
        raise RuntimeError("secret internals /etc/passwd")

    with TestClient(create_app(store, token=TOKEN, ingest=broken), raise_server_exceptions=False) as client:
        response = client.post(
            "/api/ingest", files={"files": ("a.txt", b"text")}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret" not in response.text


def test_security_headers_on_pages_api_and_static(client: TestClient, example: ExampleRecords) -> None:
    for path in ("/", f"/claims/{example.claim.id}", "/api/claims", "/static/counterclaim.css", "/nope"):
        assert client.get(path).headers["content-security-policy"] == CSP
    assert client.get("/docs").status_code == 404
    assert "/api/claims/{claim_id}/dossier" in client.get("/api/openapi.json").json()["paths"]


def test_a_dossier_reached_from_a_search_judges_articles_toward_the_search(
    store: Store, client: TestClient, example: ExampleRecords
) -> None:
    # The fixture's accounts are all attributions; an article's own row is what a search re-judges.
    rt = example.articles["rt"]
    own = Account(example.claim.id, rt.id, Stance.REPORTS, 0.6, "fixture", None, Span.of(rt.text, 0, 60))
    with store.begin() as conn:
        save_accounts(conn, [own])
    query = "coordinates for joint air strikes"
    listing = client.get("/", params={"q": query}).text
    assert f"/claims/{example.claim.id}?q=coordinates%20for%20joint%20air%20strikes" in listing
    asked = client.get(f"/api/claims/{example.claim.id}/dossier", params={"q": query}).json()
    plain = client.get(f"/api/claims/{example.claim.id}/dossier").json()
    assert any(a["method"].endswith("+query") for a in asked["accounts"] if a["attribution_id"] is None)
    assert not any(a["method"].endswith("+query") for a in plain["accounts"])
    # Attributions and the parties stay judged toward the claim.
    assert [a for a in asked["accounts"] if a["attribution_id"]] == [
        a for a in plain["accounts"] if a["attribution_id"]
    ]
    page = client.get(f"/claims/{example.claim.id}", params={"q": query}).text
    assert "judged toward your search" in page and "(to search)" in page
    assert "judged toward your search" not in client.get(f"/claims/{example.claim.id}").text


def test_article_text_and_titles_are_escaped(client: TestClient, example: ExampleRecords) -> None:
    rferl = example.articles["rferl"].id
    page = client.get(f"/articles/{rferl}?claim={example.claim.id}").text
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "javascript:" not in page
    dossier = client.get(f"/claims/{example.claim.id}").text
    assert "<script>" not in dossier and "javascript:" not in dossier


def test_article_page_marks_evidence_and_attributions(client: TestClient, example: ExampleRecords) -> None:
    account = next(a for a in example.accounts if a.article_id == example.articles["rferl"].id and a.evidence)
    page = client.get(f"/articles/{account.article_id}?claim={example.claim.id}").text
    assert account.evidence is not None
    assert f'id="ev-{account.evidence.start}-{account.evidence.end}"' in page
    assert 'class="source"' in page or "source" in page
    assert page.count("<mark") >= 5


def test_ingest_needs_the_token(store: Store, example: ExampleRecords, client: TestClient) -> None:
    upload = {"files": ("note.txt", b"Uploaded headline\nA body of text that is new.")}
    assert client.post("/api/ingest", files=upload).status_code == 401
    wrong = client.post("/api/ingest", files=upload, headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
    ok = client.post("/api/ingest", files=upload, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and len(ok.json()["added"]) == 1
    with TestClient(create_app(store)) as read_only:
        refused = read_only.post("/api/ingest", files=upload, headers={"Authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 403
