"""The campus Trusted Types default policy (static/trusted_types.js) in Debian's chromium.

A page with the workspace's Content-Security-Policy and the script injected as the server
injects it is served by Playwright's router (no server needed). Each case is a string an
HTML sink could be given: what must lose its <meta>, <base> and <link> in any parsing
context, what must come back unchanged, and the page without the script (fails closed).
The real lab is attacked in tests/hub/attacks/test_browser_egress.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import pytest

from hub.singleuser import csp, trusted_types
from tests.fixtures.web import running_chromium

pytestmark = pytest.mark.slow

ORIGIN = "http://campus.test"
AWAY = "http://elsewhere.test/?d=ROWS"
PAGE = b"<!doctype html><html><head><title>t</title></head><body><div id=host></div></body></html>"
SUSPECT = re.compile(r"<(?:meta|base|link)(?:[\s/>]|$)", re.IGNORECASE)  # as the script's TAG

REFRESH = f'<meta http-equiv="refresh" content="0;url={AWAY}">'
# Strings that must come out without any <meta>, <base> or <link>, whatever parses them.
REMOVED = {
    "meta refresh": f"<p>rows</p>{REFRESH}",
    "uppercase": f'<P>rows</P><META HTTP-EQUIV="REFRESH" CONTENT="0;URL={AWAY}">',
    "mixed case, no quotes": f"<MeTa http-equiv=refresh content=0;url={AWAY}>",
    "inside svg": f"<svg>{REFRESH}</svg>",
    "inside math": f"<math>{REFRESH}</math>",
    "in a template": f"<template>{REFRESH}</template>",
    "in a nested template": f"<template><div><template>{REFRESH}</template></div></template>",
    "in a declarative shadow root": f'<div><template shadowrootmode="open">{REFRESH}</template></div>',
    "base": f'<base href="{AWAY}" target="_top"><a href="x">x</a>',
    "link preconnect": f'<link rel="preconnect" href="{AWAY}"><link rel=dns-prefetch href="//rows.elsewhere.test">',
    "in a comment": f"<div><!-- {REFRESH} --></div>",
    "in svg style (raw text elsewhere)": f"<svg><style>{REFRESH}</style></svg>",
    "in a style": f"<style>{REFRESH}</style>",
    "in noscript": f"<noscript>{REFRESH}</noscript>",
    "in a textarea": f"<textarea>{REFRESH}</textarea>",
    "in a title": f"<title>{REFRESH}</title>",
    "at the very end": "<p>rows</p><meta",
    "in an attribute": f'<iframe srcdoc="{REFRESH.replace(chr(34), "")}"></iframe><a title="{REFRESH.replace(chr(34), chr(39))}">x</a>',
    "in a full document": f"<html><head>{REFRESH}<title>x</title></head><body>rows</body></html>",
}
# Strings the lab and outputs render every day: returned exactly as given.
UNCHANGED = {
    "a DataFrame": pd.DataFrame({"district": ["Jongno", "Jung"], "total": [10, 20]})._repr_html_(),
    "escaped text": "<pre>&lt;meta http-equiv=refresh&gt; is text</pre>",
    "words": "<p>metadata, baseline, linked</p>",
    "an svg": '<svg width="10" height="10"><rect width="10" height="10"></rect></svg>',
    "a link to click": '<a href="https://example.org/">docs</a>',
    "elements that only start alike": "<metadata>m</metadata><basefont><linkage>l</linkage>",
    "an SVG icon with metadata, as XML": (
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><metadata><rdf:RDF/></metadata>'
        '<linearGradient id="g"/><rect fill="url(#g)"/></svg>'
    ),
    "a textarea showing a tag": "<textarea>&lt;meta&gt;</textarea>",
}


@pytest.fixture(scope="module")
def browser():
    with running_chromium() as chromium:  # stopped at module end: see test_browser_egress.py
        yield chromium


def serve(route, *, script: bool) -> None:
    """The campus origin: a page with the workspace policy, the script (or not) first in its head."""
    url = route.request.url
    if url.startswith(f"{ORIGIN}/campus/trusted_types.js"):
        if script:
            route.fulfill(body=(trusted_types.STATIC / trusted_types.SCRIPT).read_bytes(), content_type="text/javascript")
        else:
            route.fulfill(status=404, body=b"")
    elif url.startswith(ORIGIN):
        route.fulfill(
            body=trusted_types.inject(PAGE, trusted_types.script_tag("/")),
            content_type="text/html",
            headers={"Content-Security-Policy": csp.WORKSPACE_POLICY},
        )
    else:
        route.abort()  # nothing else is reached, whatever a test does


@contextmanager
def campus_page(browser, *, script: bool = True) -> Iterator[object]:
    """A page of the campus origin in a context of its own."""
    context = browser.new_context()
    context.route("**/*", lambda route: serve(route, script=script))
    page = context.new_page()
    try:
        page.goto(ORIGIN + "/lab")
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def page(browser):
    with campus_page(browser) as page:
        yield page


def sanitize(page, html: str) -> str:
    return page.evaluate("html => trustedTypes.defaultPolicy.createHTML(html).toString()", html)


def parsed_in(page, html: str) -> dict:
    """The <meta>, <base> and <link> elements each kind of sink makes of `html` on this page
    (every sink goes through the default policy), template contents included."""
    return page.evaluate(
        """html => {
      const count = (root) => {
        let n = root.querySelectorAll("meta, base, link").length;
        for (const t of root.querySelectorAll("template")) if (t.content) n += count(t.content);
        for (const e of root.querySelectorAll("*")) if (e.shadowRoot) n += count(e.shadowRoot);
        return n;
      };
      const div = document.createElement("div");
      div.innerHTML = html;
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.innerHTML = html;
      const unsafe = document.createElement("div");
      unsafe.setHTMLUnsafe(html);  // parses declarative shadow roots
      const range = document.createRange();
      range.selectNodeContents(document.body);
      const fragment = range.createContextualFragment(html);
      const parsed = new DOMParser().parseFromString(html, "text/html");
      return {div: count(div), svg: count(svg), unsafe: count(unsafe), range: count(fragment),
              domparser: count(parsed) - parsed.querySelectorAll("head > meta[charset]").length};
    }""",
        html,
    )


@pytest.mark.parametrize("html", REMOVED.values(), ids=REMOVED.keys())
def test_meta_base_and_link_never_reach_the_page(page, html):
    assert not SUSPECT.search(sanitize(page, html))
    assert parsed_in(page, html) == {"div": 0, "svg": 0, "unsafe": 0, "range": 0, "domparser": 0}


@pytest.mark.parametrize("html", UNCHANGED.values(), ids=UNCHANGED.keys())
def test_everyday_html_is_returned_unchanged(page, html):
    assert sanitize(page, html) == html


def test_what_is_kept_around_a_removed_meta(page):
    assert sanitize(page, f"<p>rows</p>{REFRESH}<b>total</b>") == "<p>rows</p><b>total</b>"


def test_the_tab_stays_when_a_refresh_is_rendered(browser):
    with campus_page(browser) as page:
        page.evaluate("html => { document.getElementById('host').innerHTML = html; }", REFRESH)
        page.wait_for_timeout(1500)  # a refresh of 0 s would have left by now
        assert page.url == ORIGIN + "/lab"


def test_scripts_and_script_urls_pass_as_before(page):
    # the lab needs both: new Function (ajv, under 'unsafe-eval') and script.src (chunks)
    assert page.evaluate("new Function('return 6 * 7')()") == 42
    assert page.evaluate("(() => { const s = document.createElement('script'); s.src = '/chunk.js'; return s.src; })()") == ORIGIN + "/chunk.js"


def test_no_other_policy_can_be_created(page):
    for name in ("campus-parse", "default", "elsewhere"):
        error = page.evaluate("name => { try { trustedTypes.createPolicy(name, {}); return null; } catch (e) { return e.name; } }", name)
        assert error == "TypeError", name


def test_without_the_script_every_sink_throws(browser):
    """Fail closed: the page whose default policy did not load renders no HTML at all."""
    with campus_page(browser, script=False) as page:
        assert page.evaluate("trustedTypes.defaultPolicy") is None
        error = page.evaluate("html => { try { document.getElementById('host').innerHTML = html; return null; } catch (e) { return e.message; } }", REFRESH)
        assert "requires 'TrustedHTML' assignment" in error
        assert page.evaluate("document.getElementById('host').childElementCount") == 0
