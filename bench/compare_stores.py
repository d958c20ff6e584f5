"""Compare two sweep stores output by output: the largest absolute and relative difference.

    python bench/compare_stores.py OLD.zarr NEW.zarr [--tolerance 1e-12]

Exits 1 when an output differs by more than ``--tolerance`` (absolute), when the NaN
patterns differ, or when the coordinates differ.  Used to check that a refactor
changes no result: run the same spec on both trees and compare.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import fastspin


def compare(old_path: str, new_path: str, tolerance: float) -> bool:
    old, new = fastspin.open(old_path).load(), fastspin.open(new_path).load()
    same = True
    for name in old.coords:
        if not np.array_equal(old[name].values, new[name].values):
            print(f"coordinate {name}: differs")
            same = False
    for name in old.data_vars:
        a, b = old[name].values, new[name].values
        nan_same = np.array_equal(np.isnan(a), np.isnan(b))
        both = np.isfinite(a) & np.isfinite(b)
        diff = float(np.max(np.abs(a[both] - b[both]), initial=0.0))
        scale = float(np.max(np.abs(a[both]), initial=0.0))
        ok = nan_same and diff <= tolerance
        same &= ok
        print(f"{name:<28} max |diff| {diff:.3g}  (max |value| {scale:.3g})"
              f"{'' if nan_same else '  NaN patterns differ'}{'' if ok else '  <-- over tolerance'}")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--tolerance", type=float, default=1e-12)
    args = parser.parse_args()
    sys.exit(0 if compare(args.old, args.new, args.tolerance) else 1)


if __name__ == "__main__":
    main()
