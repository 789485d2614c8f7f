"""Writes weights.npy: a nearest-colour classifier as one softmax layer.

For class centroids c_k and temperature T, -|x - c_k|^2 / T = (2 c_k . x - |c_k|^2) / T - |x|^2 / T; the last term is
the same for every class, so softmax over (2 c_k . x - |c_k|^2) / T is a linear layer: W = 2 C^T / T, b = -|c_k|^2 / T.
Run: python3 make_weights.py (from this folder).
"""

import numpy as np

CENTROIDS = {
    "red": (1.0, 0.0, 0.0),
    "orange": (1.0, 0.5, 0.0),
    "yellow": (1.0, 1.0, 0.0),
    "green": (0.0, 1.0, 0.0),
    "cyan": (0.0, 1.0, 1.0),
    "blue": (0.0, 0.0, 1.0),
    "magenta": (1.0, 0.0, 1.0),
    "white": (1.0, 1.0, 1.0),
    "grey": (0.5, 0.5, 0.5),
    "black": (0.0, 0.0, 0.0),
}
TEMPERATURE = 0.05

with open("synset.txt", encoding="utf-8") as f:
    labels = [line.strip() for line in f if line.strip()]
centroids = np.array([CENTROIDS[label] for label in labels], dtype=np.float32)  # (K, 3)
weights = np.vstack([2 * centroids.T, -(centroids ** 2).sum(axis=1)[None, :]]) / TEMPERATURE
np.save("weights.npy", weights.astype(np.float32))
print("weights.npy", weights.shape)
