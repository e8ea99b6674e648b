"""Writes shared_storages.pt, a 10 KB TorchScript module for StrippedTorchScript's tests.

Run with PyTorch (written with Debian's python3-torch 1.13): python3 shared_storages.py
Its weights share or repeat storages in the ways that matter when the float values of quantized
weights are left out of a checkpoint's copy of the module:
  a, b        two weights with equal values, each in a storage of its own
  c           a weight, and the buffer copy_of_c holding the same values in another storage
  d           a weight whose storage the buffer alias_of_d shares (one storage in the archive)
"""
import torch
import torch.nn as nn

torch.manual_seed(0)


class SharedStorages(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(16, 16, bias=False)
        self.b = nn.Linear(16, 16, bias=False)
        with torch.no_grad():
            self.b.weight.copy_(self.a.weight)
        self.c = nn.Linear(16, 16, bias=False)
        self.register_buffer("copy_of_c", self.c.weight.detach().clone())
        self.d = nn.Linear(16, 4, bias=False)
        self.register_buffer("alias_of_d", self.d.weight.detach())

    def forward(self, x):
        y = self.a(x) + self.b(x) + self.c(x) + x @ self.copy_of_c.t()
        return self.d(y) + y @ self.alias_of_d.t()


torch.jit.script(SharedStorages()).save("shared_storages.pt")
