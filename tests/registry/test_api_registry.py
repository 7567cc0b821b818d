"""The firm's registry through the API: holdings, transfers with two representatives and the step-up,
surrender, compliance position; another tenant's objects are 404, wrong states 409."""

import uuid
from decimal import Decimal

from registry import selectors
from registry.models import TransferProposal
from signin.mfa import recovery_codes_issue
from tests.mrv.test_api import api
from tests.registry.conftest import determine

D = Decimal


def key() -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}


def _propose(client, funded, quantity=300):
    mine, theirs = funded
    body = {"from_account": mine.number, "to_account": theirs.number, "vintage": 2025, "quantity": quantity}
    return client.post("/api/v1/registry/transfers/", body, format="json", **key())


def test_a_transfer_proposed_and_approved_through_the_api_moves_the_units(
    funded, trusted, firm_representative, firm_approver
):
    mine, theirs = funded
    holdings = api(firm_representative).get(f"/api/v1/registry/accounts/{mine.pk}/holdings/").json()
    assert holdings == [{"unit_type": "ALLOWANCE", "vintage": 2025, "project": "", "quantity": "1000"}]
    proposed = _propose(api(firm_representative), funded)
    assert proposed.status_code == 201, proposed.json()
    url = f"/api/v1/registry/transfers/{proposed.json()['id']}/"
    approver = api(firm_approver)
    without = approver.post(url + "approve/", {}, format="json", **key())
    assert without.status_code == 403 and without.json()["code"] == "second_factor_required"
    code = recovery_codes_issue(firm_approver)[0]
    approved = approver.post(url + "approve/", {}, format="json", HTTP_X_SECOND_FACTOR=code, **key())
    assert approved.status_code == 200 and approved.json()["status"] == "executed", approved.json()
    assert selectors.account_balances([mine, theirs]) == {mine.pk: D(700), theirs.pk: D(300)}
    again = approver.post(url + "reject/", {}, format="json", **key())
    assert again.status_code == 409 and again.json()["code"] == "wrong_state"
    listed = api(firm_representative).get("/api/v1/registry/transactions/", {"account": mine.number}).json()
    assert [t["kind"] for t in listed["results"]] == ["transfer", "issuance"]


def test_the_proposer_cannot_approve_and_a_rejection_changes_nothing(funded, firm_representative, firm_approver):
    proposed = _propose(api(firm_representative), funded).json()
    url = f"/api/v1/registry/transfers/{proposed['id']}/"
    code = recovery_codes_issue(firm_representative)[0]
    own = api(firm_representative).post(url + "approve/", {}, format="json", HTTP_X_SECOND_FACTOR=code, **key())
    assert own.status_code in (403, 409) and own.json()["status"] == own.status_code
    rejected = api(firm_approver).post(url + "reject/", {"reason": "wrong price"}, format="json", **key())
    assert rejected.status_code == 200 and rejected.json()["status"] == TransferProposal.Status.REJECTED


def test_another_firms_accounts_and_proposals_are_404(funded, firm_representative, other_firm_user):
    mine, _theirs = funded
    proposed = _propose(api(firm_representative), funded).json()
    other = api(other_firm_user)
    assert other.get(f"/api/v1/registry/accounts/{mine.pk}/holdings/").status_code == 404
    assert other.get(f"/api/v1/registry/transfers/{proposed['id']}/").status_code == 404
    assert (
        other.post(f"/api/v1/registry/transfers/{proposed['id']}/approve/", {}, format="json", **key()).status_code
        == 404
    )
    assert other.post(f"/api/v1/registry/accounts/{mine.pk}/surrender/", {}, format="json", **key()).status_code == 404
    assert other.get(f"/api/v1/registry/compliance/{mine.firm_id}/").status_code == 404
    assert _propose(other, funded).status_code == 404


def test_a_surrender_through_the_api_counts_for_the_year(funded, firm, firm_approver):
    mine, _theirs = funded
    determine(firm, 2025, "400")
    body = {"year": 2025, "allowances": [{"vintage": 2025, "quantity": 400}]}
    code = recovery_codes_issue(firm_approver)[0]
    client = api(firm_approver)
    headers = key()
    url = f"/api/v1/registry/accounts/{mine.pk}/surrender/"
    done = client.post(url, body, format="json", HTTP_X_SECOND_FACTOR=code, **headers)
    assert done.status_code == 201, done.json()
    replay = client.post(url, body, format="json", **headers)
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert selectors.account_balances([mine]) == {mine.pk: D(600)}
    position = client.get(f"/api/v1/registry/compliance/{firm.pk}/").json()
    year = next(p for p in position if p["year"] == 2025)
    assert (year["allowances_tco2e"], year["shortfall_tco2e"]) == ("400", "0")
    too_much = {"year": 2025, "allowances": [{"vintage": 2025, "quantity": 100000}]}
    code = recovery_codes_issue(firm_approver)[0]
    refused = client.post(url, too_much, format="json", HTTP_X_SECOND_FACTOR=code, **key())
    assert refused.status_code == 409 and refused.json()["detail"]
