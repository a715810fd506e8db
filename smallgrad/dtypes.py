"""Data types, named and promoted the way PyTorch does it, stored as NumPy dtypes."""

from __future__ import annotations

import numpy as np


class dtype:  # noqa: N801 - lower case, as torch.dtype
    """A smallgrad dtype: a name, the NumPy dtype that stores it, and its promotion category."""

    __slots__ = ("name", "numpy", "category", "tensor_type")

    def __init__(self, name: str, numpy_dtype: type, category: int, tensor_type: str) -> None:
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.category = category  # 0 bool < 1 integer < 2 floating: the higher wins a promotion
        self.tensor_type = tensor_type  # as in torch's "torch.FloatTensor"

    @property
    def is_floating_point(self) -> bool:
        return self.category == 2

    def __repr__(self) -> str:
        return f"smallgrad.{self.name}"

    __str__ = __repr__


float16 = dtype("float16", np.float16, 2, "HalfTensor")
float32 = dtype("float32", np.float32, 2, "FloatTensor")
float64 = dtype("float64", np.float64, 2, "DoubleTensor")
uint8 = dtype("uint8", np.uint8, 1, "ByteTensor")
int8 = dtype("int8", np.int8, 1, "CharTensor")
int16 = dtype("int16", np.int16, 1, "ShortTensor")
int32 = dtype("int32", np.int32, 1, "IntTensor")
int64 = dtype("int64", np.int64, 1, "LongTensor")
bool_ = dtype("bool", np.bool_, 0, "BoolTensor")  # exported as smallgrad.bool

_ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool_)
_FROM_NUMPY = {d.numpy: d for d in _ALL}

default_float = float32  # torch.get_default_dtype()
_DEFAULT_FOR_CATEGORY = {0: bool_, 1: int64, 2: float32}


def from_numpy(np_dtype: np.dtype) -> dtype:
    """The smallgrad dtype that stores as `np_dtype`; TypeError for ones torch has no match for."""
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only supported "
            "types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def to_numpy(d: dtype | np.dtype | type | None) -> np.dtype | None:
    """Accept a smallgrad dtype (or a NumPy one, for convenience) and give the NumPy dtype."""
    if d is None:
        return None
    if isinstance(d, dtype):
        return d.numpy
    return from_numpy(np.dtype(d)).numpy
