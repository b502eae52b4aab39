"""``tlgui inspect``: what a run would train, and how it sees a picture, before training.

Takes the same options as ``train`` (backbone, weights, mode, learning rates, optimizer,
augmentation, …) plus ``--classes``, ``--image`` and ``--json``; the answers come from
:func:`tlgui.engine.inspector.inspect_model`. Without ``--image`` no weights are loaded.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from .options import UsageError, add_training_options, config_from_args, positive_int


def add_inspect_parser(sub: Any) -> None:
    """The ``inspect`` sub-command's parser, on the sub-parsers of ``tlgui``."""
    p = sub.add_parser(
        "inspect",
        help="show what trains (layers, parameter groups, learning rates), the pre- and "
        "postprocessing, and try a picture, before training",
        description="The model a run of these settings starts from: its layers with their "
        "parameter counts and whether they train, the optimizer's parameter groups with "
        "their learning rates, the totals per phase, the preprocessing, the training "
        "augmentation and the postprocessing. With --image, one picture through the "
        "network. Takes the same options as train.",
    )
    add_training_options(p)
    p.add_argument(
        "--classes", type=positive_int, default=2, metavar="N", help="classes (default: 2)"
    )
    p.add_argument(
        "--image",
        metavar="PATH",
        help="run this picture through the network: the input tensor, the output shape, the "
        "pretrained network's ImageNet top-5 and the new head's (untrained) probabilities",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def cmd_inspect(args: argparse.Namespace) -> int:
    from ..engine.backbones import WeightsError
    from ..engine.data import ImageLoadError
    from ..engine.inspector import inspect_model

    config = config_from_args(args)
    if args.image is not None and not os.path.lexists(args.image):
        raise UsageError(f"no such file: {args.image}")
    try:
        report = inspect_model(config, args.classes, image=args.image)
    except (ImageLoadError, WeightsError) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(report))
    else:
        print("\n".join(render_text(report)))
    return 0


def _n(value: int) -> str:
    return f"{value:,}"


def _totals(params: dict[str, int]) -> str:
    return (
        f"{_n(params['total'])} parameters: {_n(params['trainable'])} train, "
        f"{_n(params['frozen'])} frozen"
    )


def _step(step: dict[str, Any]) -> Any:
    from ..engine.inspector import Step

    return Step(step["op"], step["args"])


def _steps(steps: list[dict[str, Any]]) -> list[str]:
    return [f"  {i}. {_step(s)}" for i, s in enumerate(steps, 1)]


def render_text(report: dict[str, Any]) -> list[str]:
    """The report of :func:`~tlgui.engine.inspector.inspect_model` for a terminal."""
    r = report
    lines = [
        f"{r['backbone']} · mode {r['mode']} · {r['classes']} classes · optimizer "
        f"{r['optimizer']}, schedule {r['scheduler']}",
        _totals(r["params"]),
    ]
    phases = r["phases"]
    for i, phase in enumerate(phases, 1):
        first, last = phase["epochs"]
        what = "backbone frozen, the head trains" if phase["backbone_frozen"] else "all train"
        lines += ["", f"Phase {i} (epochs {first}-{last}): {what}; {_totals(phase['params'])}"]
        lines.append(f"  {'group':<10} {'lr':>10} {'weight decay':>13} {'params':>12} tensors")
        for g in phase["param_groups"]:
            lines.append(
                f"  {g['name']:<10} {g['lr']:>10.3g} {g['weight_decay']:>13.3g} "
                f"{_n(g['params']):>12} {g['tensors']:>7}"
            )
    heading = " / ".join(f"phase {i}" for i in range(1, len(phases) + 1))
    lines += ["", f"Layers with parameters (trains? {heading}):"]
    width = max(len(x["name"]) for x in r["layers"])
    for k, layer in enumerate(r["layers"]):
        trains = " / ".join("yes" if p["layers"][k]["trainable"] else "no" for p in phases)
        lines.append(
            f"  {layer['name']:<{width}}  {layer['type']:<24} {_n(layer['params']):>10}  {trains}"
        )
    lines += ["", "Preprocessing (validation, prediction, a tried picture):"]
    lines += _steps(r["preprocess"])
    for view, steps in r["train_preprocess"].items():
        state = "frozen" if view == "frozen" else "training"
        lines += ["", f"Training pictures (backbone {state}):"]
        lines += _steps(steps)
    post = " -> ".join(str(_step(s)) for s in r["postprocess"])
    lines += ["", f"Postprocessing: logits -> {post}"]
    if "output" in r:
        lines += ["", *render_picture(r)]
    return lines


def render_picture(r: dict[str, Any]) -> list[str]:
    x, out = r["input"], r["output"]
    lines = [
        f"Picture {r['image']}",
        f"  input tensor {x['shape']}, values {x['min']:.3f} to {x['max']:.3f} "
        f"(mean {x['mean']:.3f}, std {x['std']:.3f})",
        f"  backbone features {out['features_shape']} -> head output {out['shape']}",
    ]
    if out["imagenet_top5"] is None:
        lines.append(f"  ImageNet top-5: none ({out.get('imagenet_note', '')})")
    else:
        lines.append(
            "  ImageNet top-5 (the pretrained network, before its output layer is replaced):"
        )
        lines += [f"    {p['prob']:7.2%}  {p['label']}" for p in out["imagenet_top5"]]
    lines.append("  the new head's probabilities (untrained):")
    lines += [f"    {p['prob']:7.2%}  {p['label']}" for p in out["head_probs"]]
    return lines


__all__ = ["add_inspect_parser", "cmd_inspect", "render_text"]
