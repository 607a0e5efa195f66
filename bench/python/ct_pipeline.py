#!/usr/bin/python3
"""The straightforward Python pipeline gmai build is measured against (bench/README.md).

For every image/label pair of a Decathlon-layout folder (dataset.json): canonical (RAS+) orientation with nibabel, the
axial slice of largest area for each label, the CT soft-tissue window (W 400, L 40), square pixels, then a mask PNG and
a contour PNG per label (Pillow), written base64 into one TSV. Debian: python3-nibabel python3-numpy python3-pil.
Usage: ct_pipeline.py CORPUS_DIR OUT_TSV
"""
import base64
import io
import json
import os
import sys

import nibabel as nib
import numpy as np
from PIL import Image


def window(plane, level=40.0, width=400.0):
    lo, hi = level - width / 2, level + width / 2
    return (np.clip((plane - lo) / (hi - lo), 0, 1) * 255).astype(np.uint8)


def square(img, sx, sy):
    # Resample so one pixel is as wide as it is tall (the finer spacing wins).
    if abs(sx - sy) < 1e-6:
        return img
    w, h = img.size
    s = min(sx, sy)
    return img.resize((round(w * sx / s), round(h * sy / s)), Image.BILINEAR)


def png(img):
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def contour(mask):
    m = mask.astype(bool)
    inner = m.copy()
    inner[1:, :] &= m[:-1, :]
    inner[:-1, :] &= m[1:, :]
    inner[:, 1:] &= m[:, :-1]
    inner[:, :-1] &= m[:, 1:]
    return m & ~inner


def main(corpus, out):
    meta = json.load(open(os.path.join(corpus, "dataset.json")))
    names = {int(k): v for k, v in meta["labels"].items() if int(k) != 0}
    rows = []
    for pair in meta["training"]:
        image = nib.as_closest_canonical(nib.load(os.path.join(corpus, pair["image"])))
        labels = nib.as_closest_canonical(nib.load(os.path.join(corpus, pair["label"])))
        ct = np.asanyarray(image.dataobj).astype(np.float32)
        lab = np.asanyarray(labels.dataobj).astype(np.uint8)
        sx, sy = (float(v) for v in image.header.get_zooms()[:2])
        areas = np.stack([(lab == v).sum(axis=(0, 1)) for v in names])  # label x axial slice
        for row, (value, name) in enumerate(names.items()):
            k = int(areas[row].argmax())
            if areas[row, k] == 0:
                continue
            # Display orientation: rows run anterior to posterior, columns right to left of the patient (radiological).
            grey = window(ct[:, :, k]).T[::-1, ::-1]
            mask = (lab[:, :, k] == value).T[::-1, ::-1]
            base = np.stack([grey] * 3, axis=-1)
            filled = base.copy()
            filled[mask] = (0.5 * filled[mask] + 0.5 * np.array([255, 0, 0])).astype(np.uint8)
            edged = base.copy()
            edged[contour(mask)] = (255, 0, 0)
            for kind, pixels in (("mask", filled), ("contour", edged)):
                img = square(Image.fromarray(pixels, "RGB"), sx, sy)
                rows.append(f"{len(rows)}\t{name}\t{kind}\t{png(img)}\n")
    with open(out, "w") as f:
        f.write("index\tlabel\tgranularity\timage\n")
        f.writelines(rows)
    print(f"{len(rows)} items", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
