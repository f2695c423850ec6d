"""The tile server's URL template: checked when the settings load, and turned into the img-src source of the
Content-Security-Policy."""

from __future__ import annotations

import pytest

from smartcity.lib.tiles import tile_source, with_image_source


@pytest.mark.parametrize(("url", "source"), [
    ("", ""),
    ("https://tiles.example/{z}/{x}/{y}.png", "https://tiles.example"),
    ("https://{s}.tiles.example/{z}/{x}/{y}{r}.png", "https://*.tiles.example"),
    ("http://10.0.0.5:8080/hot/{z}/{x}/{y}.png?key=abc", "http://10.0.0.5:8080"),
])
def test_a_tile_url_template_gives_the_host_the_policy_lets_through(url, source):
    assert tile_source(url) == source


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://tiles.example/{z}/{x}/{y}.png", "must start with https://"),
    ("https://tiles.example/{z}/{x}.png", "lacks {y}"),
    ("https://tiles.example/{z}/{x}/{y}.png; script-src *", "contains a space"),
    ("https://tiles.example'/{z}/{x}/{y}.png", "contains a space, quote"),
    ("https://a.{s}.example/{z}/{x}/{y}.png", "the host must be a plain name"),
    ("https://user:pw@tiles.example/{z}/{x}/{y}.png", "the host must be a plain name"),
    ("//tiles.example/{z}/{x}/{y}.png", "must start with https://"),
])
def test_a_malformed_template_is_refused_saying_what_is_wrong(url, message):
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        tile_source(url)


def test_the_tile_host_is_added_to_img_src_only():
    policy = "default-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'"
    assert with_image_source(policy, "https://tiles.example") == (
        "default-src 'self'; script-src 'self'; img-src 'self' data: https://tiles.example; connect-src 'self'")
    assert with_image_source(policy, "") == policy
    assert with_image_source("default-src 'self'; script-src 'self'", "https://tiles.example") == (
        "default-src 'self'; script-src 'self'; img-src 'self' https://tiles.example")
