"""The protocol documents agree with the code: docs/asyncapi.yaml and docs/protocol.md
against feeds/wire/ and the shipped workflow table (feeds/city/defaults/workflow.json).

Fails when a message type, field, default or error code is added, removed or
changed on one side only, when a JSON example in the documents no longer
decodes (or names a field the code does not have), and when the workflow
tables of docs/protocol.md §5 are not the ones the shipped workflow makes.
``python -m tests.test_asyncapi`` prints those tables, to paste between their
markers after the workflow changed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from feeds import wire as p
from feeds.domain import ROLE_NAMES, Role

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ASYNCAPI = DOCS / "asyncapi.yaml"
PROTOCOL_MD = DOCS / "protocol.md"
WORKFLOW_JSON = ROOT / "feeds" / "city" / "defaults" / "workflow.json"
TABLES_BEGIN = (
    "<!-- workflow tables: made by `python -m tests.test_asyncapi` from feeds/city/defaults/workflow.json -->"
)
TABLES_END = "<!-- end of the workflow tables -->"
SCHEMA_REF = "#/components/schemas/{name}"

CLIENT_TYPES: tuple[type[msgspec.Struct], ...] = p.ClientMessage.__args__  # type: ignore[attr-defined]
SERVER_TYPES: tuple[type[msgspec.Struct], ...] = p.ServerMessage.__args__  # type: ignore[attr-defined]
INGEST_TYPES: tuple[type[msgspec.Struct], ...] = p.IngestItem.__args__  # type: ignore[attr-defined]
MESSAGE_TYPES = tuple(dict.fromkeys(CLIENT_TYPES + INGEST_TYPES + SERVER_TYPES))
ERROR_CODES = sorted(value for name, value in vars(p.ErrorCode).items() if name.isupper())


def tag(struct: type[msgspec.Struct]) -> str:
    return str(struct.__struct_config__.tag)


CLIENT_TAGS = {tag(t) for t in CLIENT_TYPES}
SERVER_TAGS = {tag(t) for t in SERVER_TYPES}


@pytest.fixture(scope="module")
def asyncapi() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(ASYNCAPI.read_text(encoding="utf-8"))
    return document


def resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow local ``$ref``s (``#/a/b``) until a node without one."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are used: {ref}"
        node = document
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def messages_by_tag(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each AsyncAPI message's payload schema, keyed by the ``type`` it fixes."""
    found: dict[str, dict[str, Any]] = {}
    for key, message in document["components"]["messages"].items():
        payload = resolve(document, message["payload"])
        message_type = payload["properties"]["type"]["const"]
        assert message_type not in found, f"two messages for type {message_type!r}"
        assert key == message_type, f"message {key!r} is for type {message_type!r}"
        found[message_type] = payload
    return found


def field_names(struct: type[msgspec.Struct]) -> tuple[set[str], set[str]]:
    """(required, optional) wire names of a message struct, ``type`` included."""
    required, optional = {"type"}, set()
    for field in msgspec.structs.fields(struct):
        (required if field.required else optional).add(field.encode_name)
    return required, optional


# -- message types -----------------------------------------------------------


@pytest.mark.parametrize("struct", MESSAGE_TYPES, ids=tag)
def test_every_message_type_is_in_the_asyncapi_document_with_its_fields(
    asyncapi: dict[str, Any], struct: type[msgspec.Struct]
) -> None:
    messages = messages_by_tag(asyncapi)
    assert tag(struct) in messages, f"docs/asyncapi.yaml has no message for {tag(struct)!r}"
    schema = messages[tag(struct)]
    required, optional = field_names(struct)
    assert set(schema.get("required", [])) == required
    assert set(schema["properties"]) - required == optional


def test_the_document_has_no_message_the_code_lacks(asyncapi: dict[str, Any]) -> None:
    assert set(messages_by_tag(asyncapi)) == {tag(t) for t in MESSAGE_TYPES}


def test_operations_give_every_message_its_direction(asyncapi: dict[str, Any]) -> None:
    """The document describes the hub: it receives client frames and sends server frames."""
    channel_messages = {
        resolve(asyncapi, ref)["name"] for ref in asyncapi["channels"]["hub"]["messages"].values()
    }
    received: set[str] = set()
    sent: set[str] = set()
    for name, operation in asyncapi["operations"].items():
        assert operation["action"] in ("send", "receive"), name
        names = {resolve(asyncapi, ref)["name"] for ref in operation["messages"]}
        (received if operation["action"] == "receive" else sent).update(names)
        if "reply" in operation:
            sent.update(resolve(asyncapi, ref)["name"] for ref in operation["reply"]["messages"])
    assert received == CLIENT_TAGS
    assert sent == SERVER_TAGS
    assert channel_messages == CLIENT_TAGS | SERVER_TAGS


# -- schemas -----------------------------------------------------------------

_DOC_ONLY = {"description", "title", "examples"}


def normalized(schema: Any) -> Any:
    """A JSON Schema without documentation, in the shape docs/asyncapi.yaml uses.

    msgspec writes a one-value enum for a tag and ``anyOf`` + an OpenAPI
    ``discriminator`` for a tagged union; the document writes ``const`` and
    ``oneOf`` (AsyncAPI's ``discriminator`` means something else).
    """
    if isinstance(schema, list):
        return [normalized(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DOC_ONLY or key.startswith("x-"):
            continue
        if key == "properties":
            out[key] = {name: normalized(sub) for name, sub in value.items()}
        elif key in ("required", "enum"):
            out[key] = sorted(value)
        else:
            out[key] = normalized(value)
    if "discriminator" in out:
        del out["discriminator"]
        out["oneOf"] = out.pop("anyOf")
    if list(out) == ["enum"] and len(out["enum"]) == 1:
        return {"const": out["enum"][0]}
    return out


_, CODE_SCHEMAS = msgspec.json.schema_components([p.ClientMessage, p.ServerMessage], ref_template=SCHEMA_REF)


@pytest.mark.parametrize("name", sorted(CODE_SCHEMAS))
def test_payload_schemas_match_the_msgspec_structs(asyncapi: dict[str, Any], name: str) -> None:
    """Types, defaults, nullability and enumerations too, not only the field names."""
    documented = asyncapi["components"]["schemas"]
    assert name in documented, f"docs/asyncapi.yaml has no schema {name!r}"
    assert normalized(documented[name]) == normalized(CODE_SCHEMAS[name])


def test_the_document_has_no_schema_the_code_lacks(asyncapi: dict[str, Any]) -> None:
    assert set(asyncapi["components"]["schemas"]) == set(CODE_SCHEMAS)


# -- version and error codes -----------------------------------------------


def test_the_document_is_asyncapi_3_for_this_protocol_version(asyncapi: dict[str, Any]) -> None:
    assert str(asyncapi["asyncapi"]).startswith("3.")
    major = int(str(asyncapi["info"]["version"]).split(".")[0])
    assert major == p.PROTOCOL_VERSION


@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_error_code_is_documented(asyncapi: dict[str, Any], code: str) -> None:
    assert f"`{code}`" in PROTOCOL_MD.read_text(encoding="utf-8"), f"docs/protocol.md never names {code!r}"
    assert code in asyncapi["components"]["messages"]["error"]["x-error-codes"]


def test_the_documented_error_codes_exist(asyncapi: dict[str, Any]) -> None:
    assert set(asyncapi["components"]["messages"]["error"]["x-error-codes"]) == set(ERROR_CODES)


def test_the_limits_in_the_prose_are_the_codes() -> None:
    text = PROTOCOL_MD.read_text(encoding="utf-8")
    assert f"{p.MAX_FRAME_BYTES:,}".replace(",", " ") in text  # 4 194 304
    assert f"{p.MAX_BATCH_ITEMS:,}".replace(",", " ") in text  # 20 000


# -- examples ----------------------------------------------------------------


def unknown_fields(raw: Any, decoded: Any, path: str = "$") -> list[str]:
    """Keys in ``raw`` that ``decoded`` has no field for (decoding ignores them silently)."""
    if isinstance(decoded, msgspec.Struct):
        assert isinstance(raw, dict), path
        names = {f.encode_name: f.name for f in msgspec.structs.fields(decoded)}
        tag_field = decoded.__struct_config__.tag_field
        found: list[str] = []
        for key, value in raw.items():
            if key == tag_field:
                continue
            if key not in names:
                found.append(f"{path}.{key}")
            else:
                found += unknown_fields(value, getattr(decoded, names[key]), f"{path}.{key}")
        return found
    if isinstance(decoded, list):
        return [
            bad
            for n, (r, d) in enumerate(zip(raw, decoded, strict=True))
            for bad in unknown_fields(r, d, f"{path}[{n}]")
        ]
    if isinstance(decoded, dict):
        return [bad for key in raw for bad in unknown_fields(raw[key], decoded[key], f"{path}.{key}")]
    return []


def decode_frame(frame: str | bytes) -> msgspec.Struct:
    """Decode with the decoder of the side that receives this type; check no field is unknown."""
    raw = msgspec.json.decode(frame)
    assert isinstance(raw, dict) and "type" in raw, "an example is one frame: a JSON object with a type"
    if raw["type"] in CLIENT_TAGS:
        message: msgspec.Struct = p.decode_client(frame)
    else:
        message = p.decode_server(frame)
    assert not unknown_fields(raw, message), f"fields the code does not have: {unknown_fields(raw, message)}"
    return message


def markdown_examples() -> list[str]:
    return re.findall(r"^```json\n(.*?)^```", PROTOCOL_MD.read_text(encoding="utf-8"), re.M | re.S)


@pytest.mark.parametrize("frame", markdown_examples(), ids=lambda frame: frame[:40].replace("\n", " "))
def test_json_examples_in_the_prose_decode(frame: str) -> None:
    decode_frame(frame)


def test_the_prose_shows_every_message_type() -> None:
    shown = {type(decode_frame(frame)) for frame in markdown_examples()}
    assert {tag(t) for t in MESSAGE_TYPES} - {tag(t) for t in shown} == set()


def test_asyncapi_examples_decode_as_their_message(asyncapi: dict[str, Any]) -> None:
    for name, message in asyncapi["components"]["messages"].items():
        for example in message.get("examples", []):
            decoded = decode_frame(msgspec.json.encode(example["payload"]))
            assert tag(type(decoded)) == name


# -- the workflow table ------------------------------------------------------

#: The conditions a transition may name (feeds.city.workflow.CONDITIONS), in words.
CONDITION_WORDS = {
    "appealable": "only when a stage ran out of time (`late`) and no appeal stands",
    "appeal_pending": "only while an appeal is pending",
    "appeal_forwarded": "only once the dispatcher has forwarded the appeal",
    "appeal_open": "only while an appeal is pending or forwarded",
}
CLOCK_WORDS = {"open": "runs", "paused": "stands still", "final": "none: the case is over"}


def _codes(codes: list[str]) -> str:
    return ", ".join(f"`{code}`" for code in codes)


def _from_states(states: list[str], open_states: list[str]) -> str:
    """The states a transition leaves from; a long list is said as "any open state but …"."""
    opened = [state for state in open_states if state in states]
    finals = [state for state in states if state not in open_states]
    if len(opened) > 6:
        missing = [state for state in open_states if state not in states]
        said = "any open state" + (f" but {_codes(missing)}" if missing else "")
    else:
        said = _codes(opened)
    return ", and ".join(filter(None, [_codes(finals), said]))


def _who(roles: list[str]) -> str:
    return ", ".join(
        f"{ROLE_NAMES[Role(role)][0]} `{role}`" if role in set(Role) else f"the hub itself (`{role}`)"
        for role in roles
    )


def workflow_tables(document: dict[str, Any] | None = None) -> str:
    """The states and actions tables of docs/protocol.md §5, from the workflow table (the shipped
    one by default), between the markers that tell the test where they are."""
    workflow = document or json.loads(WORKFLOW_JSON.read_text(encoding="utf-8"))
    states = workflow["states"]
    open_states = [s["code"] for s in states if s["clock"] != "final"]
    lines = [
        TABLES_BEGIN,
        "",
        "| state | 中文 | English | stage whose time runs | its clock |",
        "| --- | --- | --- | --- | --- |",
    ]
    for state in states:
        stage = f"`{state['stage']}`" if state["stage"] else "—"
        clock = CLOCK_WORDS[state["clock"]]
        lines.append(f"| `{state['code']}` | {state['name']} | {state['name_en']} | {stage} | {clock} |")
    lines += [
        "",
        "| `action` | 中文 | English | who | from → to | requires |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for action in workflow["actions"]:
        for row in workflow["transitions"]:
            if row["action"] != action["code"]:
                continue
            moves = _from_states(row["from"], open_states)
            moves += f" → `{row['to']}`" if row.get("to") else " (the state stays)"
            notes = [CONDITION_WORDS.get(row.get("when", ""), row.get("when", ""))]
            if row.get("levels", 1) > 1:
                levels = {2: "two", 3: "three"}.get(row["levels"], str(row["levels"]))
                notes.append(f"only in a city that dispatches in {levels} levels")
            moves = "; ".join(filter(None, [moves, *notes]))
            requires = _codes(action["requires"]) or "—"
            lines.append(
                f"| `{action['code']}` | {action['name']} | {action['name_en']} | {_who(row['roles'])} "
                f"| {moves} | {requires} |"
            )
    lines += ["", TABLES_END]
    return "\n".join(lines)


def test_the_workflow_tables_in_the_prose_are_the_shipped_workflow() -> None:
    text = PROTOCOL_MD.read_text(encoding="utf-8")
    assert TABLES_BEGIN in text and TABLES_END in text, "docs/protocol.md lost the workflow tables' markers"
    documented = text[text.index(TABLES_BEGIN) : text.index(TABLES_END) + len(TABLES_END)]
    assert documented == workflow_tables(), "run `python -m tests.test_asyncapi` and paste its tables"


def test_the_workflow_tables_show_every_state_action_and_row() -> None:
    """The tables are made from the JSON; this holds the maker to it (a row it left out)."""
    workflow = json.loads(WORKFLOW_JSON.read_text(encoding="utf-8"))
    tables = workflow_tables()
    for state in workflow["states"]:
        assert f"| `{state['code']}` | {state['name']} |" in tables
    actions_table = tables[tables.index("| `action` |") :]
    rows = [line for line in actions_table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(workflow["transitions"]) + 1  # and the header
    for action in workflow["actions"]:
        assert f"| `{action['code']}` | {action['name']} |" in tables, action["code"]
    shuffled = {**workflow, "actions": workflow["actions"][::-1]}
    assert workflow_tables(shuffled) != tables  # the order of the JSON is the order of the table


@pytest.mark.parametrize("role", list(Role))
def test_every_role_is_documented(role: Role) -> None:
    assert f"`{role}`" in PROTOCOL_MD.read_text(encoding="utf-8")


if __name__ == "__main__":
    print(workflow_tables())
