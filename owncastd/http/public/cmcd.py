"""`/api/metrics/cmcd`: players' CMCD playback reports (develop spec §5.3). No auth, CORS `*`.

* `OPTIONS` → 204 with the allowed methods and the four `CMCD-*` headers.
* `GET ?CMCD=<dictionary>` and `POST` (a JSON object or array of objects, at most 64 KiB): the
  `CMCD` query parameter and the `CMCD-*` headers are merged into a single object, or appended
  to an array as one more report. Empty reports do not count.
* Answers: 200 with an empty body; 400 `{"success": false, "message": …}` for a body that is not
  JSON, a dictionary that does not parse, or no non-empty report
  (`no CMCD report found in request`).
"""

from __future__ import annotations

from quart import Blueprint, Response, request

from owncastd.core.cmcd import HEADERS, Reporter, parse_dictionary, session_id
from owncastd.core.viewers import client_id_for
from owncastd.errors import CmcdParseError
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.http.client_address import request_ip
from owncastd.http.context import WebContext
from owncastd.http.json_body import BadRequestError, parse_json
from owncastd.http.responses import error

MAX_CMCD_BODY = 64 * 1024
NO_REPORT = "no CMCD report found in request"
TOO_LARGE = "http: request body too large"  # Go's MaxBytesReader, as Owncast answers
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, " + ", ".join(HEADERS),
}


def _extra() -> dict[str, object]:
    """The members of the `CMCD` query parameter and the `CMCD-*` headers."""
    found: dict[str, object] = {}
    try:
        found.update(parse_dictionary(request.args.get("CMCD", "")))
        for name in HEADERS:
            found.update(parse_dictionary(request.headers.get(name, "")))
    except CmcdParseError as exc:
        raise BadRequestError(f"invalid CMCD data: {exc}") from None
    return found


async def _body_reports() -> tuple[list[dict[str, object]], bool]:
    """(the body's reports, whether it was an array); an empty body has none."""
    length = request.content_length
    if length is not None and length > MAX_CMCD_BODY:
        raise BadRequestError(TOO_LARGE)
    raw = await request.get_data(cache=False)
    assert isinstance(raw, bytes)
    if len(raw) > MAX_CMCD_BODY:
        raise BadRequestError(TOO_LARGE)
    if not raw.strip():
        return [], False
    value = parse_json(raw)
    if isinstance(value, dict):
        return [value], False
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return list(value), True
    raise BadRequestError("the body must be a JSON object or an array of objects")


async def _reports() -> list[dict[str, object]]:
    extra = _extra()
    reports, is_array = await _body_reports() if request.method == "POST" else ([], False)
    if reports and not is_array:
        reports[0].update(extra)
    elif extra:
        reports.append(extra)
    return [report for report in reports if report]


def _empty(status: int) -> Response:
    """No body and no Content-Type (as Go's bare WriteHeader)."""
    response = Response(b"", status=status)
    del response.headers["Content-Type"]
    return response


def create_cmcd_routes(ctx: WebContext, control: ControlPlane) -> Blueprint:
    """The blueprint."""
    bp = Blueprint("cmcd", __name__)

    @bp.after_request
    async def allow_any_origin(response: Response) -> Response:
        response.headers.update(CORS)
        return response

    @bp.route("/api/metrics/cmcd", methods=["GET", "POST", "OPTIONS"])
    async def cmcd() -> Response:
        if request.method == "OPTIONS":
            return _empty(204)
        try:
            reports = await _reports()
        except BadRequestError as exc:
            return error(exc.status, exc.message)
        if not reports:
            return error(400, NO_REPORT)
        ip, agent = request_ip(ctx.settings), request.headers.get("User-Agent", "")
        viewer_id = client_id_for(ip, agent)
        for report in reports:
            who = Reporter(session_id(report) or viewer_id, viewer_id, ip, agent)
            control.playback.record_cmcd(who, report)
        return _empty(200)

    return bp
