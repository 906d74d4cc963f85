"""Identity routes against a fake identity over real gRPC: mapping, metadata, errors, ETags."""

from __future__ import annotations

import uuid

import grpc
import pytest
from google.protobuf import timestamp_pb2

from labs.identity.v1 import identity_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2_grpc
from labs_common.errors import (
    AlreadyExists,
    FieldError,
    InvalidArgument,
    PreconditionFailed,
    to_status,
)

ORG_ID = str(uuid.uuid4())
USER = pb.User(id=str(uuid.uuid4()), email="ada@agency.test", first_name="Ada",
               last_name="Lovelace", created_at=timestamp_pb2.Timestamp(seconds=1_700_000_000))


class FakeIdentity(identity_service_pb2_grpc.IdentityServiceServicer):
    """Answers like identity would and records what the gateway sent."""

    def __init__(self, sign_token) -> None:
        self.calls: list[tuple[str, object, dict[str, str]]] = []
        self.sign_token = sign_token
        self.organization = pb.Organization(
            id=ORG_ID, name="Ada & Co", timezone="UTC", currency="USD",
            created_at=timestamp_pb2.Timestamp(seconds=1_700_000_000),
            updated_at=timestamp_pb2.Timestamp(seconds=1_700_000_000), etag="v0")

    def record(self, method: str, request, context) -> dict[str, str]:
        metadata = {item.key: item.value for item in context.invocation_metadata()}
        self.calls.append((method, request, metadata))
        return metadata

    def calls_to(self, method: str) -> list[tuple[object, dict[str, str]]]:
        return [(request, metadata) for name, request, metadata in self.calls if name == method]

    async def GetMe(self, request, context):
        self.record("GetMe", request, context)
        return pb.GetMeResponse(user=USER, organization=self.organization, role=pb.ROLE_ADMIN)

    async def Signup(self, request, context):
        self.record("Signup", request, context)
        if request.email.startswith("taken"):
            await context.abort_with_status(to_status(AlreadyExists("That email is taken.")))
        if request.first_name == "reuse":
            await context.abort_with_status(to_status(InvalidArgument(
                "The Idempotency-Key was used with another request.",
                reason="IDEMPOTENCY_KEY_REUSED")))
        if request.first_name == "bad":
            await context.abort_with_status(to_status(InvalidArgument(
                "first_name: not allowed", field_errors=[FieldError("first_name", "not allowed")])))
        return pb.SignupResponse(session=pb.Session(
            user=USER, organization=self.organization, role=pb.ROLE_OWNER,
            access_token="at", refresh_token="lbr_x", expires_in=900))

    async def Login(self, request, context):
        self.record("Login", request, context)
        return pb.LoginResponse(session=pb.Session(
            user=USER, organization=self.organization, role=pb.ROLE_ADMIN,
            access_token="at", refresh_token="lbr_x", expires_in=900))

    async def GetOrganization(self, request, context):
        self.record("GetOrganization", request, context)
        return pb.GetOrganizationResponse(organization=self.organization)

    async def UpdateOrganization(self, request, context):
        self.record("UpdateOrganization", request, context)
        if request.if_match_etags and self.organization.etag not in request.if_match_etags:
            await context.abort_with_status(to_status(PreconditionFailed("changed")))
        for path in request.update_mask.paths:
            setattr(self.organization, path, getattr(request.organization, path))
        self.organization.updated_at.seconds += 1
        self.organization.etag = f"v{self.organization.updated_at.seconds}"
        return pb.UpdateOrganizationResponse(organization=self.organization)

    async def ListMembers(self, request, context):
        self.record("ListMembers", request, context)
        member = pb.Member(user=USER, role=pb.ROLE_CLIENT, client_id=str(uuid.uuid4()))
        return pb.ListMembersResponse(members=[member], next_page_token="page-2")

    async def GetJwks(self, request, context):
        self.record("GetJwks", request, context)
        return pb.GetJwksResponse(keys=[pb.Jwk(kid="k1", kty="OKP", crv="Ed25519", x="abc",
                                               alg="EdDSA", use="sig")])

    async def AuthenticateApiKey(self, request, context):
        self.record("AuthenticateApiKey", request, context)
        if request.secret != "lbk_good":
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "Unknown API key.")
        return pb.AuthenticateApiKeyResponse(access_token=self.sign_token(), expires_in=300)

    async def CreateApiKey(self, request, context):
        self.record("CreateApiKey", request, context)
        key = pb.ApiKey(id=str(uuid.uuid4()), name=request.name, role=request.role,
                        prefix="lbk_abcd", created_by=USER.id,
                        created_at=timestamp_pb2.Timestamp(seconds=1_700_000_000))
        return pb.CreateApiKeyResponse(api_key=key, secret="lbk_abcdefgh")


@pytest.fixture
async def identity(serve_identity, issue_token) -> FakeIdentity:
    fake = FakeIdentity(lambda: issue_token(uuid.UUID(ORG_ID), "viewer", akid=str(uuid.uuid4())))
    fake.address = await serve_identity(fake)
    return fake


@pytest.fixture
def gateway(make_client, identity):
    return make_client(identity_addr=identity.address)


@pytest.fixture
def token(issue_token) -> str:
    return issue_token(uuid.UUID(ORG_ID), "admin")


async def test_login_tells_identity_the_client_address_it_throttles_by(gateway, identity):
    response = await gateway.post("/api/v1/auth/login", json={
        "email": "ada@agency.test", "password": "correct horse battery"})
    assert response.status_code == 200, response.text
    [(request, metadata)] = identity.calls_to("Login")
    assert request.email == "ada@agency.test"
    assert metadata["client-address"] == "127.0.0.1"  # httpx's in-process client


async def test_me_maps_the_answer_and_forwards_the_callers_token(gateway, identity, token):
    response = await gateway.get("/api/v1/auth/me", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["role"] == "admin"
    assert me["user"] == {"id": USER.id, "email": USER.email, "first_name": "Ada",
                          "last_name": "Lovelace", "created_at": "2023-11-14T22:13:20Z"}
    assert me["organization"]["id"] == ORG_ID and me["client_id"] is None
    [(_, metadata)] = identity.calls_to("GetMe")
    assert metadata["authorization"] == f"Bearer {token}"


async def test_signup_answers_201_with_a_session_and_forwards_the_idempotency_key(gateway,
                                                                                  identity):
    response = await gateway.post(
        "/api/v1/auth/signup", headers={"Idempotency-Key": "signup-1"},
        json={"email": "ada@agency.test", "password": "long enough password",
              "company_name": "Ada & Co"})
    assert response.status_code == 201, response.text
    session = response.json()
    assert session["token_type"] == "Bearer" and session["expires_in"] == 900
    assert session["role"] == "owner" and session["organization"]["name"] == "Ada & Co"
    [(request, metadata)] = identity.calls_to("Signup")
    assert request.organization_name == "Ada & Co"
    assert metadata["idempotency-key"] == "signup-1" and "authorization" not in metadata


async def test_a_field_signup_does_not_know_is_a_422_naming_it_and_nothing_is_called(
        gateway, identity):
    response = await gateway.post("/api/v1/auth/signup", json={
        "email": "ada@agency.test", "password": "long enough password",
        "company_name": "Ada & Co", "unknown_field": "x", "organization_name": "Twice"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"unknown_field", "company_name"}
    assert identity.calls_to("Signup") == []


@pytest.mark.parametrize(("first_name", "status", "reason"), [
    ("bad", 422, None), ("reuse", 422, "IDEMPOTENCY_KEY_REUSED")])
async def test_a_services_invalid_argument_is_a_422_problem(gateway, identity, first_name, status,
                                                           reason):
    response = await gateway.post("/api/v1/auth/signup", json={
        "email": "ada@agency.test", "password": "long enough password",
        "organization_name": "Ada & Co", "first_name": first_name})
    assert response.status_code == status
    problem = response.json()
    assert problem.get("reason") == reason
    if first_name == "bad":
        assert problem["errors"] == [{"field": "first_name", "message": "not allowed"}]


async def test_already_exists_is_a_409(gateway, identity):
    response = await gateway.post("/api/v1/auth/signup", json={
        "email": "taken@agency.test", "password": "long enough password",
        "organization_name": "Ada & Co"})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


async def test_patch_with_a_stale_etag_is_a_412_and_a_fresh_one_updates(gateway, identity, token):
    auth = {"authorization": f"Bearer {token}"}
    first = await gateway.get("/api/v1/organizations/current", headers=auth)
    etag = first.headers["etag"]
    changed = await gateway.patch("/api/v1/organizations/current", json={"name": "Renamed"},
                                  headers={**auth, "If-Match": etag})
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Renamed" and changed.headers["etag"] != etag
    [(request, _)] = identity.calls_to("UpdateOrganization")
    assert list(request.update_mask.paths) == ["name"]
    # The service checks the tag under its row lock; the gateway only passes it on.
    assert list(request.if_match_etags) == [etag.strip('"')]

    stale = await gateway.patch("/api/v1/organizations/current", json={"timezone": "Europe/Paris"},
                                headers={**auth, "If-Match": etag})
    assert stale.status_code == 412
    assert (await gateway.get("/api/v1/organizations/current", headers=auth)).json()[
        "timezone"] != "Europe/Paris"


async def test_patch_refuses_nulls_and_empty_changes(gateway, identity, token):
    auth = {"authorization": f"Bearer {token}"}
    empty = await gateway.patch("/api/v1/organizations/current", json={}, headers=auth)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "body"
    null = await gateway.patch("/api/v1/organizations/current", json={"name": None}, headers=auth)
    assert null.status_code == 422 and null.json()["errors"][0]["field"] == "name"


async def test_members_page_through_limit_and_cursor(gateway, identity, token):
    response = await gateway.get("/api/v1/organizations/current/members?limit=10&cursor=abc",
                                 headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] == "page-2"
    assert page["members"][0]["role"] == "client" and page["members"][0]["client_id"]
    [(request, _)] = identity.calls_to("ListMembers")
    assert (request.page_size, request.page_token) == (10, "abc")


async def test_an_api_key_is_exchanged_once_then_served_from_the_cache(gateway, identity):
    for _ in range(3):
        response = await gateway.get("/api/v1/auth/me",
                                     headers={"authorization": "Bearer lbk_good"})
        assert response.status_code == 200, response.text
    assert len(identity.calls_to("AuthenticateApiKey")) == 1
    [(_, metadata), *_] = identity.calls_to("GetMe")
    assert metadata["authorization"].startswith("Bearer ey")  # the exchanged JWT, not the key


async def test_an_unknown_api_key_is_a_401(gateway, identity):
    response = await gateway.get("/api/v1/auth/me", headers={"authorization": "Bearer lbk_nope"})
    assert response.status_code == 401


async def test_creating_an_api_key_shows_its_secret_once(gateway, identity, token):
    response = await gateway.post("/api/v1/api-keys", json={"name": "CI", "role": "viewer"},
                                  headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["secret"].startswith("lbk_")
    assert created["api_key"]["role"] == "viewer" and created["api_key"]["revoked_at"] is None
    [(request, _)] = identity.calls_to("CreateApiKey")
    assert request.role == pb.ROLE_VIEWER


async def test_the_jwks_is_served_at_the_root_and_cached(gateway, identity):
    for _ in range(2):
        response = await gateway.get("/.well-known/jwks.json")
        assert response.status_code == 200
        assert response.json() == {"keys": [{"kid": "k1", "kty": "OKP", "crv": "Ed25519",
                                             "x": "abc", "alg": "EdDSA", "use": "sig"}]}
    assert len(identity.calls_to("GetJwks")) == 1
    assert "max-age" in response.headers["cache-control"]
