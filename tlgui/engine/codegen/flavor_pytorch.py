"""The plain-PyTorch flavour: a hand-written train/validate loop with early stopping and the
staged unfreeze, as tlgui's ``FitLoop`` with its ``StagedUnfreeze`` and ``EarlyStopping``
parts runs them."""

from __future__ import annotations

FRAMEWORK = "PyTorch"
IMPORTS = ("argparse", "math", "os", "random", "time")
PACKAGES = ("torch", "torchvision", "pillow")

LOOP = """
#= s_loop
def train_one_epoch(
    model: Classifier,
    loader: DataLoader,
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None,
    device: torch.device,
) -> tuple[float, float]:
    #: train_one_epoch
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        loss = loss_fn(logits, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        total_loss += loss.item() * len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    return total_loss / seen, correct / seen


@torch.no_grad()
def evaluate(model: Classifier, loader: DataLoader, device: torch.device) -> tuple[float, float]:
    #: evaluate
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        total_loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    return total_loss / seen, correct / seen


class EarlyStopping:
    #: early_stopping
    def __init__(self) -> None:
        self.best_key: tuple[float, float] | None = None
        self.best_epoch = 0
        self.best_acc = 0.0
        self.best_weights: dict[str, torch.Tensor] = {}
        self.bad_epochs = 0

    def update(self, model: nn.Module, epoch: int, val_loss: float, val_acc: float) -> bool:
        #: improved
        key = (val_acc, -val_loss) if MONITOR == "val_acc" else (-val_loss, val_acc)
        best = self.best_key
        improved = (
            best is None
            or key[0] > best[0] + MIN_DELTA
            or (key[0] >= best[0] - 1e-12 and key[1] > best[1])
        )
        if improved:
            self.best_key, self.best_epoch, self.best_acc = key, epoch, val_acc
            self.best_weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        return improved

    def should_stop(self) -> bool:
        return PATIENCE > 0 and self.bad_epochs >= PATIENCE


def fit(
    model: Classifier,
    train_folder: datasets.ImageFolder,
    train_loader: DataLoader,
    val_loader: DataLoader,
    loss_fn: nn.Module,
    device: torch.device,
    epochs: int,
) -> EarlyStopping:
    #: fit
    frozen_until = frozen_epochs(epochs)
    stopper = EarlyStopping()
    optimizer, scheduler = None, None
    for epoch in range(1, epochs + 1):
        frozen = epoch <= frozen_until
        if optimizer is None or (model.backbone_frozen and not frozen):
            #: new_phase
            set_backbone_trainable(model, not frozen)
            train_folder.transform = train_transform(frozen)
            phase_epochs = frozen_until if frozen else epochs - frozen_until
            optimizer = make_optimizer(model, head_lr(frozen))
            scheduler = make_scheduler(optimizer, phase_epochs, len(train_loader))
        started = time.perf_counter()
        train_loss, train_acc = train_one_epoch(
            model, train_loader, loss_fn, optimizer, scheduler, device
        )
        val_loss, val_acc = evaluate(model, val_loader, device)
        improved = stopper.update(model, epoch, val_loss, val_acc)
        print(
            f"epoch {epoch}/{epochs}  train_loss={train_loss:.4f} train_acc={train_acc:.4f}  "
            f"val_loss={val_loss:.4f} val_acc={val_acc:.4f}  "
            f"{time.perf_counter() - started:.1f}s{'  *' if improved else ''}",
            flush=True,
        )
        if stopper.should_stop() and epoch < epochs:
            print(f"early stopping: no better {MONITOR} for {PATIENCE} epochs")
            break
    model.load_state_dict(stopper.best_weights)
    return stopper
"""

MAIN = """
def main() -> None:
    args = parse_args()
    random.seed(SEED)
    torch.manual_seed(SEED)
    device = pick_device()
    train_folder, train_set, val_set = load_datasets(Path(args.data))
    classes = train_folder.classes
#if classes
    check_classes(classes)
#endif
    train_loader, val_loader = make_loaders(train_set, val_set)
    model = Classifier(build_backbone(WEIGHTS), len(classes)).to(device)
#if calibrate
    if frozen_epochs(args.epochs) > 0:
        calibrate_batchnorm(model, train_folder, train_set)
#endif
    loss_fn = make_loss(targets_of(train_set), len(classes)).to(device)
    stopper = fit(model, train_folder, train_loader, val_loader, loss_fn, device, args.epochs)
    save_model(model, classes, args.out)
    print(f"saved {args.out} (best epoch {stopper.best_epoch})")
    if args.predict:
        predict_folder(args.out, args.predict, device)
    print(f"best_val_acc={stopper.best_acc:.4f}")


if __name__ == "__main__":
    main()
"""
