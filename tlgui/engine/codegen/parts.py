"""The parts of a training script both flavours share, in the recipe's order: Dataset,
DataLoader, model, freezing, loss, optimizer, schedule, saving and inference.

They are templates for :class:`~.render.Renderer`; :data:`NOTES` holds their comments. The
code mirrors what tlgui's engine does (``augment.train_transform``, ``data.scan``'s split,
``model.param_groups``, ``train.optim``, ``train.callbacks``), written the plain way.
"""

from __future__ import annotations

DATASET = """
#= s_dataset
def load_rgb(path: str) -> Image.Image:
    #: load_rgb
    with Image.open(path) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def to_tensor() -> list[nn.Module]:
    #: to_tensor
    return [v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize(MEAN, STD)]


def eval_transform() -> v2.Compose:
    #: eval_transform
    resize = round(INPUT_SIZE * 256 / 224)
    return v2.Compose([v2.Resize(resize), v2.CenterCrop(INPUT_SIZE), *to_tensor()])


def train_transform(frozen: bool) -> v2.Compose:
    #: train_transform
    if not AUGMENT:
        return eval_transform()
    side = INPUT_SIZE
    if not frozen and TRAIN_RESOLUTION < 1:
        side = max(32, round(INPUT_SIZE * TRAIN_RESOLUTION / 8) * 8)
    ops: list[nn.Module] = [v2.RandomResizedCrop(side, scale=CROP_SCALE, ratio=CROP_RATIO)]
    if HFLIP > 0:
        ops.append(v2.RandomHorizontalFlip(HFLIP))
    if VFLIP > 0:
        ops.append(v2.RandomVerticalFlip(VFLIP))
    if ROTATION > 0:
        ops.append(v2.RandomRotation(ROTATION))
    if BRIGHTNESS or CONTRAST or SATURATION or HUE:
        ops.append(v2.ColorJitter(BRIGHTNESS, CONTRAST, SATURATION, HUE))
    if GRAYSCALE > 0:
        ops.append(v2.RandomGrayscale(GRAYSCALE))
    if BLUR > 0:
        ops.append(v2.RandomApply([v2.GaussianBlur(9, sigma=(0.1, 2.0))], p=BLUR))
    if POLICY == "trivialaugment":
        ops.append(v2.TrivialAugmentWide())
    elif POLICY == "randaugment":
        ops.append(v2.RandAugment())
    elif POLICY == "autoaugment":
        ops.append(v2.AutoAugment())
    ops += to_tensor()
    if ERASING > 0:
        ops.append(v2.RandomErasing(p=ERASING, value=0))
    return v2.Compose(ops)


def keep_file(path: str, root: Path) -> bool:
    #: keep_file
    relative = Path(os.path.relpath(path, root)).as_posix()
    return path.lower().endswith(IMG_EXTENSIONS) and relative not in EXCLUDE


def find_folder(root: Path, names: tuple[str, ...]) -> Path | None:
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and folder.name.lower() in names:
            return folder
    return None


def split_indices(targets: list[int]) -> tuple[list[int], list[int]]:
    #: split_indices
    by_class: dict[int, list[int]] = {}
    for i, label in enumerate(targets):
        by_class.setdefault(label, []).append(i)
    train, val = [], []
    for label in sorted(by_class):
        indices = by_class[label][:]
        random.Random(f"{SEED}-{label}").shuffle(indices)
        n_val = round(len(indices) * VAL_SPLIT)
        if VAL_SPLIT > 0 and len(indices) >= 2:
            n_val = min(max(n_val, 1), len(indices) - 1)
        val += indices[:n_val]
        train += indices[n_val:]
    return sorted(train), sorted(val)


def load_datasets(root: Path) -> tuple[datasets.ImageFolder, Dataset, Dataset]:
    #: load_datasets
    train_dir = find_folder(root, ("train", "training")) or root
    val_dir = find_folder(root, ("val", "valid", "validation"))

    def image_folder(folder: Path, transform: v2.Compose) -> datasets.ImageFolder:
        return datasets.ImageFolder(
            folder, transform, loader=load_rgb, is_valid_file=lambda p: keep_file(p, root)
        )

    train_folder = image_folder(train_dir, train_transform(frozen=True))
    if val_dir is not None:
        val_set = image_folder(val_dir, eval_transform())
        if val_set.classes != train_folder.classes:
            raise SystemExit(f"{val_dir} must have the class folders of {train_dir}")
        return train_folder, train_folder, val_set
    train_indices, val_indices = split_indices(train_folder.targets)
    if not val_indices:
        raise SystemExit("no validation pictures: add a val/ folder or raise VAL_SPLIT")
    val_folder = image_folder(train_dir, eval_transform())
    return train_folder, Subset(train_folder, train_indices), Subset(val_folder, val_indices)


def targets_of(dataset: Dataset) -> list[int]:
    if isinstance(dataset, Subset):
        return [dataset.dataset.targets[i] for i in dataset.indices]
    return list(dataset.targets)


#= s_loader
def make_loaders(train_set: Dataset, val_set: Dataset) -> tuple[DataLoader, DataLoader]:
    #: loaders
    workers = WORKERS if WORKERS >= 0 else min(4, (os.cpu_count() or 1) // 4)
    order = torch.Generator().manual_seed(SEED)
    train_loader = DataLoader(
        train_set, batch_size=BATCH_SIZE, shuffle=True, num_workers=workers, generator=order
    )
    val_loader = DataLoader(val_set, batch_size=BATCH_SIZE, num_workers=workers)
    return train_loader, val_loader
"""

BACKBONE_LITE = """
#= s_model
def build_backbone(weights: str) -> nn.Module:
    #: backbone_lite
    net = EfficientNet.from_name("<<lite_arch>>")
    if weights == "imagenet":
        path = <<lite_class>>.get_model_file_path()
        net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    #: replace_output
    net._dropout = nn.Identity()
    net._fc = nn.Identity()
#if weights_file
    if weights not in ("imagenet", "none"):
        load_weights_file(net, weights)
#endif
    return net
"""

BACKBONE_TORCHVISION = """
#= s_model
def build_backbone(weights: str) -> nn.Module:
    #: backbone_tv
    imagenet = models.get_model_weights(BACKBONE).IMAGENET1K_V1
    net = models.get_model(BACKBONE, weights=imagenet if weights == "imagenet" else None)
    #: replace_output
    net.<<output_layer>> = nn.Identity()
#if weights_file
    if weights not in ("imagenet", "none"):
        load_weights_file(net, weights)
#endif
    return net
"""

WEIGHTS_FILE = """
def load_weights_file(net: nn.Module, path: str) -> None:
    #: weights_file
    state = torch.load(path, map_location="cpu", weights_only=True)
    state = state.get("state_dict", state)
    state = {k.removeprefix("backbone.").removeprefix("net."): v for k, v in state.items()}
    own = net.state_dict()
    fitting = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    missing = [k for k in own if k not in fitting]
    if missing:
        raise SystemExit(f"{path} does not fit {BACKBONE}: {missing[0]} is missing")
    net.load_state_dict(fitting, strict=False)
"""

MODEL = """
class Classifier(nn.Module):
    #: classifier
    def __init__(self, backbone: nn.Module, num_classes: int) -> None:
        super().__init__()
        self.backbone = backbone
        self.head = nn.Sequential(nn.Dropout(DROPOUT), nn.Linear(NUM_FEATURES, num_classes))
        self.backbone_frozen = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))

    def train(self, mode: bool = True) -> Classifier:
        #: classifier_train
        super().train(mode)
        if self.backbone_frozen:
            self.backbone.eval()
        return self


#= s_freeze
def set_backbone_trainable(model: Classifier, trainable: bool) -> None:
    #: freeze
    for parameter in model.backbone.parameters():
        parameter.requires_grad = trainable
    model.backbone_frozen = not trainable
    model.train(model.training)


def frozen_epochs(epochs: int) -> int:
    #: frozen_epochs
    if MODE == "transfer":
        return epochs
    if MODE == "staged":
        return min(FREEZE_EPOCHS, epochs)
    return 0
#if calibrate


def calibrate_batchnorm(
    model: Classifier, train_folder: datasets.ImageFolder, train_set: Dataset
) -> None:
    #: calibrate
    train_folder.transform = eval_transform()
    pick = torch.randperm(len(train_set), generator=torch.Generator().manual_seed(SEED))
    loader = DataLoader(Subset(train_set, pick[:64].tolist()), batch_size=max(BATCH_SIZE, 64))
    device = next(model.parameters()).device
    torch.optim.swa_utils.update_bn(loader, model.backbone, device=device)
#endif
"""

OPTIM = """
#= s_loss
def make_loss(train_targets: list[int], num_classes: int) -> nn.CrossEntropyLoss:
    #: loss
    weight = None
    if CLASS_WEIGHTED:
        counts = torch.bincount(torch.tensor(train_targets), minlength=num_classes).float()
        weight = counts.sum() / (num_classes * counts.clamp(min=1))
    return nn.CrossEntropyLoss(weight=weight, label_smoothing=LABEL_SMOOTHING)


#= s_optim
def param_groups(model: Classifier, lr_head: float) -> list[dict]:
    #: param_groups
    parts = [("head", model.head, lr_head)]
    if not model.backbone_frozen:
        parts.insert(0, ("backbone", model.backbone, LR_BACKBONE))
    groups = []
    for name, module, lr in parts:
        params = [p for p in module.parameters() if p.requires_grad]
        decay = [p for p in params if p.ndim > 1]
        no_decay = [p for p in params if p.ndim <= 1]
        groups.append({"params": decay, "lr": lr, "weight_decay": WEIGHT_DECAY, "name": name})
        groups.append({"params": no_decay, "lr": lr, "weight_decay": 0.0, "name": name})
    return [g for g in groups if g["params"]]


def head_lr(frozen: bool) -> float:
    #: head_lr
    return LR_HEAD if frozen or MODE == "finetune" else LR_HEAD / 2


def make_optimizer(model: Classifier, lr_head: float) -> torch.optim.Optimizer:
    groups = param_groups(model, lr_head)
    if OPTIMIZER == "sgd":
        return torch.optim.SGD(groups, lr=lr_head, momentum=0.9, nesterov=True)
    if OPTIMIZER == "adam":
        return torch.optim.Adam(groups, lr=lr_head)
    return torch.optim.AdamW(groups, lr=lr_head)


#= s_sched
def make_scheduler(
    optimizer: torch.optim.Optimizer, epochs: int, steps_per_epoch: int
) -> torch.optim.lr_scheduler.LRScheduler | None:
    #: scheduler
    total = max(1, epochs * steps_per_epoch)
    if SCHEDULER == "none":
        return None
    if SCHEDULER == "step":
        step = max(1, (epochs // 3 or 1) * steps_per_epoch)
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=step, gamma=0.1)
    if SCHEDULER == "onecycle":
        slots = max(total, 4)
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer,
            max_lr=[g["lr"] for g in optimizer.param_groups],
            total_steps=slots,
            pct_start=min(0.5, max(0.25, 2.0 / slots)),
        )
    warmup = max(1, min(steps_per_epoch, total // 10))

    def cosine(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, cosine)
"""

SAVE_AND_PREDICT = """
#= s_save
def save_model(model: Classifier, classes: list[str], path: str) -> None:
    #: save
    weights = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    info = {"backbone": BACKBONE, "input_size": INPUT_SIZE, "mean": MEAN, "std": STD}
    torch.save({"state_dict": weights, "classes": classes, **info}, path)


#= s_infer
def load_trained(path: str, device: torch.device) -> tuple[Classifier, list[str]]:
    #: load_trained
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = Classifier(build_backbone("none"), len(saved["classes"]))
    model.load_state_dict(saved["state_dict"])
    return model.to(device).eval(), list(saved["classes"])


@torch.no_grad()
def predict_folder(model_path: str, folder: str, device: torch.device, top_k: int = 3) -> None:
    #: predict
    model, classes = load_trained(model_path, device)
    transform = eval_transform()
    paths = sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in IMG_EXTENSIONS)
    for path in paths:
        x = transform(load_rgb(str(path))).unsqueeze(0).to(device)
        probs = model(x).softmax(dim=1)[0]  #: softmax
        top = probs.topk(min(top_k, len(classes)))
        pairs = zip(top.values.tolist(), top.indices.tolist(), strict=True)
        print(f"{path}\\t" + ", ".join(f"{classes[i]} {p:.1%}" for p, i in pairs))


#= s_main
def pick_device() -> torch.device:
    if DEVICE != "auto":
        return torch.device(DEVICE)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=@@h_description@@)
    parser.add_argument("data", metavar="DATA", help=@@h_data@@)
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=@@h_epochs@@)
    parser.add_argument("--out", default="model.pt", help=@@h_out@@)
    parser.add_argument("--predict", metavar="FOLDER", help=@@h_predict@@)
    return parser.parse_args()
#if classes


def check_classes(classes: list[str]) -> None:
    if classes != CLASSES:
        print(f"note: DATA has the classes {classes}; the model was trained on {CLASSES}")
#endif
"""
