"""The interactive API docs (architecture: Interfaces) under the project's Content-Security-Policy: every asset
from the app itself, no inline script or style."""

import re

DOCS = "/api/v1/docs"


def test_docs_page_loads_only_assets_the_app_serves(client):
    response = client.get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'\b(?:src|href)="([^"]*)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in urls
    assert [u for u in urls if not u.startswith("/") or u.startswith("//")] == []
    assert {u: client.get(u).status_code for u in urls} == dict.fromkeys(urls, 200)


def test_docs_page_has_no_inline_script_or_style(client):
    html = client.get(DOCS).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    inline = [attrs for attrs, body in scripts if body.strip()]
    # The settings travel as data (a JSON block the static init script reads), never as code.
    assert inline == [' type="application/json" id="swagger-settings"']
    assert re.search(r"<style|\bstyle=|\bon[a-z]+=", html) is None


def test_docs_page_carries_the_policy_without_unsafe_sources(client):
    policy = client.get(DOCS)["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
