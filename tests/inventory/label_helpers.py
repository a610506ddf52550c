"""Reading the labels' SVG back: draw its path with Pillow, decode it with zxing-cpp.

The SVG is drawn by our own code (inventory/labels.py) as one path in module units:
a Code 128's bars as filled rectangles (`M{x} 0h{w}v1h-{w}z`), a 2D code's rows as
lines one module thick (`M{x} {y}.5h{w}` then `m{gap} 0h{w}` along the row). This
draws exactly that path, nothing else, so a label that decodes here decodes
because of what the page sends.
The browser's drawing of the same SVG is tested in tests/e2e/test_labels.py.
"""

import re

import zxingcpp
from PIL import Image, ImageDraw

_VIEW_BOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_BAR = re.compile(r"M(\d+) 0h(\d+)v1h-(\d+)z")
_ROW = re.compile(r"M(\d+) (\d+)\.5h(\d+)((?:m\d+ 0h\d+)*)")
_ALONG = re.compile(r"m(\d+) 0h(\d+)")
_BARS_PATH = re.compile(r'<path fill="#000" d="([^"]*)"/>')
_ROWS_PATH = re.compile(r'<path fill="none" stroke="#000" stroke-width="1" d="([^"]*)"/>')
SVG = re.compile(r"<svg class=\"label-code\".*?</svg>", re.DOTALL)


def svg_image(svg: str, *, scale: int = 6) -> Image.Image:
    """The SVG's dark modules on white, `scale` pixels a module (a Code 128 60 px high)."""
    found = _VIEW_BOX.search(svg)
    assert found, svg[:200]
    width, height = int(found[1]), int(found[2])
    bars = height == 1  # a Code 128: one module high, stretched to its bar height
    image = Image.new("L", (width * scale, 60 if bars else height * scale), 255)
    draw = ImageDraw.Draw(image)

    def dark(x: int, y: int, w: int) -> None:
        top, bottom = (0, image.height) if bars else (y * scale, (y + 1) * scale)
        draw.rectangle([x * scale, top, (x + w) * scale - 1, bottom - 1], fill=0)

    if bars:
        (path,) = _BARS_PATH.findall(svg)
        assert _BAR.sub("", path) == "", "the path is bars only"
        for x, w, back in _BAR.findall(path):
            assert back == w
            dark(int(x), 0, int(w))
        return image
    (path,) = _ROWS_PATH.findall(svg)
    assert _ROW.sub("", path) == "", "the path is rows only"
    for x, y, w, along in _ROW.findall(path):
        x, y, w = int(x), int(y), int(w)
        dark(x, y, w)
        for gap, length in _ALONG.findall(along):
            x, w = x + w + int(gap), int(length)
            dark(x, y, w)
    return image


def svg_runs(svg: str) -> list[tuple[int, int, int]]:
    """A 2D code's dark runs (x, y, length) in module units, as its path draws them."""
    (path,) = _ROWS_PATH.findall(svg)
    runs = []
    for x, y, w, along in _ROW.findall(path):
        x, y, w = int(x), int(y), int(w)
        runs.append((x, y, w))
        for gap, length in _ALONG.findall(along):
            x, w = x + w + int(gap), int(length)
            runs.append((x, y, w))
    return runs


def svg_decoded(svg: str) -> list:
    """What zxing-cpp reads in the SVG."""
    return zxingcpp.read_barcodes(svg_image(svg))


def page_svgs(html: str) -> list[str]:
    return SVG.findall(html)
