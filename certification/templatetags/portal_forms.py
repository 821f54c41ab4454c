"""One input with its label, value and errors, for forms whose inputs are named by field path."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("includes/path_field.html", takes_context=True)
def path_field(
    context,
    name: str,
    index: int | None = None,
    attr: str | None = None,
    *,
    label: str = "",  # type: ignore[no-untyped-def]
    type: str = "text",
    choices=None,
    required: bool = False,
    help: str = "",
    step: str = "",
    compact: bool = False,
):
    full = name if index is None else f"{name}[{index}].{attr}"
    value = context.get("values", {}).get(full)
    return {
        "name": full,
        "id": "f-" + full.replace("[", "-").replace("]", "").replace(".", "-"),
        "value": "" if value is None else value,
        "errors": context.get("errors", {}).get(full, []),
        "label": label,
        "type": type,
        "choices": choices,
        "required": required,
        "help": help,
        "step": step,
        "compact": compact,
        "readonly": context.get("readonly", False),
    }
