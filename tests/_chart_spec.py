"""Reading a chart's Vega-Lite spec in tests: its layers, encodings, colours and rules."""
from __future__ import annotations

__all__ = ["layers", "encoding", "tooltip_fields", "data_layers", "color_of", "rules"]


def layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def encoding(layer: dict, channel: str) -> dict:
    return layer.get("encoding", {}).get(channel, {})


def tooltip_fields(layer: dict) -> dict[str, str]:
    tip = encoding(layer, "tooltip")
    tip = tip if isinstance(tip, list) else [tip] if tip else []
    return {t["field"]: t.get("title") for t in tip}


def data_layers(spec: dict) -> list[dict]:
    """Layers that draw the report's figures (not the mean or target rules)."""
    top = spec.get("data", {}).get("name")
    return [layer for layer in layers(spec)
            if layer.get("data", {}).get("name", top) == "rows"]


def color_of(spec: dict, label: str) -> str:
    for layer in layers(spec):
        scale = encoding(layer, "color").get("scale", {})
        if label in scale.get("domain", []):
            return scale["range"][scale["domain"].index(label)]
    raise AssertionError(f"{label!r} is not in any colour scale")


def rules(spec: dict) -> list[float]:
    out = []
    for layer in layers(spec):
        mark = layer.get("mark", {})
        if (mark.get("type") if isinstance(mark, dict) else mark) == "rule":
            name = layer["data"]["name"]
            out += [row[encoding(layer, "x")["field"]] for row in spec["datasets"][name]]
    return out
