"""A faster, inference-only copy of a frozen backbone: BatchNorm folded into the convolution
before it.

A frozen backbone runs in eval mode, where each BatchNorm is a fixed per-channel affine map;
folding it into the preceding convolution's weights (``torch.nn.utils.fusion
.fuse_conv_bn_eval``) removes one full pass over every activation map. The graph is found with
``torch.fx`` so any architecture that traces works (torchvision's and EfficientNet-Lite's);
one that does not trace is returned as an unfolded copy. Only plain ``nn.BatchNorm2d`` layers
are folded; subclasses stay as they are. The copy is only valid while the backbone's weights
do not change, so the training loop rebuilds it when they do.
"""

from __future__ import annotations

import copy

from torch import fx, nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from .rng import module_calls_patched


class _ConvLeafTracer(fx.Tracer):
    """Keeps every ``Conv2d`` (subclasses too, e.g. "same"-padding convs) a single node, so a
    conv -> BatchNorm pair is visible to the folding pass."""

    def is_leaf_module(self, m: nn.Module, module_qualified_name: str) -> bool:
        return isinstance(m, nn.Conv2d | nn.BatchNorm2d) or super().is_leaf_module(
            m, module_qualified_name
        )


def _set_module(root: nn.Module, dotted: str, new: nn.Module) -> None:
    parent_name, _, name = dotted.rpartition(".")
    parent = root.get_submodule(parent_name) if parent_name else root
    setattr(parent, name, new)


def fold_batchnorm(backbone: nn.Module) -> tuple[nn.Module, int]:
    """An eval-mode, gradient-free copy of ``backbone`` with every ``Conv2d -> BatchNorm2d``
    pair (a plain ``BatchNorm2d``, not a subclass) folded into one conv. Returns ``(module,
    pairs folded)``; the original is untouched.

    Outputs equal the original's in eval mode up to float rounding (tested to 1e-4).
    """
    net = copy.deepcopy(backbone).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    try:
        with module_calls_patched():  # tracing patches nn.Module.__call__ process-wide
            graph = _ConvLeafTracer().trace(net)
    except Exception:  # any untraceable model: run it unfolded, never fail
        return net, 0
    gm = fx.GraphModule(net, graph)
    modules = dict(gm.named_modules())
    folded = 0
    for node in list(gm.graph.nodes):
        # Exactly BatchNorm2d: a subclass may do more than normalise (timm's BatchNormAct2d
        # applies its activation inside), and folding would drop that.
        if node.op != "call_module" or type(modules[node.target]) is not nn.BatchNorm2d:
            continue
        src = node.args[0] if node.args else None
        if not isinstance(src, fx.Node) or src.op != "call_module" or len(src.users) != 1:
            continue
        conv, bn = modules[src.target], modules[node.target]
        if not isinstance(conv, nn.Conv2d) or not bn.track_running_stats:
            continue
        _set_module(gm, src.target, fuse_conv_bn_eval(conv, bn))
        node.replace_all_uses_with(src)
        gm.graph.erase_node(node)
        folded += 1
    gm.graph.lint()
    gm.delete_all_unused_submodules()
    gm.recompile()
    return gm.eval(), folded


__all__ = ["fold_batchnorm"]
