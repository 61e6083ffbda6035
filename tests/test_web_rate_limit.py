"""Per-client rate limiting: the token bucket's arithmetic, and 429 with Retry-After."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kgpub.config_loading import load_settings
from kgpub.errors import ConfigError
from kgpub.web.rate_limit import RateLimiter, retry_after_header

from .test_web_fixtures import built_examples, running_app

__all__ = ["built_examples"]  # a module fixture used below

DOCUMENT = "/doc/facility/ghwayran-prison.ttl"
SLOW = {"rate_limit": "0.01", "rate_burst": "3"}
"""A rate so slow that no token comes back during a test: three requests, then 429."""


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_may_spend_its_burst_at_once_and_is_then_told_how_long_to_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=4, burst=5, clock=clock)
    assert [limiter.wait_seconds("a") for _ in range(5)] == [0.0] * 5
    assert limiter.wait_seconds("a") == pytest.approx(0.25)
    clock.now += 0.125  # half a token back
    assert limiter.wait_seconds("a") == pytest.approx(0.125)


def test_tokens_come_back_at_the_rate_and_never_beyond_the_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=2, burst=3, clock=clock)
    for _ in range(3):
        limiter.wait_seconds("a")
    clock.now += 1.0  # two tokens back
    assert [limiter.wait_seconds("a") for _ in range(3)] == [0.0, 0.0, pytest.approx(0.5)]
    clock.now += 3600  # an hour idle refills the bucket to the burst, no more
    assert [limiter.wait_seconds("a") > 0 for _ in range(4)] == [False, False, False, True]


def test_a_refused_request_spends_nothing_so_waiting_as_told_is_enough() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=1, burst=1, clock=clock)
    limiter.wait_seconds("a")
    waits = [limiter.wait_seconds("a") for _ in range(10)]
    assert waits == [pytest.approx(1.0)] * 10
    clock.now += waits[-1]
    assert limiter.wait_seconds("a") == 0.0


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    assert [retry_after_header(w) for w in (0.001, 0.5, 1.0, 1.01, 59.2)] == [
        "1",
        "1",
        "1",
        "2",
        "60",
    ]


def test_idle_clients_are_forgotten_once_their_bucket_would_be_full_again() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=10, burst=20, clock=clock)
    for number in range(100):
        limiter.wait_seconds(f"198.51.100.{number}")
    assert limiter.client_count == 100
    clock.now += 2.0  # burst / rate: every bucket is full again
    limiter.wait_seconds("203.0.113.1")
    assert limiter.client_count == 1


def test_memory_is_bounded_by_forgetting_the_least_recently_seen_client() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=1, burst=2, max_clients=50, clock=clock)
    limiter.wait_seconds("kept")
    limiter.wait_seconds("kept")  # its bucket is empty now
    for number in range(10_000):
        limiter.wait_seconds(f"10.0.{number // 256}.{number % 256}")
        if number % 40 == 0:
            assert limiter.wait_seconds("kept") > 0  # recently seen, so still remembered
    assert limiter.client_count == 50


def test_a_limiter_without_a_positive_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="rate > 0"):
        RateLimiter(rate=0, burst=1)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"KGPUB_RATE_LIMIT": "fast"}, "rate_limit must be a number of requests per second"),
        ({"KGPUB_RATE_LIMIT": "-1"}, "rate_limit must be a number of requests per second"),
        ({"KGPUB_RATE_BURST": "0"}, "rate_burst must be a whole number ≥ 1"),
    ],
)
def test_a_bad_rate_setting_is_refused_with_what_to_do(
    variables: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env=variables)


def _statuses(client: FlaskClient, count: int, **request: object) -> list[int]:
    return [client.get(DOCUMENT, **request).status_code for _ in range(count)]  # type: ignore[arg-type]


@pytest.mark.attack
def test_past_the_burst_a_client_gets_429_with_retry_after(built_examples: Path) -> None:
    with running_app(built_examples, **SLOW) as app:
        client = app.test_client()
        assert _statuses(client, 3) == [200, 200, 200]
        refused = client.get(DOCUMENT)
    assert refused.status_code == 429
    assert 90 <= int(refused.headers["Retry-After"]) <= 100
    assert refused.mimetype == "text/plain"
    assert "too many requests from 127.0.0.1" in refused.text
    assert "rate_limit" in refused.text
    assert "Retry-After" in refused.headers["Access-Control-Expose-Headers"]


def test_a_json_client_gets_the_429_in_the_error_shape(built_examples: Path) -> None:
    with running_app(built_examples, **SLOW) as app:
        client = app.test_client()
        for _ in range(3):
            client.get("/queries/?format=json")
        refused = client.get("/queries/?format=json")
    assert refused.status_code == 429
    body = json.loads(refused.text)
    assert (body["ok"], body["status"]) == (False, 429)
    assert "retry after" in body["error"]


def test_separate_clients_have_separate_budgets(built_examples: Path) -> None:
    with running_app(built_examples, **SLOW) as app:
        client = app.test_client()
        first = {"environ_base": {"REMOTE_ADDR": "192.0.2.1"}}
        second = {"environ_base": {"REMOTE_ADDR": "192.0.2.2"}}
        assert _statuses(client, 4, **first) == [200, 200, 200, 429]
        assert _statuses(client, 4, **second) == [200, 200, 200, 429]


def test_x_forwarded_for_is_ignored_without_trusted_proxies(built_examples: Path) -> None:
    with running_app(built_examples, **SLOW) as app:
        client = app.test_client()
        statuses = [
            client.get(DOCUMENT, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
            for n in range(4)
        ]
    assert statuses == [200, 200, 200, 429]  # one client, whatever it claims to forward


def test_behind_a_trusted_proxy_each_forwarded_address_is_a_client(built_examples: Path) -> None:
    with running_app(built_examples, proxy_hops="1", **SLOW) as app:
        client = app.test_client()
        spoofed = {"X-Forwarded-For": "198.51.100.7, 203.0.113.1"}  # only the last is trusted
        assert _statuses(client, 4, headers=spoofed) == [200, 200, 200, 429]
        other = {"X-Forwarded-For": "203.0.113.2"}
        assert _statuses(client, 1, headers=other) == [200]


def test_static_files_are_not_counted(built_examples: Path) -> None:
    with running_app(built_examples, **SLOW) as app:
        client = app.test_client()
        assets = [client.get("/static/query.css") for _ in range(10)]
        for asset in assets:
            asset.close()
        assert [asset.status_code for asset in assets] == [200] * 10
        assert _statuses(client, 4) == [200, 200, 200, 429]


def test_a_rate_limit_of_zero_turns_the_limit_off(built_examples: Path) -> None:
    with running_app(built_examples, rate_limit="0", rate_burst="1") as app:
        assert _statuses(app.test_client(), 20) == [200] * 20
