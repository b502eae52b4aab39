"""The Lightning flavour: the same recipe as a ``LightningModule``; Lightning's Trainer runs
the loop, its ``EarlyStopping`` and ``ModelCheckpoint`` callbacks stop early and keep the
best weights, and ``configure_optimizers`` builds each phase's optimizer and schedule."""

from __future__ import annotations

FRAMEWORK = "PyTorch Lightning"
IMPORTS = ("argparse", "math", "os", "random", "tempfile", "time", "warnings")
PACKAGES = ("torch", "torchvision", "pillow", "lightning")

LOOP = """
#= s_loop
class LitClassifier(L.LightningModule):
    #: lit_module
    def __init__(
        self,
        model: Classifier,
        loss_fn: nn.Module,
        train_folder: datasets.ImageFolder,
        epochs: int,
        steps_per_epoch: int,
    ) -> None:
        super().__init__()
        self.model, self.loss_fn, self.train_folder = model, loss_fn, train_folder
        self.epochs, self.steps_per_epoch = epochs, steps_per_epoch
        self.frozen_until = frozen_epochs(epochs)
        self.start_phase(frozen=self.frozen_until > 0)
        self.sums = [0.0, 0, 0]  # training loss sum, correct, seen in this epoch
        self.started = time.perf_counter()

    def start_phase(self, frozen: bool) -> None:
        set_backbone_trainable(self.model, not frozen)
        self.train_folder.transform = train_transform(frozen)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)

    def configure_optimizers(self) -> dict:
        #: lit_optimizers
        frozen = self.model.backbone_frozen
        phase_epochs = self.frozen_until if frozen else self.epochs - self.frozen_until
        optimizer = make_optimizer(self.model, head_lr(frozen))
        scheduler = make_scheduler(optimizer, phase_epochs, self.steps_per_epoch)
        if scheduler is None:
            return {"optimizer": optimizer}
        schedule = {"scheduler": scheduler, "interval": "step"}
        return {"optimizer": optimizer, "lr_scheduler": schedule}

    def on_train_epoch_start(self) -> None:
        if self.model.backbone_frozen and self.current_epoch >= self.frozen_until:
            #: lit_unfreeze
            self.start_phase(frozen=False)
            self.trainer.strategy.setup_optimizers(self.trainer)
        self.sums = [0.0, 0, 0]
        self.started = time.perf_counter()

    def training_step(self, batch: list[torch.Tensor], batch_idx: int) -> torch.Tensor:
        x, y = batch
        logits = self.model(x)
        loss = self.loss_fn(logits, y)
        self.sums[0] += loss.item() * len(y)
        self.sums[1] += (logits.argmax(dim=1) == y).sum().item()
        self.sums[2] += len(y)
        return loss

    def validation_step(self, batch: list[torch.Tensor], batch_idx: int) -> None:
        #: lit_validation
        x, y = batch
        logits = self.model(x)
        self.log("val_loss", F.cross_entropy(logits, y), batch_size=len(y))
        self.log("val_acc", (logits.argmax(dim=1) == y).float().mean(), batch_size=len(y))

    def on_train_epoch_end(self) -> None:
        #: lit_epoch_end
        metrics = self.trainer.callback_metrics
        loss_sum, correct, seen = self.sums
        print(
            f"epoch {self.current_epoch + 1}/{self.epochs}  "
            f"train_loss={loss_sum / seen:.4f} train_acc={correct / seen:.4f}  "
            f"val_loss={float(metrics['val_loss']):.4f} val_acc={float(metrics['val_acc']):.4f}  "
            f"{time.perf_counter() - self.started:.1f}s",
            flush=True,
        )


def make_callbacks(checkpoint_dir: str) -> tuple[ModelCheckpoint, list[L.Callback]]:
    #: lit_callbacks
    mode = "max" if MONITOR == "val_acc" else "min"
    best = ModelCheckpoint(
        dirpath=checkpoint_dir, monitor=MONITOR, mode=mode, save_top_k=1, save_weights_only=True
    )
    callbacks: list[L.Callback] = [best]
    if PATIENCE > 0:
        stop = EarlyStopping(monitor=MONITOR, mode=mode, patience=PATIENCE, min_delta=MIN_DELTA)
        callbacks.append(stop)
    return best, callbacks
"""

MAIN = """
ACCELERATORS = {"auto": "auto", "cpu": "cpu", "cuda": "gpu", "mps": "mps"}


def main() -> None:
    args = parse_args()
    L.seed_everything(SEED, workers=True)
    train_folder, train_set, val_set = load_datasets(Path(args.data))
    classes = train_folder.classes
#if classes
    check_classes(classes)
#endif
    train_loader, val_loader = make_loaders(train_set, val_set)
    model = Classifier(build_backbone(WEIGHTS), len(classes))
#if calibrate
    if frozen_epochs(args.epochs) > 0:
        calibrate_batchnorm(model, train_folder, train_set)
#endif
    loss_fn = make_loss(targets_of(train_set), len(classes))
    lit = LitClassifier(model, loss_fn, train_folder, args.epochs, len(train_loader))
    #: lit_eval_warning
    warnings.filterwarnings("ignore", message="Found .* in eval mode at the start of training")
    with tempfile.TemporaryDirectory() as checkpoint_dir:
        best, callbacks = make_callbacks(checkpoint_dir)
        trainer = L.Trainer(
            max_epochs=args.epochs,
            accelerator=ACCELERATORS[DEVICE],
            devices=1,
            callbacks=callbacks,
            logger=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            num_sanity_val_steps=0,
        )
        trainer.fit(lit, train_loader, val_loader)
        #: lit_best
        saved = torch.load(best.best_model_path, map_location="cpu", weights_only=True)
        lit.load_state_dict(saved["state_dict"])
    best_val_acc = trainer.validate(lit, val_loader, verbose=False)[0]["val_acc"]
    save_model(model, classes, args.out)
    print(f"saved {args.out}")
    if args.predict:
        predict_folder(args.out, args.predict, pick_device())
    print(f"best_val_acc={best_val_acc:.4f}")


if __name__ == "__main__":
    main()
"""
