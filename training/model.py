"""The CRNN of weights/MODEL.md: conv + BN + ReLU (+ max-pool) layers, a BiLSTM over the columns, an
optional linear bottleneck, and a linear classifier over the charset (class 0 = CTC blank)."""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

# The shipped configuration: ~1.7 M parameters, stride 4 (two frames per narrow Latin letter),
# H' = 2 rows of 256 channels -> 512 features per column; a 64-wide bottleneck before the classifier
# (narrowed from 128 by training/shrink.py: the classifier over ~7,000 classes was a fifth of the cost).
DEFAULT_CONV = [
    {"out": 32, "kernel": 3, "pool": [2, 2]},
    {"out": 64, "kernel": 3, "pool": [2, 2]},
    {"out": 128, "kernel": 3, "pool": [2, 1]},
    {"out": 128, "kernel": 3, "pool": [2, 1]},
    {"out": 192, "kernel": 3, "pool": None},
]


def default_config(num_classes: int, charset_sha256: str) -> dict:
    return {"input_height": 32, "conv": DEFAULT_CONV, "lstm_hidden": 128, "lstm_layers": 1,
            "bottleneck": 48, "num_classes": num_classes, "horizontal_stride": 4,
            "charset_sha256": charset_sha256}


class CRNN(nn.Module):
    def __init__(self, config: dict):
        super().__init__()
        self.config = config
        convs, bns = [], []
        cin, h = 1, config["input_height"]
        stride = 1
        for layer in config["conv"]:
            k = layer["kernel"]
            convs.append(nn.Conv2d(cin, layer["out"], k, padding=k // 2, bias=False))
            bns.append(nn.BatchNorm2d(layer["out"], eps=1e-5))
            cin = layer["out"]
            if layer["pool"]:
                h //= layer["pool"][0]
                stride *= layer["pool"][1]
        if stride != config["horizontal_stride"]:
            raise ValueError(f"pools give stride {stride}, config says {config['horizontal_stride']}")
        self.conv = nn.ModuleList(convs)
        self.bn = nn.ModuleList(bns)
        self.feature_size = cin * h
        hidden = config["lstm_hidden"]
        self.lstm = nn.LSTM(self.feature_size, hidden, num_layers=config["lstm_layers"], bidirectional=True)
        b = config["bottleneck"]
        self.proj = nn.Linear(2 * hidden, b) if b else None
        self.fc = nn.Linear(b or 2 * hidden, config["num_classes"])

    def conv_outputs(self, x: torch.Tensor):
        """Each conv layer's output (after BN, ReLU and its pool), in order."""
        for conv, bn, layer in zip(self.conv, self.bn, self.config["conv"]):
            x = torch.relu(bn(conv(x)))
            if layer["pool"]:
                x = nn.functional.max_pool2d(x, layer["pool"], layer["pool"])
            yield x

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """[N, 1, 32, W] -> [T, N, C*H'] with feature index c*H' + h (MODEL.md)."""
        *_, x = self.conv_outputs(x)
        n, c, h, w = x.shape
        return x.permute(3, 0, 1, 2).reshape(w, n, c * h)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Logits [T, N, classes]. `lengths` (frames per line) keeps the BiLSTM on each line's own
        frames, as the Swift side runs it; padded frames come out as garbage to be ignored."""
        seq = self.features(x)
        if lengths is not None and bool((lengths < seq.shape[0]).any()):
            packed = pack_padded_sequence(seq, lengths.cpu(), enforce_sorted=False)
            out, _ = self.lstm(packed)
            out, _ = pad_packed_sequence(out, total_length=seq.shape[0])
        else:
            out, _ = self.lstm(seq)
        if self.proj is not None:
            out = self.proj(out)
        return self.fc(out)


def greedy_decode(logits: torch.Tensor, lengths: list[int], charset: list[str]):
    """MODEL.md's greedy CTC: per line (text, [(char, confidence, frame)])."""
    probs = torch.softmax(logits.float(), dim=-1)
    best_p, best = probs.max(dim=-1)  # [T, N]
    results = []
    for n, T in enumerate(lengths):
        chars, prev = [], 0
        for t in range(T):
            k = int(best[t, n])
            p = float(best_p[t, n])
            if k != prev and k != 0:
                chars.append([charset[k - 1], p, t])
            elif k == prev and k != 0 and p > chars[-1][1]:
                chars[-1][1], chars[-1][2] = p, t
            prev = k
        results.append(("".join(c for c, _, _ in chars), [tuple(c) for c in chars]))
    return results
