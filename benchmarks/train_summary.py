"""The summary lines of ``bench_train.py``: medians over runs per implementation, then the
ratios (engine / plain recipe, each inference backend / torch's, engine / probe features)."""

from __future__ import annotations

import statistics


def _ips(r: dict) -> float:
    return r["n_train"] * len(r["epoch_s"]) / sum(r["epoch_s"]) if r["epoch_s"] else float("nan")


def _best(rs: list[dict]) -> float:
    return statistics.median(max(r["val_acc"]) for r in rs)


def summarise(config: str, spec: dict, runs: dict[str, list[dict]]) -> list[str]:
    """The summary of one config (``spec``: its backbone, weights, mode, augmentation)."""
    med = statistics.median
    lines = [f"== {config}: {spec}"]
    for impl, rs in runs.items():
        if impl == "probe":
            lines.append(
                f"  probe     features {med(r['feature_s'] for r in rs):7.1f} s  "
                f"wall {med(r['wall_s'] for r in rs):7.1f} s  "
                f"val acc {med(r['val_acc'][-1] for r in rs):.3f}  "
                f"(l2 {rs[0]['l2']:g}, cv {rs[0]['cv']})  "
                f"peak RSS {med(r['peak_tree_mb'] for r in rs):6.0f} MB tree"
            )
            continue
        epochs = [med(r["epoch_s"][i] for r in rs) for i in range(len(rs[0]["epoch_s"]))]
        lines.append(
            f"  {impl:9s} epochs [{', '.join(f'{s:.2f}' for s in epochs)}] s  "
            f"wall {med(r['wall_s'] for r in rs):7.1f} s  {med(_ips(r) for r in rs):7.1f} img/s  "
            f"val acc best {med(max(r['val_acc']) for r in rs):.3f} "
            f"last {med(r['val_acc'][-1] for r in rs):.3f}  "
            f"peak RSS {med(r['peak_tree_mb'] for r in rs):6.0f} MB tree "
            f"({med(r['maxrss_mb'] for r in rs):5.0f} MB largest process)  runs={len(rs)}"
        )
    engines = [k for k in runs if k == "engine" or k.startswith("engine:")]
    for name in engines if "baseline" in runs else []:
        b, e = runs["baseline"], runs[name]
        bw, ew = med(r["wall_s"] for r in b), med(r["wall_s"] for r in e)
        b_epoch = med(s for r in b for s in r["epoch_s"])
        later = [s for r in e for s in r["epoch_s"][1:]]
        lines.append(
            f"  ratios    {name}/baseline wall {ew / bw:.3f}  "
            f"img/s {med(_ips(r) for r in e) / med(_ips(r) for r in b):.2f}x  "
            f"later-epoch/baseline-epoch {max(later) / b_epoch if later else float('nan'):.4f}  "
            f"RSS {med(r['peak_tree_mb'] for r in e) / med(r['peak_tree_mb'] for r in b):.2f}  "
            f"val acc diff {_best(e) - _best(b):+.3f}"
        )
    torch_runs = runs.get("engine:torch")
    for impl, rs in runs.items():
        if torch_runs is None or not impl.startswith("engine:") or rs is torch_runs:
            continue
        t = torch_runs
        wall = med(r["wall_s"] for r in rs) / med(r["wall_s"] for r in t)
        ours_f, torch_f = med(r["feature_s"] for r in rs), med(r["feature_s"] for r in t)
        rss = med(r["peak_tree_mb"] for r in rs) - med(r["peak_tree_mb"] for r in t)
        lines.append(
            f"  backends  {impl} / engine:torch  wall {wall:.3f}  feature pass {ours_f:.2f} "
            f"vs {torch_f:.2f} s ({torch_f / max(1e-9, ours_f):.2f}x faster)  "
            f"val acc diff {_best(rs) - _best(t):+.3f}  RSS {rss:+.0f} MB"
        )
    for name in engines if "probe" in runs else []:
        p, e = runs["probe"], runs[name]
        lines.append(
            f"  vs probe  {name} wall / probe feature time "
            f"{med(r['wall_s'] for r in e) / med(r['feature_s'] for r in p):.2f}  "
            f"acc diff {med(max(r['val_acc']) for r in e) - med(r['val_acc'][-1] for r in p):+.3f}"
        )
    return lines
