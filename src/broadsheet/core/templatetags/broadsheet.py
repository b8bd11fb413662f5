from __future__ import annotations

from datetime import datetime

from django import template
from django.template.base import Variable
from django.templatetags.i18n import TranslateNode, do_translate
from django.urls import translate_url
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from broadsheet.core.dates import relative_time

register = template.Library()


@register.filter
def ago(value: datetime | None) -> str:
    return relative_time(value)


@register.filter
def in_language(url: str, language: str) -> str:
    """URL (this page's, in the language being shown) at its address in LANGUAGE, for the
    language switch; translated here because Django's set_language view resolves it in the
    default language, where an /ur/ address does not resolve."""
    return translate_url(url, language)


class LiteralTranslateNode(template.Node):
    """{% translate "text" %} or {% translate "text" context "ctx" %}: the same output as
    Django's TranslateNode, without its lazy string and its variable resolution.

    Django's node cost about fifty calls each time it was drawn, and a page draws a dozen;
    this one a handful. The message is a literal, so the translation is marked safe as
    Django marks it, with its percent signs doubled for the catalogue and restored after.
    """

    child_nodelists = ()

    def __init__(self, message: str, message_context: str | None) -> None:
        self.message = message.replace("%", "%%")
        self.message_context = message_context

    def render(self, context: template.Context) -> SafeString:
        if self.message_context is None:
            text = gettext(self.message)
        else:
            text = pgettext(self.message_context, self.message)
        return mark_safe(text.replace("%%", "%"))


@register.tag("translate")
def translate(parser: template.base.Parser, token: template.base.Token) -> template.Node:
    """Django's {% translate %}, drawn by LiteralTranslateNode when the message and its
    context are literals with no filter and neither `as` nor `noop` is used; Django's own node
    otherwise. Templates that load this library after i18n get it; makemessages reads the tag
    from the template text as before."""
    node = do_translate(parser, token)
    assert isinstance(node, TranslateNode)
    message = node.filter_expression
    message_context = node.message_context
    literal = (
        not node.noop and node.asvar is None and not message.filters
        and isinstance(message.var, Variable) and message.var.literal is not None
        and isinstance(message.var.literal, str)
        and (message_context is None
             or (isinstance(message_context.var, str) and not message_context.filters))
    )
    if not literal:
        return node
    return LiteralTranslateNode(
        message.var.literal, message_context.var if message_context is not None else None
    )
register.tag("trans", translate)
