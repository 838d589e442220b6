"""The app manifest against the Saleor dashboard's own rules, restated here as facts.

The dashboard (saleor-dashboard 3.23.27) validates a manifest again after Saleor's
``appFetchManifest`` has returned it, and keeps Install disabled on any issue. Its rules are
zod schemas in ``src/extensions/domain/``: ``app-manifest.ts`` (the app),
``app-extension-manifest.ts`` (each extension, per mount and target),
``app-extension-manifest-available-mounts.ts``, ``app-extension-manifest-target.ts`` and
``app-extension-manifest-options.ts``. Saleor core is more lenient (it accepts an absolute
APP_PAGE url), so installing through ``appInstall`` alone does not catch a manifest the
dashboard refuses.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from saleor_notify_plugin.dashboard.manifest import build_manifest

DASHBOARD_VERSION = "3.23.27"
BASE = "https://shop.example.com/plugins/global/saleor.notify"

# app-extension-manifest-available-mounts.ts
NAVIGATION_MOUNTS = {
    "NAVIGATION_CATALOG",
    "NAVIGATION_ORDERS",
    "NAVIGATION_CUSTOMERS",
    "NAVIGATION_DISCOUNTS",
    "NAVIGATION_TRANSLATIONS",
    "NAVIGATION_PAGES",
}
ORDER_MOUNTS = {
    "ORDER_DETAILS_MORE_ACTIONS",
    "ORDER_OVERVIEW_CREATE",
    "ORDER_DETAILS_WIDGETS",
    "DRAFT_ORDER_DETAILS_WIDGETS",
    "DRAFT_ORDER_DETAILS_MORE_ACTIONS",
    "ORDER_OVERVIEW_MORE_ACTIONS",
    "DRAFT_ORDER_OVERVIEW_CREATE",
    "DRAFT_ORDER_OVERVIEW_MORE_ACTIONS",
}
OTHER_MOUNTS = {
    *(f"PRODUCT_{m}" for m in ("OVERVIEW_CREATE", "OVERVIEW_MORE_ACTIONS", "DETAILS_MORE_ACTIONS", "DETAILS_WIDGETS")),
    *(f"CUSTOMER_{m}" for m in ("OVERVIEW_CREATE", "OVERVIEW_MORE_ACTIONS", "DETAILS_MORE_ACTIONS", "DETAILS_WIDGETS")),
    *(f"CATEGORY_{m}" for m in ("DETAILS_MORE_ACTIONS", "OVERVIEW_CREATE", "OVERVIEW_MORE_ACTIONS")),
    *(f"{k}_{m}" for k in ("COLLECTION", "GIFT_CARD", "VOUCHER")
      for m in ("DETAILS_MORE_ACTIONS", "DETAILS_WIDGETS", "OVERVIEW_CREATE", "OVERVIEW_MORE_ACTIONS")),
    *(f"{k}_{m}" for k in ("DISCOUNT", "MENU", "PAGE", "PAGE_TYPE")
      for m in ("DETAILS_MORE_ACTIONS", "OVERVIEW_CREATE", "OVERVIEW_MORE_ACTIONS")),
    "TRANSLATIONS_MORE_ACTIONS",
    "HOMEPAGE_WIDGETS",
    "SEARCH_ACTION",
}
ALL_MOUNTS = NAVIGATION_MOUNTS | ORDER_MOUNTS | OTHER_MOUNTS
WIDGET_MOUNTS = {
    "ORDER_DETAILS_WIDGETS",
    "PRODUCT_DETAILS_WIDGETS",
    "VOUCHER_DETAILS_WIDGETS",
    "DRAFT_ORDER_DETAILS_WIDGETS",
    "GIFT_CARD_DETAILS_WIDGETS",
    "CUSTOMER_DETAILS_WIDGETS",
    "COLLECTION_DETAILS_WIDGETS",
    "HOMEPAGE_WIDGETS",
}
# app-extension-manifest-target.ts (a missing target defaults to POPUP)
TARGETS = {"POPUP", "APP_PAGE", "NEW_TAB", "WIDGET"}
METHODS = {"GET", "POST"}


def _is_absolute(url: str) -> bool:
    """isUrlAbsolute.ts: ``new URL(url)`` succeeds, i.e. the url has a scheme."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url))


def _options_issues(options: dict, target: str, mount: str) -> list[str]:
    """app-extension-manifest-options.ts and the option rules of app-extension-manifest.ts."""
    issues = []
    for key in ("newTabTarget", "widgetTarget", "homeWidgetTarget"):
        method = (options.get(key) or {}).get("method")
        if method is not None and method not in METHODS:
            issues.append(f"{key}.method: Method must be either GET or POST")
    if options.get("newTabTarget") and options.get("widgetTarget"):
        issues.append("Only one of 'newTabTarget' or 'widgetTarget' can be set.")
    if options.get("homeWidgetTarget") and (options.get("newTabTarget") or options.get("widgetTarget")):
        issues.append("When 'homeWidgetTarget' is set, 'newTabTarget' and 'widgetTarget' cannot be set.")
    if options.get("widgetTarget") and target != "WIDGET":
        issues.append("widgetTarget options must be set only on WIDGET target")
    if options.get("newTabTarget") and target != "NEW_TAB":
        issues.append("newTabTarget options must be set only on NEW_TAB target")
    if options.get("homeWidgetTarget") and mount != "HOMEPAGE_WIDGETS":
        issues.append("homeWidgetTarget options can only be set on HOMEPAGE_WIDGETS mount")
    if options.get("homeWidgetTarget") and target != "WIDGET":
        issues.append("homeWidgetTarget options can only be set on WIDGET target")
    for key in ("views", "aliases"):
        if options.get(key) and mount != "SEARCH_ACTION":
            issues.append(f"{key} option can only be set on SEARCH_ACTION mount")
    return issues


def dashboard_issues(manifest: dict) -> list[str]:
    """What the dashboard's install screen would list for ``manifest`` (empty: Install is enabled)."""
    issues = []
    app_permissions = set(manifest.get("permissions") or [])
    if "MANAGE_APPS" in app_permissions:
        issues.append('Permission "MANAGE_APPS" is not permitted in app permissions.')
    for index, ext in enumerate(manifest.get("extensions") or []):
        where = f"at extensions[{index}]"
        label, url = ext.get("label") or "", ext.get("url") or ""
        mount, target = ext.get("mount"), ext.get("target") or "POPUP"
        permissions = set(ext.get("permissions") or [])
        if not label:
            issues.append(f"label must not be empty {where}")
        if not url:
            issues.append(f"url must not be empty {where}")
        if mount not in ALL_MOUNTS:
            issues.append(f"unknown mount {mount!r} {where}")
        if target not in TARGETS:
            issues.append(f"unknown target {target!r} {where}")
        if target == "WIDGET" and mount not in WIDGET_MOUNTS:
            issues.append(f"Mount is not available for WIDGET target. {where}")
        if target == "APP_PAGE" and not url.startswith("/"):
            issues.append(f'APP_PAGE type of extension must start with "/" {where}')
        if not _is_absolute(url) and not manifest.get("appUrl"):
            issues.append("To use relative URL, you must specify appUrl.")
        if not permissions <= app_permissions:
            issues.append("Extension permission must be listed in App's permissions.")
        if "MANAGE_APPS" in permissions:
            issues.append(f'Permission "MANAGE_APPS" is not permitted in extension permissions. {where}')
        issues.extend(f"{message} {where}" for message in _options_issues(ext.get("options") or {}, target, mount))
    return issues


def framed_url(manifest: dict, ext: dict) -> str:
    """The address the dashboard loads into its iframe for an extension (query left out).

    APP_PAGE: the menu entry opens ``/extensions/app/<id><url>`` and the frame gets
    ``urlJoin(appUrl, <url>)`` (``resolveAppCompleteUrlFromDashboardUrl`` in ``src/extensions/urls.ts``).
    WIDGET and POPUP: the url itself when absolute, else ``appUrl + url`` (``useExtensions.ts``).
    """
    url = ext["url"]
    if ext["target"] == "APP_PAGE":
        return manifest["appUrl"].rstrip("/") + "/" + url.lstrip("/")
    return url if _is_absolute(url) else f"{manifest['appUrl']}{url}"


@pytest.fixture
def manifest() -> dict:
    return build_manifest(BASE)


def test_the_dashboard_accepts_every_extension_of_the_manifest(manifest):
    assert dashboard_issues(manifest) == [], f"saleor-dashboard {DASHBOARD_VERSION} would refuse the manifest"


def test_the_rules_refuse_what_the_dashboard_refused():
    """The restated rules catch the manifest the dashboard refused, with its own message."""
    old = build_manifest(BASE)
    old["extensions"][0]["url"] = f"{BASE}/app/events"
    assert dashboard_issues(old) == ['APP_PAGE type of extension must start with "/" at extensions[0]']
    widget_elsewhere = build_manifest(BASE)
    widget_elsewhere["extensions"][1]["mount"] = "NAVIGATION_ORDERS"
    assert "Mount is not available for WIDGET target. at extensions[1]" in dashboard_issues(widget_elsewhere)
    popup_with_widget_options = build_manifest(BASE)
    popup_with_widget_options["extensions"][2]["options"] = {"widgetTarget": {"method": "GET"}}
    assert dashboard_issues(popup_with_widget_options) == [
        "widgetTarget options must be set only on WIDGET target at extensions[2]"
    ]


def test_each_extension_frames_its_own_page(manifest):
    """The menu entry, the widget and the popup each load the page meant for them."""
    framed = {ext["target"]: urlsplit(framed_url(manifest, ext)).path for ext in manifest["extensions"]}
    app_path = urlsplit(manifest["appUrl"]).path
    assert framed == {
        "APP_PAGE": f"{app_path}events",
        "WIDGET": f"{app_path}order",
        "POPUP": f"{app_path}order/deliveries",
    }


def test_the_widget_is_fetched_with_get(manifest):
    """A POST widget would get the token in a form post the pages do not read: GET, with AppBridge."""
    widget = next(e for e in manifest["extensions"] if e["target"] == "WIDGET")
    assert widget["options"] == {"widgetTarget": {"method": "GET"}}
