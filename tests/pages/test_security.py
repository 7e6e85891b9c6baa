"""Sessions and forms over plain HTTP against ``tracker serve``: the cookie is not a key to the
API, a form needs its CSRF token, sign-in never sends the browser off the site, signing out or
revoking the token ends the session at once (issue 14, finding 6), a short session secret stops
the server at start-up (finding 8), and pages are sent with no-store and a strict
Content-Security-Policy. The same findings in process, on both databases:
tests/api/test_security_review_auth.py."""

from __future__ import annotations

import os
import re
import subprocess
from contextlib import closing

import httpx

from tests.pages.given import BTLS
from tests.pages.serving import TRACKER, Site, free_port, run_async
from tracker.auth.tokens import issue_token, revoke_tokens
from tracker.clock import SystemClock
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.settings import Settings

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_of(client: httpx.Client, path: str = "/sign-in") -> str:
    found = CSRF_FIELD.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def signed_in(site: Site, token: str, next_path: str = "/") -> tuple[httpx.Client, httpx.Response]:
    client = httpx.Client(base_url=site.base_url, timeout=10)
    answer = client.post(
        "/sign-in", data={"_csrf_token": csrf_of(client), "token": token, "next": next_path}
    )
    return client, answer


def test_the_session_cookie_is_no_key_to_the_api_and_a_bearer_token_none_to_the_pages(
    site: Site,
) -> None:
    client, answer = signed_in(site, site.given.glyn_token)
    with closing(client):
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/portfolio").status_code == 401
    bearer = {"Authorization": f"Bearer {site.given.glyn_token}"}
    with httpx.Client(base_url=site.base_url, headers=bearer) as plain:
        assert plain.get("/api/v1/portfolio").status_code == 200
        page = plain.get("/")
        assert page.status_code == 303 and page.headers["location"] == "/sign-in"


def test_sign_in_never_redirects_off_the_site(site: Site) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client, answer = signed_in(site, site.given.glyn_token, target)
        with closing(client):
            assert answer.headers["location"] == "/", target


def test_forms_without_a_valid_csrf_token_are_refused(site: Site) -> None:
    with httpx.Client(base_url=site.base_url) as client:
        client.get("/sign-in")
        bare = client.post("/sign-in", data={"token": site.given.glyn_token})
        assert bare.status_code == 403 and "could not be accepted" in bare.text
        forged = client.post(
            "/sign-in", data={"token": site.given.glyn_token, "_csrf_token": "0" * 128}
        )
        assert forged.status_code == 403
        assert "tracker_session" not in client.cookies


def test_pages_are_not_cached_and_run_under_a_strict_content_security_policy(
    site: Site,
) -> None:
    client, _ = signed_in(site, site.given.glyn_token)
    with closing(client):
        page = client.get(f"/programmes/{BTLS}")
    assert page.headers["cache-control"] == "no-store"
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def issue_for_rob(site: Site) -> tuple[str, str]:
    """A token of Rob Cathey's of his own, to sign in, out and revoke: (token id, secret)."""

    async def issue() -> tuple[str, str]:
        settings = Settings(database_url=site.given.database_url)
        store, engine = open_store(settings), create_engine(settings)
        try:
            made = await issue_token(
                engine, store, SystemClock(), email="rob.cathey@lancashire.example", scope="member"
            )
        finally:
            await store.close()
            await engine.dispose()
        return made.record.token_id, made.secret

    return run_async(issue())


def test_finding_6_after_sign_out_the_session_cookie_opens_nothing(site: Site) -> None:
    _, secret = issue_for_rob(site)
    client, _ = signed_in(site, secret)
    with closing(client):
        cookie = client.cookies["tracker_session"]
        assert secret not in cookie and len(cookie) == 43  # a random id, no token in it
        assert client.get(f"/programmes/{BTLS}").status_code == 200
        out = client.post("/sign-out", data={"_csrf_token": csrf_of(client, "/")})
        assert out.status_code == 303 and out.headers["location"] == "/sign-in"
    with httpx.Client(base_url=site.base_url, cookies={"tracker_session": cookie}) as replay:
        again = replay.get(f"/programmes/{BTLS}")
    assert again.status_code == 303 and again.headers["location"].startswith("/sign-in")


def test_finding_6_a_revoked_token_ends_its_session_at_once(site: Site) -> None:
    async def revoke(token_id: str) -> None:
        engine = create_engine(Settings(database_url=site.given.database_url))
        try:
            await revoke_tokens(engine, SystemClock(), token_id=token_id)
        finally:
            await engine.dispose()

    token_id, secret = issue_for_rob(site)
    client, _ = signed_in(site, secret)
    with closing(client):
        assert client.get(f"/programmes/{BTLS}").status_code == 200
        run_async(revoke(token_id))  # from the command line: the server is not told
        gone = client.get(f"/programmes/{BTLS}")
        assert gone.status_code == 303 and gone.headers["location"].startswith("/sign-in")


def test_finding_8_tracker_serve_refuses_a_short_session_secret_naming_the_variable(
    site: Site,
) -> None:
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": site.given.database_url,
        "TRACKER_SESSION_SECRET": "pages-test-secret",
    }
    port = str(free_port())
    done = subprocess.run(
        [TRACKER, "serve", "--host", "127.0.0.1", "--port", port],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "TRACKER_SESSION_SECRET" in done.stderr and "43 characters" in done.stderr
