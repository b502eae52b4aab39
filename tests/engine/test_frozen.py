"""BatchNorm folding touches plain ``nn.BatchNorm2d`` only: a subclass may do more."""

from __future__ import annotations

import torch
from torch import nn

from tlgui.engine.frozen import fold_batchnorm


class BatchNormAct(nn.BatchNorm2d):
    """Normalises, then applies an activation inside (like timm's ``BatchNormAct2d``)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(super().forward(x))


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 8, 3, padding=1), BatchNormAct(8)
        self.conv2, self.bn2 = nn.Conv2d(8, 4, 3, padding=1), nn.BatchNorm2d(4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn2(self.conv2(self.bn1(self.conv1(x))))


def _with_statistics(net: nn.Module) -> nn.Module:
    """Running statistics far from 0/1 and a negative shift, so the activation matters."""
    g = torch.Generator().manual_seed(0)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=g))
            m.running_var.copy_(torch.rand(n, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=g) - 0.5)
    return net.eval()


def test_a_batchnorm_subclass_with_an_activation_is_not_folded() -> None:
    net = _with_statistics(Net())
    folded, pairs = fold_batchnorm(net)
    assert pairs == 1  # conv2 -> BatchNorm2d only
    kinds = [type(m) for m in folded.modules()]
    assert BatchNormAct in kinds and nn.BatchNorm2d not in kinds
    x = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        want, got = net(x), folded(x)
    assert (net.bn1(net.conv1(x)) == 0).any()  # the activation really clips something
    torch.testing.assert_close(got, want, atol=1e-4, rtol=1e-4)
