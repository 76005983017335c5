"""A validator for the subset of JSON Schema (draft 2020-12) that kdpctl-output.schema.json uses:
type, properties, required, additionalProperties (false or a schema), items, prefixItems, enum,
const, minimum, maximum, pattern, oneOf, anyOf, $ref to "#/$defs/NAME". Anything else in a schema
is an error, so the schema cannot silently say more than is checked."""
import re

KNOWN = {"$schema", "$id", "$defs", "$comment", "title", "description", "type", "properties",
         "required", "additionalProperties", "items", "prefixItems", "enum", "const", "minimum",
         "maximum", "pattern", "oneOf", "anyOf", "$ref"}

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def errors(value, schema, root, path="$"):
    """Every way `value` fails `schema`, as "path: why" strings (empty when it is valid)."""
    unknown = set(schema) - KNOWN
    if unknown:
        return [f"{path}: schema uses unsupported keywords {sorted(unknown)}"]
    if "$ref" in schema:
        name = schema["$ref"]
        if not name.startswith("#/$defs/") or name[8:] not in root.get("$defs", {}):
            return [f"{path}: unresolvable $ref {name}"]
        return errors(value, root["$defs"][name[8:]], root, path)
    found = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[t](value) for t in types):
            return [f"{path}: {json_type(value)} is not {'/'.join(types)}"]
    if "const" in schema and value != schema["const"]:
        found.append(f"{path}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if "minimum" in schema and TYPES["number"](value) and value < schema["minimum"]:
        found.append(f"{path}: {value} < {schema['minimum']}")
    if "maximum" in schema and TYPES["number"](value) and value > schema["maximum"]:
        found.append(f"{path}: {value} > {schema['maximum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        found.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                found.append(f"{path}: missing {key!r}")
        for key, item in value.items():
            if key in props:
                found += errors(item, props[key], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{path}: unexpected {key!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                found += errors(item, schema["additionalProperties"], root, f"{path}.{key}")
    if isinstance(value, list):
        prefix = schema.get("prefixItems", [])
        for i, item in enumerate(value):
            if i < len(prefix):
                found += errors(item, prefix[i], root, f"{path}[{i}]")
            elif "items" in schema:
                found += errors(item, schema["items"], root, f"{path}[{i}]")
    if "anyOf" in schema:
        results = [errors(value, s, root, path) for s in schema["anyOf"]]
        if all(results):
            found.append(f"{path}: matches none of anyOf: " + " | ".join(r[0] for r in results))
    if "oneOf" in schema:
        results = [errors(value, s, root, path) for s in schema["oneOf"]]
        matches = sum(1 for r in results if not r)
        if matches != 1:
            why = " | ".join(r[0] for r in results if r)
            found.append(f"{path}: matches {matches} of oneOf, not 1" + (f": {why}" if why else ""))
    return found


def json_type(value):
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if TYPES[name](value):
            return name
    return type(value).__name__
