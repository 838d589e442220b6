"""What an attempt's record keeps: secrets masked, a response's headers bounded."""

from saleor_notify_plugin.delivery import exchange


def test_a_signature_is_masked_per_signature_and_other_credentials_whole():
    sent = exchange.sent_request(
        "POST",
        "https://crm.example.com/hooks/k3y?token=t0ken",
        [("webhook-signature", "v1,c2lnbmF0dXJl v1,b2xkIHNpZw=="), ("Authorization", "Bearer abc"), ("X-A", "b")],
        b"{}",
    )
    assert sent.url == "https://crm.example.com/[redacted]"
    assert sent.headers == (
        ("Host", "crm.example.com"),
        ("webhook-signature", "v1,[masked] v1,[masked]"),
        ("Authorization", "[masked]"),
        ("X-A", "b"),
    )
    assert "k3y" not in repr(sent) and "t0ken" not in repr(sent) and "c2lnbmF0dXJl" not in repr(sent)


def test_a_url_without_path_or_query_is_shown_and_user_info_never():
    assert exchange.masked_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/"
    assert exchange.masked_url("https://user:pw@crm.example.com/") == "https://crm.example.com/"
    assert exchange.masked_url("http://[::1]:81/x") == "http://[::1]:81/[redacted]"
    assert exchange.host_header("https://crm.example.com:443/x") == "crm.example.com"
    assert exchange.host_header("http://crm.example.com:8080/x") == "crm.example.com:8080"


def test_a_responses_headers_are_bounded_and_its_cookies_not_kept():
    many = [("Set-Cookie", "session=s3cret"), ("X-Long", "v" * 1000)] + [(f"X-{i}", "1") for i in range(100)]
    kept = exchange.kept_response_headers(many)
    assert kept[0] == ["Set-Cookie", "[not kept]"]
    assert kept[1] == ["X-Long", "v" * exchange.MAX_HEADER_VALUE_CHARS + " [truncated]"]
    assert len(kept) == exchange.MAX_RESPONSE_HEADERS + 1
    assert kept[-1] == ["…", f"{len(many) - exchange.MAX_RESPONSE_HEADERS} more headers not kept"]
    assert sum(len(n) + len(v) for n, v in kept[:-1]) <= exchange.MAX_RESPONSE_HEADER_CHARS
    assert exchange.kept_response_headers([("X-Nul", "a\x00b")]) == [["X-Nul", "a\\x00b"]]
