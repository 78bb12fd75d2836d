"""Checking a value against a template's JSON schema (the common subset of the standard).

No JSON-schema library is a dependency; the answer shapes users write (objects, arrays,
scalars, enums, bounds, local $refs) need only this much.
"""

from __future__ import annotations

from typing import Any

MAX_ERRORS = 5

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False  # JSON booleans are not numbers, though Python's are
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(kind, (object,)))


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = root
        for part in str(schema["$ref"]).removeprefix("#/").split("/"):
            if not isinstance(target, dict) or part not in target:
                raise ValueError(f"the schema's $ref {schema['$ref']!r} points nowhere")
            target = target[part]
        schema = target
    return schema


def schema_errors(value: Any, schema: dict[str, Any]) -> list[str]:
    """What is wrong with `value` under `schema` (empty: it is valid), at most a few."""
    errors: list[str] = []
    _check(value, schema, schema, "$", errors)
    return errors[:MAX_ERRORS]


def _check(value: Any, schema: Any, root: dict[str, Any], at: str, errors: list[str]) -> None:
    if not isinstance(schema, dict) or len(errors) >= MAX_ERRORS:
        return
    schema = _resolve(schema, root)
    kinds = schema.get("type")
    if kinds is not None:
        options = kinds if isinstance(kinds, list) else [kinds]
        if not any(_is(value, kind) for kind in options):
            errors.append(f"{at}: expected {' or '.join(map(str, options))}")
            return
    if "const" in schema and value != schema["const"]:
        errors.append(f"{at}: must be {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{at}: must be one of {schema['enum']!r}")
    for key in ("anyOf", "oneOf"):
        if key in schema and not any(_valid(value, option, root) for option in schema[key]):
            errors.append(f"{at}: matches none of the allowed shapes")
    for option in schema.get("allOf", []):
        _check(value, option, root, at, errors)
    if isinstance(value, str):
        _bounds(len(value), schema, "minLength", "maxLength", at, "characters", errors)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _numbers(value, schema, at, errors)
    elif isinstance(value, list):
        _bounds(len(value), schema, "minItems", "maxItems", at, "items", errors)
        for index, item in enumerate(value):
            _check(item, schema.get("items"), root, f"{at}[{index}]", errors)
    elif isinstance(value, dict):
        _object(value, schema, root, at, errors)


def _valid(value: Any, schema: Any, root: dict[str, Any]) -> bool:
    errors: list[str] = []
    _check(value, schema, root, "$", errors)
    return not errors


def _bounds(
    size: int, schema: dict[str, Any], low: str, high: str, at: str, unit: str, errors: list[str]
) -> None:
    if low in schema and size < schema[low]:
        errors.append(f"{at}: at least {schema[low]} {unit}")
    if high in schema and size > schema[high]:
        errors.append(f"{at}: at most {schema[high]} {unit}")


def _numbers(value: float, schema: dict[str, Any], at: str, errors: list[str]) -> None:
    if "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{at}: at least {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        errors.append(f"{at}: at most {schema['maximum']}")
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        errors.append(f"{at}: more than {schema['exclusiveMinimum']}")
    if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        errors.append(f"{at}: less than {schema['exclusiveMaximum']}")


def _object(
    value: dict[str, Any], schema: dict[str, Any], root: dict[str, Any], at: str, errors: list[str]
) -> None:
    properties: dict[str, Any] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            errors.append(f"{at}.{name}: required")
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            _check(item, properties[name], root, f"{at}.{name}", errors)
        elif extra is False:
            errors.append(f"{at}.{name}: not allowed")
        elif isinstance(extra, dict):
            _check(item, extra, root, f"{at}.{name}", errors)


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with local $refs replaced by what they point to, and no $defs left."""

    def walk(node: Any, trail: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(item, trail) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            ref = str(node["$ref"])
            if ref in trail:
                raise ValueError(f"the schema refers to itself through {ref!r}")
            return walk(_resolve({"$ref": ref}, schema), (*trail, ref))
        return {
            key: walk(value, trail)
            for key, value in node.items()
            if key not in ("$defs", "definitions")
        }

    result = walk(schema, ())
    assert isinstance(result, dict)
    return result


def schema_problems(schema: Any, at: str = "$") -> list[str]:
    """What makes `schema` unusable as an answer shape (empty: usable), at most a few.

    Checks the keywords `schema_errors` reads, so a typo fails when the template is saved
    rather than on every chunk it is asked of.
    """
    if not isinstance(schema, dict):
        return [f"{at}: a schema must be an object"]
    problems: list[str] = []
    kinds = schema.get("type")
    if kinds is not None:
        options = kinds if isinstance(kinds, list) else [kinds]
        unknown = [kind for kind in options if not isinstance(kind, str) or kind not in _TYPES]
        if unknown or not options:
            problems.append(f"{at}.type: use {', '.join(_TYPES)}")
    properties = schema.get("properties", {})
    if not isinstance(properties, dict):
        problems.append(f"{at}.properties: must be an object")
    else:
        for name, sub in properties.items():
            problems += schema_problems(sub, f"{at}.properties.{name}")
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(name, str) for name in required):
        problems.append(f"{at}.required: must be a list of property names")
    if "items" in schema:
        problems += schema_problems(schema["items"], f"{at}.items")
    if "enum" in schema and not isinstance(schema["enum"], list):
        problems.append(f"{at}.enum: must be a list")
    return problems[:MAX_ERRORS]
