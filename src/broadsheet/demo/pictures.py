"""Pictures for the demo, drawn with Pillow so nothing is downloaded."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw


def bus_station_picture(width: int = 1800, height: int = 1000) -> bytes:
    """A flat drawing of a teal bus at a raised platform at dusk, as PNG bytes."""
    picture = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    for y in range(height):  # the evening sky, orange to deep blue
        mix = y / height
        draw.line([(0, y), (width, y)], fill=(
            int(244 * (1 - mix) + 38 * mix), int(162 * (1 - mix) + 52 * mix),
            int(97 * (1 - mix) + 94 * mix)))
    ground = int(height * 0.72)
    draw.rectangle([0, ground, width, height], fill=(70, 70, 72))
    platform = int(height * 0.62)
    draw.rectangle([0, platform, width, ground], fill=(196, 190, 178))
    for x in range(0, width, 240):  # the canopy's posts and roof
        draw.rectangle([x + 100, int(height * 0.28), x + 116, platform], fill=(90, 96, 100))
    draw.rectangle([0, int(height * 0.24), width, int(height * 0.3)], fill=(120, 128, 132))
    bus_top, bus_bottom = int(height * 0.42), int(height * 0.76)
    left, right = int(width * 0.18), int(width * 0.86)
    draw.rounded_rectangle([left, bus_top, right, bus_bottom], radius=28, fill=(0, 128, 128))
    for x in range(left + 40, right - 120, 150):  # windows
        draw.rounded_rectangle([x, bus_top + 30, x + 120, bus_top + 130], radius=10,
                               fill=(200, 232, 236))
    for wheel in (left + 170, right - 200):
        draw.ellipse([wheel - 60, bus_bottom - 60, wheel + 60, bus_bottom + 60], fill=(25, 25, 25))
    buffer = BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()
