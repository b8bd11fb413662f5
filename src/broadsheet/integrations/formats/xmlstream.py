"""Streaming through a large XML export: only the element being read is kept in memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from broadsheet.integrations.importing import ImportFailed


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def child_text(element: Element, name: str) -> str:
    for child in element:
        if local_name(child.tag) == name:
            return (child.text or "").strip()
    return ""


def child(element: Element, name: str) -> Element | None:
    for found in element:
        if local_name(found.tag) == name:
            return found
    return None


def elements_at_depth(stream: BinaryIO, depth: int) -> Iterator[Element]:
    """Each complete element DEPTH levels below the root (1: the root's children), in file
    order; each is cleared away after the caller has read it, so memory stays flat.

    A malformed file raises ImportFailed naming the line and column; a file with a DTD or
    entity declarations (the way XML bombs work) is refused."""
    level = -1
    parents: list[Element] = []
    try:
        for event, element in iterparse(stream, events=("start", "end")):
            if event == "start":
                level += 1
                if level < depth:
                    parents.append(element)
                continue
            if level == depth:
                yield element
                parents[-1].clear()
            elif level < depth:
                parents.pop()
            level -= 1
    except ParseError as error:
        line, column = error.position
        message = str(error).split(":")[0]
        raise ImportFailed(f"line {line}, column {column + 1}: malformed XML ({message})") from None
    except DefusedXmlException as error:
        raise ImportFailed(f"the file declares XML entities or a DTD, refused: {error}") from None
