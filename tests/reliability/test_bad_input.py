"""Bad input everywhere a user or caller can type, generated with hypothesis.

Every input gets a success or a NotifyError with a code (through GraphQL: an error code in the
payload or a 4xx), never another exception, an INTERNAL_ERROR or a 500; a refused call changes
nothing already stored. Targets are checked with private targets refused, as in production.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleor_notify_plugin import channels, inbound, switches
from saleor_notify_plugin.errors import NotifyError, NotifyErrorCode
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.models import EventChannel, NotificationChannel, RecordedEvent
from tests.graphql import operations as ops
from tests.graphql.conftest import ADMIN, post

pytestmark = pytest.mark.django_db

CODES = set(NotifyErrorCode) - {NotifyErrorCode.INTERNAL_ERROR, NotifyErrorCode.UNAVAILABLE}
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# --- what users type --------------------------------------------------------------------------

PRIVATE_NETWORKS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16",
                    "100.64.0.0/10", "0.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4"]
PRIVATE_V6 = ["::1/128", "fc00::/7", "fe80::/10", "::ffff:127.0.0.0/104", "::ffff:10.0.0.0/104", "ff00::/8"]
HOSTILE_HOSTS = [
    "localhost", "LOCALHOST.", "app.localhost", "vm", "runsc",  # the last two resolve to 127.0.0.1 here
    "169.254.169.254", "[fd00:ec2::254]", "100.100.100.200", "metadata.google.internal",
    "2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0", "0.0.0.0", "[::]", "[::1]", "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]", "[fe80::1%25eth0]", "[0:0:0:0:0:ffff:a9fe:a9fe]", "ｌｏｃａｌｈｏｓｔ", "127.0.0.1.nip.io",
]
hosts = st.one_of(
    st.sampled_from(HOSTILE_HOSTS),
    st.sampled_from(PRIVATE_NETWORKS).flatmap(lambda n: st.ip_addresses(network=n).map(str)),
    st.sampled_from(PRIVATE_V6).flatmap(lambda n: st.ip_addresses(network=n).map(lambda ip: f"[{ip}]")),
    st.just("93.184.215.14"),  # public: accepted
    st.text(min_size=1, max_size=30),
)
urls = st.one_of(
    st.builds(
        "{}://{}{}{}{}".format,
        st.sampled_from(["http", "https", "HTTPS", "ftp", "file", "javascript", "gopher", "data", "ws", ""]),
        st.sampled_from(["", "user:pass@", "user@", ":@", "a%40b@"]),
        hosts,
        st.sampled_from(["", ":80", ":0", ":65536", ":-1", ":abc", ":443"]),
        st.sampled_from(["", "/", "/hook?x=1#f", "/\x00", "/\ud800", "/é", " /sp ace", "/" + "a" * 2100]),
    ),
    st.text(max_size=80),
)
names = st.one_of(st.text(max_size=140), st.sampled_from(["", " ", "a\x00b", "\ud800", "x" * 129, "\u202eevil"]))
email_lists = st.lists(
    st.one_of(st.emails(), st.text(max_size=40), st.sampled_from(["a@b", "a@localhost", "@x.com", "a\x00@x.com",
                                                                "\ud800@x.com", "a@" + "x" * 300 + ".com"])),
    max_size=60,
)
sources = st.lists(st.one_of(st.sampled_from(["ADMIN", "shop", "Funnel", "", "admin ", "ALL"]), st.text(max_size=8)),
                   max_size=5)
events = st.one_of(st.sampled_from([e.value for e in EventType] + ["order_completed", "", "ORDER"]),
                   st.text(max_size=20))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=50)),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)),
    max_leaves=20,
)


# --- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def private_refused(settings):
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "ALLOW_PRIVATE_TARGETS": False}


def stored() -> tuple:
    """Everything a refused call must leave as it was."""
    return (
        list(NotificationChannel.objects.order_by("pk").values()),
        list(EventChannel.objects.order_by("pk").values()),
        list(RecordedEvent.objects.order_by("pk").values_list("pk", "payload")),
    )


def call(func, *args, **kwargs):
    """Run one service call in a savepoint; returns (result, NotifyError or None)."""
    before = stored()
    try:
        with transaction.atomic():
            return func(*args, **kwargs), None
    except NotifyError as error:
        assert error.code in CODES and error.message, error
        assert stored() == before  # refused: nothing changed
        return None, error


def resolves_only_to_public(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = [ipaddress.ip_address(i[4][0].split("%")[0]) for i in socket.getaddrinfo(host, parts.port or 80)]
    return all(a.is_global and not a.is_multicast for a in addresses)


# --- the service API ------------------------------------------------------------------------------


@FUZZ
@given(name=names, kind=st.sampled_from(["POSTBACK", "SLACK", "postback", "EMAIL", "SMS", ""]), url=urls,
       emails=email_lists)
def test_create_channel_accepts_or_refuses_with_a_code(private_refused, name, kind, url, emails):
    channel, error = call(channels.create_channel, name=name, kind=kind, url=url, emails=emails)
    if channel is not None and channel.kind != "EMAIL":
        assert urlsplit(channel.target_url).scheme.lower() in ("http", "https")
        assert "@" not in urlsplit(channel.target_url).netloc  # no credentials
        assert resolves_only_to_public(channel.target_url), channel.target_url


@FUZZ
@given(url=urls)
def test_private_and_odd_targets_are_refused_unless_public(private_refused, url):
    channel, error = call(channels.create_channel, name="CRM", kind="POSTBACK", url=url)
    if channel is not None:
        assert resolves_only_to_public(channel.target_url), url


@FUZZ
@given(name=st.one_of(st.none(), names), url=st.one_of(st.none(), urls), emails=st.one_of(st.none(), email_lists),
       channel_id=st.one_of(st.just("existing"), st.integers()))
def test_update_channel_accepts_or_changes_nothing(private_refused, name, url, emails, channel_id):
    existing = NotificationChannel.objects.filter(name="kept").first() or channels.create_channel(
        name="kept", kind="POSTBACK", url="http://93.184.215.14/hook"
    )
    pk = existing.pk if channel_id == "existing" else channel_id
    call(channels.update_channel, pk, name=name, url=url, emails=emails)


@FUZZ
@given(event=events, sources=sources, channel_id=st.one_of(st.just("existing"), st.integers()))
def test_attach_accepts_or_changes_nothing(event, sources, channel_id):
    existing = NotificationChannel.objects.filter(name="kept").first() or channels.create_channel(
        name="kept", kind="EMAIL", emails=["ops@example.com"]
    )
    attachment, _ = call(channels.attach_channel, event, existing.pk if channel_id == "existing" else channel_id,
                         sources)
    if attachment is not None:
        attachment.delete()


@FUZZ
@given(survey_id=st.one_of(names, st.integers()), email=st.one_of(st.emails(), st.text(max_size=30)),
       answers=st.one_of(json_values, st.text(max_size=20),
                         st.builds(lambda n: {"essay": "x" * n}, st.integers(60_000, 70_000))),
       source=st.one_of(st.sampled_from(["SHOP", "funnel", "ADMIN"]), st.text(max_size=8)))
def test_survey_accepts_or_records_nothing(survey_id, email, answers, source):
    switches.set_event_enabled(EventType.SURVEY_COMPLETED, True)
    call(inbound.complete_survey, survey_id=survey_id, email=email, answers=answers, source=source,
         checkout_token="6f1c3a52-1d0e-4a53-9a54-1f6f2b0e7c11")


def test_oversize_survey_answers_are_refused_with_too_large():
    switches.set_event_enabled(EventType.SURVEY_COMPLETED, True)
    _, error = call(inbound.complete_survey, survey_id="nps", email="a@example.com",
                    answers={"essay": "é" * (inbound.MAX_ANSWERS_BYTES // 2 + 1)})
    assert error.code is NotifyErrorCode.TOO_LARGE


# --- the GraphQL API ------------------------------------------------------------------------------

ids = st.one_of(
    st.text(max_size=30),
    st.builds(to_global_id, st.sampled_from(["NotificationChannel", "Order", "Checkout", "NotificationDelivery", ""]),
              st.one_of(st.integers(), st.text(max_size=12), st.uuids())),
    st.integers(), st.none(), st.lists(st.integers(), max_size=2), st.just("x" * 500),
)
anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                     st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                                                max_size=2))


def assert_clean(response, field: str | None = None) -> None:
    """A 2xx/4xx JSON answer whose every error carries a code other than INTERNAL_ERROR."""
    assert response.status in (200, 400, 413), response.body
    text = json.dumps(response.body)
    assert "INTERNAL_ERROR" not in text, response.body
    if response.status == 200 and field and (response.body.get("data") or {}).get(field):
        for error in response.body["data"][field]["errors"]:
            assert error["code"] in CODES


def graphql_call(document: str, variables: object, field: str):
    before = stored()
    response = post({"query": document, "variables": variables}, ADMIN)
    assert_clean(response, field)
    payload = (response.body.get("data") or {}).get(field)
    if payload is None or payload.get("errors"):
        assert stored() == before  # refused: nothing changed
    return response


@FUZZ
@given(name=st.one_of(names, anything), kind=st.one_of(st.sampled_from(["POSTBACK", "EMAIL", "SLACK"]), anything),
       url=st.one_of(urls, anything), emails=st.one_of(email_lists, anything))
def test_graphql_channel_create_answers_with_codes(private_refused, name, kind, url, emails):
    graphql_call(ops.CHANNEL_CREATE, {"input": {"name": name, "kind": kind, "url": url, "emails": emails}},
                 "notificationChannelCreate")


@FUZZ
@given(channel_id=ids, event=st.one_of(events, anything), sources=st.one_of(sources, anything))
def test_graphql_ids_and_enums_answer_with_codes(channel_id, event, sources):
    graphql_call(ops.ATTACH, {"event": event, "channelId": channel_id, "sources": sources},
                 "notificationEventChannelAttach")
    graphql_call(ops.CHANNEL, {"id": channel_id}, "notificationChannel")
    graphql_call(ops.DELIVERY_RETRY, {"id": channel_id}, "notificationDeliveryRetry")
    graphql_call(ops.ORDER_RETRY, {"orderId": channel_id, "events": [event]}, "notificationOrderRetry")


@FUZZ
@given(survey_id=st.one_of(names, anything), email=st.one_of(st.emails(), anything),
       answers=st.one_of(json_values.map(json.dumps), st.text(max_size=30), anything),
       checkout=ids, source=st.one_of(st.sampled_from(["SHOP", "FUNNEL"]), anything))
def test_graphql_survey_answers_with_codes(survey_id, email, answers, checkout, source):
    switches.set_event_enabled(EventType.SURVEY_COMPLETED, True)
    graphql_call(ops.SURVEY_COMPLETE, {"input": {"surveyId": survey_id, "email": email, "answers": answers,
                                                 "checkoutId": checkout, "source": source}},
                 "notificationSurveyComplete")


@pytest.mark.parametrize(
    "raw",
    [
        b"", b"null", b"[]", b"{", b"\xff\xfe", b'{"query": 1}', b'{"query": "{ notificationEvents { type } }", '
        b'"variables": "[1"}', b'{"query": "query($a: ID!) { notificationChannel(id: $a) { id } }"}',
        b'{"query": "{ notificationEvents { type } }", "variables": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"query": "{' + b"a{" * 20_000 + b"}" * 20_000 + b'}"}',
        b'{"query": "{ notificationEvents { type } }", "operationName": 3}',
    ],
    ids=["empty", "null", "batch", "truncated", "not-utf8", "query-not-string", "variables-not-json",
         "missing-variable", "deeply-nested-variables", "deeply-nested-query", "bad-operation-name"],
)
def test_malformed_graphql_requests_get_a_4xx(raw):
    response = post(None, ADMIN, raw=raw)
    assert 400 <= response.status < 500 and response.body["errors"], response.body
    assert "INTERNAL_ERROR" not in json.dumps(response.body)


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "bell\x07"], ids=["nul", "lone-surrogate", "control"])
def test_text_no_column_can_store_is_refused_with_a_code(private_refused, text):
    """Through JSON a caller can send NUL or an unpaired surrogate; each field answers INVALID*, stores nothing.

    Before the fix these reached PostgreSQL (DataError) or the UTF-8 encoder and came back INTERNAL_ERROR.
    """
    switches.set_event_enabled(EventType.SURVEY_COMPLETED, True)
    checkout = to_global_id("Checkout", "6f1c3a52-1d0e-4a53-9a54-1f6f2b0e7c11")
    cases = [
        (ops.CHANNEL_CREATE, {"input": {"name": text, "kind": "POSTBACK", "url": "http://93.184.215.14/"}},
         "notificationChannelCreate", "name"),
        (ops.CHANNEL_CREATE, {"input": {"name": "n", "kind": "POSTBACK", "url": f"http://93.184.215.14/{text}"}},
         "notificationChannelCreate", "url"),
        (ops.CHANNEL_CREATE, {"input": {"name": "n", "kind": "EMAIL", "emails": [f"{text}@example.com"]}},
         "notificationChannelCreate", "emails"),
        (ops.SURVEY_COMPLETE, {"input": {"surveyId": text, "email": "a@example.com", "checkoutId": checkout}},
         "notificationSurveyComplete", "surveyId"),
        (ops.SURVEY_COMPLETE, {"input": {"surveyId": "nps", "email": "a@example.com", "checkoutId": checkout,
                                         "answers": json.dumps({"comment": text, text: 1})}},
         "notificationSurveyComplete", "answers"),
    ]
    if text == "a\x00b":  # and numbers JSON allows in Python but not in PostgreSQL
        cases.append((ops.SURVEY_COMPLETE, {"input": {"surveyId": "nps", "email": "a@example.com",
                                                      "checkoutId": checkout, "answers": '{"score": Infinity}'}},
                      "notificationSurveyComplete", "answers"))
    if text == "bell\x07":
        cases.pop()  # JSON answers may hold other control characters: jsonb stores them escaped
    for document, variables, field, input_field in cases:
        response = graphql_call(document, variables, field)
        errors = response.errors_of(field)
        assert [e["field"] for e in errors] == [input_field] and errors[0]["code"].startswith("INVALID"), errors
