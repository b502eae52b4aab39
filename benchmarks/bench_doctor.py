"""The dataset doctor against one frozen-feature pass, and the measurements behind its settings.

    nice python benchmarks/bench_doctor.py [--data DIR] [--backbone NAME] [--runs 3]
        [--sections speed fresh threshold flips] [--json FILE]

``speed``: medians of ``--runs`` rounds, each taking turns (so load from other processes weighs
on all alike): (a) one frozen-feature pass as a transfer run makes it (build the model, fold
BatchNorm, choose the backend, embed every picture of every split; no feature store); (b) the
doctor with an empty feature store (scan, the same pass, storing the features, and the
analysis); (c) the doctor again with those features stored. Prints each median and (b)/(a),
(c)/(a). Imports (scikit-learn, cleanlab) happen before timing: the CLI pays them once.

``fresh``: the same comparison as ``tlgui doctor`` meets it, each in a new process (medians of
``--runs``, taking turns): the time from after ``import torch`` to the end of (a) a scan and one
feature pass, (b) the doctor with an empty store, which also imports scikit-learn and cleanlab
(about 1.8 s of it on the development machine).

``threshold``: the near-duplicate threshold. Copies of 60 training pictures (resized to 50-80%
and re-encoded, re-encoded at quality 40-60, cropped by 3% and resized) go into val; prints
the centred cosine similarity of each kind of copy to its original and the highest similarity
between two distinct pictures.

``flips``: 5% label flips planted in a copy of the train split (files moved to another class
folder, five draws): how many planted flips the doctor ranks among its top N issues, N = the
number planted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tlgui.engine.config import TrainConfig
from tlgui.engine.data import scan_dataset
from tlgui.engine.doctor import check_dataset
from tlgui.engine.doctor.embed import embed_scan
from tlgui.engine.doctor.similarity import NEAR_DUPLICATE_THRESHOLD, unit_rows
from tlgui.engine.feature_store import FeatureStore
from tlgui.process import quiet_export_warnings, quiet_image_warnings

DEFAULT_DATA = "/work/shared/datasets/hymenoptera_data"


def speed(data: str, config: TrainConfig, runs: int) -> dict:
    import cleanlab.filter  # noqa: F401  (imported before timing, see the docstring)
    import sklearn.linear_model  # noqa: F401

    scan = scan_dataset(data)
    times: dict[str, list[float]] = {"feature_pass": [], "doctor": [], "doctor_stored": []}
    counts = {}
    for _ in range(runs):
        t0 = time.perf_counter()
        emb = embed_scan(scan, config, store=None)
        times["feature_pass"].append(time.perf_counter() - t0)
        with tempfile.TemporaryDirectory() as cache:
            store = FeatureStore(Path(cache) / "features")
            first = check_dataset(data, config, store=store)
            times["doctor"].append(first.seconds)
            second = check_dataset(data, config, store=store)
            times["doctor_stored"].append(second.seconds)
        counts = {
            "images": emb.features.shape[0],
            "backend": emb.backend,
            "label_issues": len(first.label_issues),
            "near_duplicates": len(first.near_duplicates),
            "outliers": len(first.outliers),
            "stored_computed": second.computed,
        }
    med = {k: statistics.median(v) for k, v in times.items()}
    out = {"seconds": times, "median": med, **counts}
    out["doctor_ratio"] = med["doctor"] / med["feature_pass"]
    out["stored_ratio"] = med["doctor_stored"] / med["feature_pass"]
    print(
        f"speed ({counts['images']} images, {counts['backend']}): feature pass "
        f"{med['feature_pass']:.2f} s, doctor {med['doctor']:.2f} s "
        f"({out['doctor_ratio']:.2f}x), doctor with stored features {med['doctor_stored']:.2f} s "
        f"({out['stored_ratio']:.2f}x); runs {times}"
    )
    return out


_FRESH = """
import sys, tempfile, time, warnings
warnings.simplefilter("ignore")
import torch
t0 = time.perf_counter()
from pathlib import Path
from tlgui.engine.config import TrainConfig
from tlgui.engine.data import scan_dataset
config = TrainConfig(backbone=sys.argv[2])
if sys.argv[3] == "pass":
    from tlgui.engine.doctor.embed import embed_scan
    embed_scan(scan_dataset(sys.argv[1]), config, store=None)
else:
    from tlgui.engine.doctor import check_dataset
    from tlgui.engine.feature_store import FeatureStore
    with tempfile.TemporaryDirectory() as cache:
        check_dataset(sys.argv[1], config, store=FeatureStore(Path(cache)))
print(time.perf_counter() - t0)
"""


def fresh(data: str, config: TrainConfig, runs: int) -> dict:
    import subprocess

    root = str(Path(__file__).resolve().parent.parent)
    times: dict[str, list[float]] = {"feature_pass": [], "doctor": []}
    for _ in range(runs):
        for what, key in (("pass", "feature_pass"), ("doctor", "doctor")):
            out = subprocess.run(
                [sys.executable, "-c", _FRESH, data, config.backbone, what],
                capture_output=True,
                text=True,
                check=True,
                cwd=root,
            )
            times[key].append(float(out.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["doctor"] / med["feature_pass"]
    print(
        f"fresh processes: feature pass {med['feature_pass']:.2f} s, doctor "
        f"{med['doctor']:.2f} s ({ratio:.2f}x); runs {times}"
    )
    return {"seconds": times, "median": med, "doctor_ratio": ratio}


def _copy(img, kind: int, rng: random.Random):
    from PIL import Image

    if kind == 0:  # resized to 50-80 % and re-encoded
        s = rng.uniform(0.5, 0.8)
        size = (max(1, int(img.width * s)), max(1, int(img.height * s)))
        return img.resize(size, Image.Resampling.BICUBIC), 85
    if kind == 1:  # re-encoded hard
        return img, rng.choice([40, 50, 60])
    w, h = img.size  # cropped by 3 % a side, resized to 70 %, re-encoded
    box = (int(w * 0.03), int(h * 0.03), int(w * 0.97), int(h * 0.97))
    return img.crop(box).resize((int(w * 0.7), int(h * 0.7))), 80


def threshold(data: str, config: TrainConfig, work: Path) -> dict:
    from PIL import Image

    root = work / "copies"
    shutil.copytree(data, root)
    rng = random.Random(0)
    originals = rng.sample(sorted(root.glob("train/*/*.jpg")), 60)
    pairs = []
    for k, original in enumerate(originals):
        with Image.open(original) as img:
            copy, quality = _copy(img.convert("RGB"), k % 3, rng)
        target = root / "val" / original.parent.name / f"copy{k % 3}_{original.name}"
        copy.save(target, quality=quality)
        pairs.append((k % 3, str(original), str(target)))
    emb = embed_scan(scan_dataset(root), config, store=FeatureStore(work / "store"))
    index = {p: i for i, p in enumerate(emb.paths)}
    unit = unit_rows(emb.features)
    copies = {index[t] for _k, _o, t in pairs}
    distinct = [i for i in range(len(unit)) if i not in copies]
    sims = unit[distinct] @ unit[distinct].T
    np.fill_diagonal(sims, -1)
    kinds = ("resized+re-encoded", "re-encoded q40-60", "cropped 3%+resized")
    by_kind = {
        name: sorted(float(unit[index[o]] @ unit[index[t]]) for k, o, t in pairs if k == kind)
        for kind, name in enumerate(kinds)
    }
    found = sum(s >= NEAR_DUPLICATE_THRESHOLD for v in by_kind.values() for s in v)
    out = {
        "copies": {k: {"min": v[0], "median": statistics.median(v)} for k, v in by_kind.items()},
        "distinct_max": float(sims.max()),
        "threshold": NEAR_DUPLICATE_THRESHOLD,
        "copies_found": found,
        "copies_planted": len(pairs),
        "by_kind": by_kind,
    }
    for name, values in by_kind.items():
        print(f"threshold: {name}: min {values[0]:.3f}, median {statistics.median(values):.3f}")
    print(
        f"threshold: distinct pictures at most {out['distinct_max']:.3f}; at "
        f"{NEAR_DUPLICATE_THRESHOLD} the doctor finds {found} of {len(pairs)} copies"
    )
    return out


def flips(data: str, config: TrainConfig, work: Path, draws: int) -> dict:
    results = []
    for draw in range(draws):
        root = work / f"flips{draw}"
        shutil.copytree(Path(data) / "train", root)
        rng = random.Random(draw)
        files = sorted(root.glob("*/*.jpg"))
        planted = set()
        for f in rng.sample(files, round(0.05 * len(files))):
            other = next(c for c in sorted(p.name for p in root.iterdir()) if c != f.parent.name)
            target = root / other / f.name
            f.rename(target)
            planted.add(str(target))
        report = check_dataset(root, config, store=FeatureStore(work / "store"))
        top = {i.path for i in report.label_issues[: len(planted)]}
        results.append(
            {
                "planted": len(planted),
                "in_top_n": len(top & planted),
                "issues": len(report.label_issues),
                "seconds": report.seconds,
            }
        )
        print(f"flips draw {draw}: {results[-1]}")
    return {"draws": results}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--backbone", default="efficientnet_lite0")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--sections", nargs="+", default=["speed", "fresh", "threshold", "flips"])
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    quiet_image_warnings()
    quiet_export_warnings()
    warnings.simplefilter("ignore")
    config = TrainConfig(backbone=args.backbone)
    results: dict = {"data": args.data, "backbone": args.backbone, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "speed" in args.sections:
            results["speed"] = speed(args.data, config, args.runs)
        if "fresh" in args.sections:
            results["fresh"] = fresh(args.data, config, args.runs)
        if "threshold" in args.sections:
            results["threshold"] = threshold(args.data, config, work)
        if "flips" in args.sections:
            results["flips"] = flips(args.data, config, work, args.draws)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
