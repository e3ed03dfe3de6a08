"""Checking an uploaded SVG with a real XML parser against an allow-list, before it is stored.

An SVG served from our origin is a document a browser may run, so the old regex over its text
was not enough (`<s:script xmlns:s="http://www.w3.org/2000/svg">` passed it). The upload is
parsed with expat, namespaces resolved, and refused (400, with what was wrong) unless:

- it is UTF-8 (an XML declaration may only say UTF-8), with no DOCTYPE (so no entities, no
  billion laughs, no external entities) and no processing instructions (`xml-stylesheet`);
- the root is `<svg>` in the SVG namespace, and every element is an SVG element of
  :data:`ELEMENTS` (no `script`, `foreignObject`, `animate`/`set`, `iframe`…) or lies in one of
  the inert editor-metadata namespaces (:data:`INERT_NAMESPACES`: Inkscape, Sodipodi, RDF…);
- attributes of SVG elements are in :data:`ATTRIBUTES` or `aria-…`/`data-…` (no `on…` event
  handlers, anywhere);
- `href` / `xlink:href` is a fragment (`#id`), or a `data:` PNG/JPEG/GIF/WebP on `<image>`;
- every CSS `url(…)` (in attributes, `style` or `<style>`) is a fragment, and CSS has no
  `@import`, `expression(`, `javascript:` or backslash escapes (which could spell them).

The bytes are stored unchanged when they pass, so what the admin uploaded is what is served;
the serving side adds a sandboxing CSP and `nosniff` (:mod:`owncastd.http.image_sniff`).
"""

from __future__ import annotations

import re
from xml.parsers import expat

from owncastd.http.json_body import BadRequestError


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
INERT_NAMESPACES = frozenset(
    {
        "http://www.inkscape.org/namespaces/inkscape",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://purl.org/dc/elements/1.1/",
        "http://creativecommons.org/ns#",
        "http://web.resource.org/cc/",
        "http://www.bohemiancoding.com/sketch/ns",
        "http://ns.adobe.com/AdobeIllustrator/10.0/",
        "http://ns.adobe.com/Graphs/1.0/",
        "http://ns.adobe.com/SaveForWeb/1.0/",
        "http://ns.adobe.com/Extensibility/1.0/",
        "http://ns.adobe.com/Variables/1.0/",
    }
)
ELEMENTS = _words(
    """svg g defs symbol use title desc metadata switch a path rect circle ellipse line polyline
    polygon text tspan textPath linearGradient radialGradient stop clipPath mask pattern marker
    image style filter feBlend feColorMatrix feComponentTransfer feComposite feFlood
    feGaussianBlur feMerge feMergeNode feMorphology feOffset feDropShadow feFuncR feFuncG
    feFuncB feFuncA feTile feTurbulence"""
)
ATTRIBUTES = _words(
    """id class style lang tabindex transform viewBox width height x y x1 y1 x2 y2 cx cy r rx ry
    fx fy fr d points pathLength preserveAspectRatio version baseProfile href type media title
    fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin
    stroke-miterlimit stroke-dasharray stroke-dashoffset stroke-opacity opacity color display
    visibility overflow clip clip-path clip-rule clipPathUnits mask maskUnits maskContentUnits
    patternUnits patternContentUnits patternTransform gradientUnits gradientTransform
    spreadMethod offset stop-color stop-opacity font-family font-size font-size-adjust
    font-stretch font-style font-variant font-weight text-anchor text-decoration
    dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing
    writing-mode direction unicode-bidi dx dy rotate textLength lengthAdjust startOffset method
    spacing side filter filterUnits primitiveUnits in in2 result stdDeviation mode operator k1
    k2 k3 k4 values tableValues slope intercept amplitude exponent radius flood-color
    flood-opacity lighting-color color-interpolation color-interpolation-filters
    color-rendering shape-rendering text-rendering image-rendering vector-effect paint-order
    mix-blend-mode isolation enable-background markerWidth markerHeight markerUnits refX refY
    orient marker-start marker-mid marker-end systemLanguage requiredFeatures
    requiredExtensions baseFrequency numOctaves seed stitchTiles edgeMode order divisor bias
    targetX targetY kernelMatrix preserveAlpha focusable role"""
)
_RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*", re.I)
_URL = re.compile(r"url\(\s*(['\"]?)\s*(.)", re.I)
_CSS_FORBIDDEN = re.compile(
    r"@import|expression\s*\(|javascript:|-moz-binding|behavior\s*:|\\", re.IGNORECASE
)


def check_svg(data: bytes) -> None:
    """Raise BadRequestError (400) unless `data` is an SVG of the allow-list."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequestError("logo SVG must be UTF-8 text") from None
    checker = _Checker()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.XmlDeclHandler = checker.xml_declaration
    parser.StartDoctypeDeclHandler = checker.doctype
    parser.EntityDeclHandler = checker.entity
    parser.ProcessingInstructionHandler = checker.instruction
    parser.StartElementHandler = checker.start
    parser.EndElementHandler = checker.end
    parser.CharacterDataHandler = checker.text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise BadRequestError(f"logo SVG is not well-formed XML: {exc}") from None
    if not checker.seen_root:
        raise BadRequestError("logo SVG has no <svg> element")


def _refuse(what: str) -> BadRequestError:
    return BadRequestError(f"logo SVG refused: {what[:120]}")


class _Checker:
    """expat handlers; each raises BadRequestError on the first thing not allowed."""

    def __init__(self) -> None:
        self.seen_root = False
        self._stack: list[str] = []
        self._css: list[str] | None = None  # text of the <style> element being read

    def xml_declaration(self, version: str, encoding: str | None, standalone: int) -> None:
        if encoding is not None and encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise _refuse(f"encoding {encoding} (only UTF-8)")

    def doctype(self, *_: object) -> None:
        raise _refuse("a DOCTYPE (entities and DTDs are not allowed)")

    def entity(self, name: str, *_: object) -> None:
        raise _refuse(f"entity declaration {name}")

    def instruction(self, target: str, _data: str) -> None:
        raise _refuse(f"processing instruction <?{target}?>")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if not self._stack:
            if namespace != SVG_NS or local != "svg":
                raise _refuse("the root element must be <svg> in the SVG namespace")
            self.seen_root = True
        if self._css is not None:  # a browser applies the text around it: nothing may hide there
            raise _refuse("an element inside <style>")
        if namespace == SVG_NS:
            if local not in ELEMENTS:
                raise _refuse(f"<{local}> element")
        elif namespace not in INERT_NAMESPACES:
            raise _refuse(f"element {local} in namespace {namespace or '(none)'}")
        for attribute, value in attributes.items():
            _check_attribute(local, namespace == SVG_NS, attribute, value)
        self._stack.append(name)
        if namespace == SVG_NS and local == "style":
            self._css = []

    def end(self, name: str) -> None:
        self._stack.pop()
        if self._css is not None and name == f"{SVG_NS} style":
            _check_css("".join(self._css), "<style>")
            self._css = None

    def text(self, data: str) -> None:
        if self._css is not None:
            self._css.append(data)


def _check_attribute(element: str, svg_element: bool, attribute: str, value: str) -> None:
    namespace, _, local = attribute.rpartition(" ")
    if local.lower().startswith("on"):
        raise _refuse(f"event handler attribute {local}")
    if local == "href" and namespace in ("", XLINK_NS):
        _check_href(element, value)
        return
    inert = local.startswith(("aria-", "data-"))
    if namespace == "" and svg_element and local not in ATTRIBUTES and not inert:
        raise _refuse(f"attribute {local} on <{element}>")
    if namespace not in ("", XLINK_NS, XML_NS) and namespace not in INERT_NAMESPACES:
        raise _refuse(f"attribute {local} in namespace {namespace}")
    _check_css(value, f"attribute {local}")


def _check_href(element: str, value: str) -> None:
    target = value.strip()
    if target.startswith("#") and "(" not in target:
        return
    if element == "image" and _RASTER_DATA.fullmatch(target):
        return
    raise _refuse(f"link {target[:60]!r} on <{element}> (only #fragments)")


def _check_css(text: str, where: str) -> None:
    if _CSS_FORBIDDEN.search(text):
        raise _refuse(f"{where}: @import, expression(), javascript: or a CSS escape")
    for match in _URL.finditer(text):
        if match[2] != "#":
            raise _refuse(f"{where}: url() other than a #fragment")
