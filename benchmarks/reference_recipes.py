"""The two reference recipes benchmarks/bench_train.py measures tlgui's engine against: the
PyTorch transfer-learning tutorial (``baseline``) and a linear probe (``probe``); see
bench_train.py's docstring for what each does and why."""

from __future__ import annotations

import time
from pathlib import Path


def _train_val_dirs(data: str) -> tuple[str, str]:
    root = Path(data)
    val = next(d for d in ("val", "valid", "validation") if (root / d).is_dir())
    return str(root / "train"), str(root / val)


def run_baseline(cfg: dict, data: str, epochs: int, batch_size: int, device: str) -> dict:
    """The tutorial recipe, kept as plain as the tutorial writes it."""
    import torch
    from torch import nn
    from torchvision import datasets, transforms

    from tlgui.engine.backbones import build_backbone, get_info

    info = get_info(cfg["backbone"])
    norm = transforms.Normalize(info.mean, info.std)
    train_tf = (
        transforms.Compose(
            [
                transforms.RandomResizedCrop(224),
                transforms.RandomHorizontalFlip(),
                transforms.ToTensor(),
                norm,
            ]
        )
        if cfg["augment"]
        else transforms.Compose(
            [transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(), norm]
        )
    )
    val_tf = transforms.Compose(
        [transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(), norm]
    )
    train_dir, val_dir = _train_val_dirs(data)
    sets = {
        "train": datasets.ImageFolder(train_dir, train_tf),
        "val": datasets.ImageFolder(val_dir, val_tf),
    }
    workers = 8 if device == "cuda" else 2
    loaders = {
        k: torch.utils.data.DataLoader(
            v,
            batch_size=batch_size,
            shuffle=k == "train",
            num_workers=workers,
            pin_memory=device == "cuda",
        )
        for k, v in sets.items()
    }
    t_start = time.perf_counter()
    # Same backbone as the engine's: with random weights, the very network the engine starts
    # from (built under its seed, TrainConfig.seed 0). The head and everything after it are
    # unseeded, as in the tutorial, so the baseline's runs still differ from each other.
    torch.manual_seed(0)
    backbone = build_backbone(cfg["backbone"], cfg["weights"])
    torch.seed()
    model = nn.Sequential(backbone, nn.Linear(info.num_features, len(sets["train"].classes)))
    if cfg["mode"] == "transfer":
        for p in backbone.parameters():
            p.requires_grad = False
    model = model.to(device)
    criterion = nn.CrossEntropyLoss()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=1e-3, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=7, gamma=0.1)
    epoch_s, accs = [], []
    for _epoch in range(epochs):
        t0 = time.perf_counter()
        for phase in ("train", "val"):
            model.train() if phase == "train" else model.eval()
            correct = 0
            for x, y in loaders[phase]:
                x, y = x.to(device), y.to(device)
                optimizer.zero_grad()
                with torch.set_grad_enabled(phase == "train"):
                    out = model(x)
                    loss = criterion(out, y)
                    if phase == "train":
                        loss.backward()
                        optimizer.step()
                correct += (out.argmax(1) == y).sum().item()
            if phase == "train":
                scheduler.step()
            else:
                accs.append(correct / len(sets["val"]))
        if device == "cuda":
            torch.cuda.synchronize()
        epoch_s.append(time.perf_counter() - t0)
    return {
        "epoch_s": epoch_s,
        "val_acc": accs,
        "n_train": len(sets["train"]),
        "wall_s": time.perf_counter() - t_start,
    }


def _logreg(x, y, n_classes: int, l2: float):
    """Multinomial logistic regression, full-batch LBFGS, L2 on the weights only."""
    import torch

    w = torch.zeros(x.shape[1], n_classes, requires_grad=True)
    b = torch.zeros(n_classes, requires_grad=True)
    opt = torch.optim.LBFGS(
        [w, b], lr=1, max_iter=100, history_size=20, line_search_fn="strong_wolfe"
    )

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(x @ w + b, y) + l2 * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach(), b.detach()


def run_probe(cfg: dict, data: str, epochs: int, batch_size: int, device: str) -> dict:
    """Features once (eval transform, eval mode, inference mode, channels_last), then a
    logistic regression with the L2 strength chosen by 5-fold CV on the training features."""
    import torch

    from tlgui.engine.augment import eval_transform
    from tlgui.engine.backbones import build_backbone, get_info
    from tlgui.engine.data import ImageDataset, collate_skip, scan_dataset

    scan = scan_dataset(data)
    info = get_info(cfg["backbone"])
    tf = eval_transform(info.input_size, info.mean, info.std)
    t_start = time.perf_counter()
    # Seeded as the engine seeds its model (TrainConfig.seed 0): with random weights the probe
    # fits the very network the engine trains a head on, so the two compare heads, not draws.
    torch.manual_seed(0)
    net = (
        build_backbone(cfg["backbone"], cfg["weights"])
        .eval()
        .to(device, memory_format=torch.channels_last)
    )
    feats = {}
    with torch.inference_mode():
        for split in ("train", "val"):
            loader = torch.utils.data.DataLoader(
                ImageDataset(scan.splits[split], tf),
                batch_size=max(64, batch_size),
                num_workers=0 if device == "cpu" else 8,
                collate_fn=collate_skip,
            )
            xs, ys = [], []
            for x, y, _i, _bad in loader:
                x = x.to(device).contiguous(memory_format=torch.channels_last)
                xs.append(net(x).float().cpu())
                ys.append(y)
            feats[split] = (torch.cat(xs), torch.cat(ys))
    # clone() outside inference mode: normal tensors the regression's autograd may save.
    feats = {k: (x.clone(), y.clone()) for k, (x, y) in feats.items()}
    feature_s = time.perf_counter() - t_start
    (xtr, ytr), (xva, yva) = feats["train"], feats["val"]
    mean, std = xtr.mean(0), xtr.std(0).clamp(min=1e-6)
    xtr, xva = (xtr - mean) / std, (xva - mean) / std
    k = len(scan.classes)
    folds = torch.arange(len(ytr)) % 5
    folds = folds[torch.randperm(len(ytr), generator=torch.Generator().manual_seed(0))]
    grid = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
    cv = {}
    for l2 in grid:
        hits = 0
        for f in range(5):
            tr, te = folds != f, folds == f
            w, b = _logreg(xtr[tr], ytr[tr], k, l2)
            hits += int(((xtr[te] @ w + b).argmax(1) == ytr[te]).sum())
        cv[l2] = hits / len(ytr)
    best = max(grid, key=lambda v: (cv[v], v))  # ties: the stronger regulariser
    w, b = _logreg(xtr, ytr, k, best)
    acc = float(((xva @ w + b).argmax(1) == yva).float().mean())
    return {
        "epoch_s": [],
        "val_acc": [acc],
        "n_train": len(ytr),
        "feature_s": feature_s,
        "l2": best,
        "cv": cv,
        "wall_s": time.perf_counter() - t_start,
    }


__all__ = ["run_baseline", "run_probe"]
