from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from notices.renderer import (
    parse,
    render,
    render_html,
    render_subject,
    template_variables,
    validate_template,
)


class Person:
    first_name = "Anna"
    secret = "do-not-show"

    def delete(self) -> str:
        return "deleted"


def test_render_substitutes_flat_and_dotted_names():
    # given
    text = "Hi {{ client.first_name }}, {{salon_name}} expects you at {{  starts_at }}."
    context = {"client": {"first_name": "Anna"}, "salon_name": "Alpha", "starts_at": "10:00"}

    # when
    result = render(text, context, allowed={"client.first_name", "salon_name", "starts_at"})

    # then
    assert result == "Hi Anna, Alpha expects you at 10:00."


def test_render_reads_declared_attributes_of_objects_only():
    # given
    context = {"client": Person()}

    # when
    result = render(
        "{{ client.first_name }}|{{ client.secret }}|{{ client.delete }}",
        context,
        allowed={"client.first_name", "client.delete"},
    )

    # then: undeclared names and callables render empty, nothing is called
    assert result == "Anna||"


def test_render_prefers_a_flat_dotted_key_and_renders_missing_values_empty():
    # when
    result = render(
        "{{ client.first_name }}/{{ points }}/{{ client.last_name }}",
        {"client.first_name": "Mia", "points": None},
        allowed={"client.first_name", "points", "client.last_name"},
    )

    # then
    assert result == "Mia//"


def test_render_does_not_interpret_values_as_templates():
    # when
    result = render("{{ name }}", {"name": "{{ secret }} {% load x %}"}, allowed={"name"})

    # then
    assert result == "{{ secret }} {% load x %}"


def test_template_variables_lists_each_name_once_in_order():
    assert template_variables("{{ b }} {{ a.x }} {{ b }} plain {single}") == ["b", "a.x"]


def test_validate_template_accepts_declared_variables():
    validate_template(
        "Hi {{ client.first_name }} at {{ salon_name }}",
        allowed={"client.first_name", "salon_name"},
    )


def test_validate_template_rejects_unknown_variable():
    # when
    with pytest.raises(ValidationError) as caught:
        validate_template("Hi {{ client.password }} {{ nope }}", allowed={"client.first_name"})

    # then
    assert caught.value.code == "unknown_variable"
    assert caught.value.messages == [
        "Unknown variable(s): client.password, nope. Use only the variables listed for this notice."
    ]


@pytest.mark.parametrize(
    "text",
    [
        "{% load static %}hello",
        "{% if x %}yes{% endif %}",
        "{# comment #}",
        "{{ name|upper }}",
        "{{ name.__class__ }}",
        "{{ _private }}",
        "{{ }}",
        "{{ name",
        "name }}",
        "{{ a {{ b }}",
        "{{ a b }}",
        "{{ 'literal' }}",
    ],
)
def test_validate_template_rejects_template_syntax(text):
    # when
    with pytest.raises(ValidationError) as caught:
        validate_template(text, allowed={"name", "a", "b", "x"})

    # then
    assert caught.value.code == "template_syntax"


def test_load_tag_message_says_tags_are_not_allowed():
    with pytest.raises(ValidationError) as caught:
        parse("{% load static %}")

    assert caught.value.messages == ["Template tags and comments (“{%”) are not allowed."]


def test_single_braces_are_plain_text():
    assert render("{x} and }{", {}, allowed=set()) == "{x} and }{"


def test_render_of_invalid_stored_text_returns_it_as_written():
    # given: text that bypassed the save-time check
    text = "{% load static %}{{ name }}"

    # when
    result = render(text, {"name": "Anna"}, allowed={"name"})

    # then: literal, never executed, never an exception at send time
    assert result == "{% load static %}{{ name }}"


def test_render_subject_is_one_line():
    result = render_subject("Hi {{ name }}", {"name": "Anna\r\nBcc: x@evil.test"}, allowed={"name"})

    assert result == "Hi Anna Bcc: x@evil.test"


def test_render_html_escapes_everything_and_keeps_paragraphs():
    # given
    plain = render(
        "Hi {{ name }} & co,\n\n<b>see</b> you",
        {"name": '<script>alert("x")</script>'},
        allowed={"name"},
    )

    # when
    html = render_html(plain)

    # then
    assert html == (
        "<p>Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co,</p>\n\n"
        "<p>&lt;b&gt;see&lt;/b&gt; you</p>"
    )
