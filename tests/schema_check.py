"""Validate records against the topic schemas in ``schemas/``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"


@cache
def _registry() -> Registry:
    resources = []
    for path in SCHEMA_DIR.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def validator(topic: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{topic}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())


def assert_valid(topic: str, record: object) -> None:
    errors = sorted(validator(topic).iter_errors(record), key=lambda e: list(e.path))
    assert not errors, f"{topic}: " + "; ".join(
        f"{list(e.path)}: {e.message}" for e in errors[:5])
