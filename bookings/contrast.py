"""Text colour on a coloured background (appointment blocks in the staff's or the service's
colour): black or white, whichever contrasts more by WCAG 2 relative luminance. One of the two
always reaches 4.5:1 (AA for normal text). static/js/calendar.js (`textColorFor`) mirrors
this for the blocks it paints (the CSP allows colours only through the CSSOM, so they are
painted in the browser); this is the reference its tests check colours against."""

from __future__ import annotations

import re

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
BLACK = "#000000"
WHITE = "#ffffff"


def relative_luminance(hex_color: str) -> float:
    """WCAG 2 relative luminance of "#rrggbb" (0 black … 1 white)."""
    if not HEX.match(hex_color or ""):
        raise ValueError(f"not a #rrggbb colour: {hex_color!r}")
    channels = []
    for at in (1, 3, 5):
        c = int(hex_color[at : at + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two "#rrggbb" colours (1 … 21)."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_color_on(background: str) -> str:
    """Black or white text for that background; white for a malformed colour (the default
    accent background)."""
    try:
        luminance = relative_luminance(background)
    except ValueError:
        return WHITE
    return BLACK if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else WHITE
