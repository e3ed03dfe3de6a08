"""Chat identity routes as Owncast answers them (develop §2): the IndieAuth client with PKCE
against a loopback IndieAuth site that checks the verifier, Fediverse one-time codes through a
recording DirectMessenger, the re-point-or-attach rule with its CHAT_ACTION, `authenticated`
on the user in chat events and history, `chat/requireauthentication` lifted by a login, and
the admin's IndieAuth provider driven as a client would."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trio

from tests.component.identity_fixtures import LoginServer, login_fixture
from tests.indieauth_site import IndieAuthSite

__all__ = ["login_fixture"]

CALLBACK_FAILED = 'Unable to complete authentication. <a href="/">Go back.</a><hr/>'
WRONG_CODE = "Incorrect or expired code. Please request a new one and try again."
OK = {"success": True, "message": ""}


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def start_indieauth(login: LoginServer, token: str, site: IndieAuthSite) -> str:
    response = await login.post("/api/auth/indieauth", token, {"authHost": site.me})
    assert response.status_code == 200, response.text
    assert list(response.json()) == ["redirect"]
    return response.json()["redirect"]


async def callback(login: LoginServer, code: str, state: str) -> Any:
    async with login.http() as client:
        return await client.get(
            "/api/auth/indieauth/callback", params={"code": code, "state": state}
        )


async def test_indieauth_login_with_pkce_then_a_second_viewer_is_repointed(
    login: LoginServer, nursery: trio.Nursery
) -> None:
    async with login.http() as client:  # served and a server URL set: advertised
        config = (await client.get("/api/config")).json()
    assert config["authentication"] == {"indieAuthEnabled": True}
    site = await IndieAuthSite().start(nursery)
    alice = await login.chat.register("alice")
    redirect = await start_indieauth(login, alice["accessToken"], site)

    assert redirect.startswith(f"{site.me}auth?")  # the page's endpoint, its own query replaced
    params = query_of(redirect)
    assert "from" not in params
    base = login.chat.url
    assert params["response_type"] == "code"
    assert params["client_id"] == base
    assert params["redirect_uri"] == f"{base}/api/auth/indieauth/callback"
    assert params["me"] == site.me
    assert params["code_challenge_method"] == "S256"
    assert re.fullmatch(r"[A-Za-z0-9]{20}", params["state"])
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", params["code_challenge"])

    code, state = site.approve(redirect)
    response = await callback(login, code, state)
    assert response.status_code == 307
    assert response.headers["location"] == "/"
    exchange = site.exchanges[-1]
    assert exchange["grant_type"] == "authorization_code"
    assert re.fullmatch(r"[A-Za-z0-9]{50}", exchange["code_verifier"])
    assert site.refusals == []

    ws = await login.chat.connect(alice["accessToken"])
    info = await ws.next_event("CONNECTED_USER_INFO")
    assert info["user"]["authenticated"] is True
    await ws.send_json({"type": "CHAT", "body": "hello"})
    assert (await ws.next_event("CHAT"))["user"]["authenticated"] is True

    # A second viewer logs in as the same site: their token now belongs to alice.
    bob = await login.chat.register("bob")
    code, state = site.approve(await start_indieauth(login, bob["accessToken"], site))
    assert (await callback(login, code, state)).status_code == 307
    action = await ws.next_event("CHAT_ACTION")
    assert "<strong>bob</strong> is now authenticated as <strong>alice</strong>" in action["body"]
    assert (await login.chat.store.user_for_token(bob["accessToken"])).id == alice["id"]

    async with login.http() as client:
        history = await client.get("/api/chat", params={"accessToken": alice["accessToken"]})
    assert history.json()[-1]["user"]["authenticated"] is True


async def test_indieauth_refuses_a_wrong_verifier_a_reused_state_and_another_me(
    login: LoginServer, nursery: trio.Nursery
) -> None:
    site = await IndieAuthSite(link_header=True).start(nursery)
    viewer = await login.chat.register("viewer")
    redirect = await start_indieauth(login, viewer["accessToken"], site)
    assert query_of(redirect)["me"] == site.me  # endpoint from the Link header
    assert urlsplit(redirect).path == "/auth"

    code, state = site.approve(redirect)
    other = base64.urlsafe_b64encode(hashlib.sha256(b"x" * 50).digest()).rstrip(b"=").decode()
    site.grants[code].challenge = other  # the site expects another verifier
    response = await callback(login, code, state)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == CALLBACK_FAILED
    assert site.refusals == ["PKCE verifier does not match the challenge"]
    assert (await callback(login, code, state)).status_code == 400  # the state is used up

    site.me_override = "http://127.0.0.1:1/someone-else"
    code, state = site.approve(await start_indieauth(login, viewer["accessToken"], site))
    assert (await callback(login, code, state)).text == CALLBACK_FAILED
    assert (await callback(login, "c", "never-issued")).status_code == 400
    assert (await login.chat.store.user(viewer["id"])).authenticated is False


async def test_indieauth_start_answers_owncasts_errors(
    login: LoginServer, nursery: trio.Nursery
) -> None:
    site = await IndieAuthSite().start(nursery)
    token = (await login.chat.register("v"))["accessToken"]
    for bad in (None, "not-a-token"):
        response = await login.post("/api/auth/indieauth", bad, {"authHost": site.me})
        assert (response.status_code, response.text) == (401, "unauthorized\n")

    response = await login.post("/api/auth/indieauth", token, {"authHost": f"{site.me}nothing"})
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert response.json()["message"].endswith("url does not support indieauth")

    response = await login.post("/api/auth/indieauth", token, {"authHost": "ftp://x.example/"})
    assert response.json()["message"].endswith("url must be https")

    login.chat.configure("server", url="")
    response = await login.post("/api/auth/indieauth", token, {"authHost": site.me})
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "Owncast server URL must be set when using auth",
    }


async def test_fediverse_code_is_sent_once_used_once_and_lifts_require_authentication(
    login: LoginServer,
) -> None:
    login.chat.configure("chat", require_authentication=True, spam_protection_enabled=False)
    alice = await login.chat.register("alice")
    token = alice["accessToken"]
    response = await login.post("/api/auth/fediverse", token, {"account": "Alice@Social.Example"})
    assert (response.status_code, response.json()) == (200, OK)
    assert (
        await login.post("/api/auth/fediverse", token, {"account": "alice@social.example"})
    ).json() == OK
    assert len(login.messenger.sent) == 1  # the same account within 10 min: nothing sent again
    account, text = login.messenger.sent[0]
    assert account == "alice@social.example"
    code = re.findall(r"<p>(\d{6})</p>", text)[0]

    # Another account replaces the pending code.
    await login.post("/api/auth/fediverse", token, {"account": "alice@other.example"})
    assert len(login.messenger.sent) == 2
    new_code = re.findall(r"<p>(\d{6})</p>", login.messenger.sent[1][1])[0]
    if new_code != code:
        response = await login.post("/api/auth/fediverse/verify", token, {"code": code})
        assert (response.status_code, response.json()["message"]) == (400, WRONG_CODE)

    response = await login.post("/api/auth/fediverse/verify", token, {})
    assert response.json()["message"] == "Could not decode request: code is required"
    response = await login.post("/api/auth/fediverse/verify", "other", {"code": new_code})
    assert response.status_code == 400
    response = await login.post("/api/auth/fediverse/verify", token, {"code": new_code})
    assert (response.status_code, response.json()) == (200, OK)
    response = await login.post("/api/auth/fediverse/verify", token, {"code": new_code})
    assert (response.status_code, response.json()["message"]) == (400, WRONG_CODE)

    ws = await login.chat.connect(token)  # a login counts from the next connect
    assert (await ws.next_event("CONNECTED_USER_INFO"))["user"]["authenticated"] is True
    await ws.send_json({"type": "CHAT", "body": "verified"})
    assert (await ws.next_event("CHAT"))["user"]["authenticated"] is True

    bob = await login.chat.register("bob")
    bob_ws = await login.chat.connect(bob["accessToken"])
    await bob_ws.next_event("CONNECTED_USER_INFO")
    await bob_ws.send_json({"type": "CHAT", "body": "anon"})
    refused = await bob_ws.next_event("CHAT_ACTION")
    assert "Authentication is required" in refused["body"]
    await login.post("/api/auth/fediverse", bob["accessToken"], {"account": "alice@other.example"})
    bob_code = re.findall(r"<p>(\d{6})</p>", login.messenger.sent[-1][1])[0]
    response = await login.post(
        "/api/auth/fediverse/verify", bob["accessToken"], {"code": bob_code}
    )
    assert response.json() == OK
    action = await ws.next_event("CHAT_ACTION")
    assert "<strong>bob</strong> is now authenticated as <strong>alice</strong>" in action["body"]
    assert (await login.chat.store.user_for_token(bob["accessToken"])).id == alice["id"]


async def test_fediverse_request_errors(login: LoginServer) -> None:
    token = (await login.chat.register("v"))["accessToken"]
    response = await login.post("/api/auth/fediverse", "nope", {"account": "a@b.example"})
    assert (response.status_code, response.text) == (401, "unauthorized\n")
    async with login.http() as client:
        response = await client.post(
            "/api/auth/fediverse",
            params={"accessToken": token},
            content=b"{oops",
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 400
    assert response.json()["message"].startswith("Could not decode request: ")
    # The user is deleted between the request and the verify: no crash, nothing linked.
    gone = await login.chat.register("gone")
    await login.post("/api/auth/fediverse", gone["accessToken"], {"account": "g@b.example"})
    gone_code = re.findall(r"<p>(\d{6})</p>", login.messenger.sent[-1][1])[0]
    await login.store.write("DELETE FROM users WHERE id = ?", (gone["id"],))
    response = await login.post(
        "/api/auth/fediverse/verify", gone["accessToken"], {"code": gone_code}
    )
    assert response.status_code == 200
    assert await login.identity_owner("g@b.example") is None

    login.messenger.failure = "no such account"
    response = await login.post("/api/auth/fediverse", token, {"account": "a@b.example"})
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "Could not send code to fediverse: no such account",
    }


async def test_the_admin_logs_in_elsewhere_with_the_server_as_indieauth_provider(
    login: LoginServer,
) -> None:
    login.chat.configure("server", name="My Stream")
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    params = {
        "client_id": "https://app.example/",
        "redirect_uri": "https://app.example/callback?x=1",
        "code_challenge": challenge.rstrip(b"=").decode(),
        "state": "st4te",
        "me": login.chat.url,
    }
    path = "/api/auth/provider/indieauth"
    async with login.http() as client:
        assert (await client.get(path, params=params)).status_code == 401
        bad = await client.get(
            path, params={**params, "redirect_uri": "https://evil.example/"}, auth=login.admin
        )
        assert bad.status_code == 400  # Owncast: 500
        assert bad.headers["content-type"].startswith("text/html")
        assert bad.text == "redirect_uri host does not match client_id host"
        response = await client.get(path, params=params, auth=login.admin)
        assert response.status_code == 307
        back = query_of(response.headers["location"])
        assert response.headers["location"].startswith("https://app.example/callback?")
        assert back["x"] == "1" and back["state"] == "st4te"

        form = {
            "code": back["code"],
            "redirect_uri": params["redirect_uri"],
            "client_id": params["client_id"],
            "code_verifier": "w" * 64,
        }
        refused = await client.post(path, data=form)
        assert refused.status_code == 200
        assert refused.json()["error"] == "invalid_client"
        ok = await client.post(path, data={**form, "code_verifier": verifier})
        assert ok.status_code == 200
        base = login.chat.url
        assert ok.json() == {
            "me": base,
            "profile": {"name": "My Stream", "url": base, "photo": f"{base}/logo"},
        }
        again = await client.post(path, data={**form, "code_verifier": verifier})
        assert again.json()["error"] == "invalid_client"
