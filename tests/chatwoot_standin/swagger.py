"""The seed Swagger as Prism reads it: a copy made at test time, never an edit of the seed.

The seed (`shared/spec/seeds/chatwoot-swagger.json.txt`) is a copied web blame view. We keep
Chatwoot's published API and change only what stops Prism from using it:

1. Drop everything before the first `{` line and every blame timestamp line (the facts file, §0):
   what remains is the JSON document.
2. Give the 17 `platform/api/v1/…` paths their leading `/`: Prism aborts on the first request
   with "Malformed path" otherwise (Chatwoot serves them at `/platform/api/v1/…`).
3. Allow `"api"` as `channel.type` of `POST /inboxes/`: the seed lists only `web_widget`, but
   Chatwoot creates API-channel inboxes with exactly this body (facts file §2, "API-inbox
   webhook_url"; §5 step 1), and the bridge needs one.
4. Rename the path template `{converstion_id}` (a typo in two paths) to `{conversation_id}`:
   their path-level parameter is named `conversation_id`, so Prism refuses every request to
   them ("Request path must have required property 'conversation_id'").
5. Drop `POST …/conversations/{id}/messages` (the multipart attachment upload): it is the same
   route as the JSON `POST …/conversations/{conversation_id}/messages`, and Prism, matching the
   first of the two, checked JSON bodies against the multipart form (so nothing at all). The
   client sends JSON only.
6. Turn `"required": true` written inside a schema property (OpenAPI-3 parameter style, not
   JSON Schema) into the parent object's `required` list: Prism's validator cannot compile a
   schema with a boolean `required`, and then checks no body at all. For the same reason a
   `"type": "file"` inside a JSON body schema (the inbox avatar) becomes `"string"`.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

BLAME_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00")
INBOX_CREATE = "/api/v1/accounts/{account_id}/inboxes/"
MULTIPART_MESSAGES = "/api/v1/accounts/{account_id}/conversations/{id}/messages"


def seed_path() -> Path:
    """Where the seed is: `$CHATWOOT_SWAGGER`, else `shared/spec/seeds/` beside the repo."""
    if found := os.environ.get("CHATWOOT_SWAGGER"):
        return Path(found)
    root = Path(__file__).resolve().parents[2]
    for base in (root.parent, *root.parents):
        candidate = base / "shared" / "spec" / "seeds" / "chatwoot-swagger.json.txt"
        if candidate.exists():
            return candidate
    return root.parent / "shared" / "spec" / "seeds" / "chatwoot-swagger.json.txt"


def load_seed(path: Path) -> dict[str, Any]:
    """The seed's JSON document (step 1)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "{")
    kept = [line for line in lines[start:] if not BLAME_LINE.match(line)]
    doc: dict[str, Any] = json.loads("\n".join(kept))
    return doc


def fixed(doc: dict[str, Any]) -> dict[str, Any]:
    """Steps 2 to 6 on a parsed seed."""
    doc = json.loads(json.dumps(doc))
    doc["paths"] = {
        (path if path.startswith("/") else f"/{path}").replace(
            "{converstion_id}", "{conversation_id}"
        ): ops
        for path, ops in doc["paths"].items()
    }
    del doc["paths"][MULTIPART_MESSAGES]
    _fix_required(doc)
    body = doc["paths"][INBOX_CREATE]["post"]["parameters"][0]["schema"]
    channel_type = body["properties"]["channel"]["properties"]["type"]
    channel_type["enum"] = [*channel_type["enum"], "api"]
    return doc


def write_prism_copy(dest: Path, seed: Path | None = None) -> Path:
    """Write the fixed document to `dest` (JSON) and return it."""
    dest.write_text(json.dumps(fixed(load_seed(seed or seed_path())), indent=1), encoding="utf-8")
    return dest


def _fix_required(node: Any) -> None:
    """Step 6, in place, everywhere in the document."""
    if isinstance(node, list):
        for item in node:
            _fix_required(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "file" and "in" not in node:
        node["type"] = "string"
    props = node.get("properties")
    if isinstance(props, dict):
        names = []
        for name, prop in props.items():
            if isinstance(prop, dict) and isinstance(prop.get("required"), bool):
                names += [name] if prop.pop("required") else []
        if names:
            node["required"] = sorted({*node.get("required", []), *names})
    for value in node.values():
        _fix_required(value)
