"""The saga web view (``saga-web`` from the Procfile) over plain HTTP, logged in as the
operator: a replay posted without the token of the dead-letters page (what another site's
form would send through the operator's browser), or with a wrong one, gets 400 and the
letter stays parked; posted with the page's own token, it is replayed."""

from __future__ import annotations

import base64
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from tests.integration.test_saga_web_view import _park_malformed_reserve, _wait_for_web
from tests.platform import WEB_AUTH, RunningPlatform


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_: Any, **__: Any) -> None:
        return None  # a 303 is the answer to look at, not a page to follow


class Operator:
    """A logged-in browser: basic auth on every request, the session cookie kept."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        login = base64.b64encode(":".join(WEB_AUTH).encode()).decode()
        self.opener.addheaders = [("Authorization", f"Basic {login}")]

    def request(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = None if form is None else urllib.parse.urlencode(form).encode()
        try:
            with self.opener.open(self.base_url + path, data=data, timeout=20) as response:
                return int(response.status), response.read().decode()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read().decode(errors="replace")


def _parked_ids(platform: RunningPlatform) -> set[int]:
    letters = platform.call("inventory.dead_letters", limit=1000)["dead_letters"]
    return {letter["id"] for letter in letters}


def test_a_replay_without_the_pages_token_is_refused(platform: RunningPlatform) -> None:
    _wait_for_web(platform)
    letter = _park_malformed_reserve(platform)
    operator = Operator(platform.web_url)
    status, page = operator.request("/dead-letters")
    assert status == 200
    assert f'data-letter-id="{letter["id"]}"' in page
    [token] = set(re.findall(r'name="form_token" value="([^"]+)"', page))
    replay = {"service": "inventory", "id": str(letter["id"])}

    for forged in ({}, {"form_token": "from-another-site"}):
        status, answer = operator.request("/dead-letters/replay", {**replay, **forged})
        assert status == 400, answer
        assert letter["id"] in _parked_ids(platform)  # nothing was replayed

    status, _ = operator.request("/dead-letters/replay", {**replay, "form_token": token})
    assert status == 303
    assert letter["id"] not in _parked_ids(platform)  # replayed (and parked again, anew)
