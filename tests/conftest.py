"""Shared test helpers.

`torch` is the oracle the differential tests compare smallgrad with. It is optional:
without it those tests are skipped. CI sets SMALLGRAD_REQUIRE_TORCH=1 (see the
Makefile's `ci` target), and then a missing torch is a failure, not a skip, so the
differential tests can never disappear from CI without anybody noticing.
"""

from __future__ import annotations

import os

import pytest

TORCH_VERSION = "2.13"  # the PyTorch smallgrad promises to behave like


def require_torch():
    """Import torch, or skip the test (fail instead under SMALLGRAD_REQUIRE_TORCH=1)."""
    required = os.environ.get("SMALLGRAD_REQUIRE_TORCH") == "1"
    try:
        import torch
    except ImportError as error:
        if required:
            pytest.fail(f"SMALLGRAD_REQUIRE_TORCH=1 but torch cannot be imported ({error}). "
                        "Install the oracle with `make torch`.", pytrace=False)
        pytest.skip("torch is not installed (`make torch` installs the oracle)")
    if not torch.__version__.startswith(TORCH_VERSION + "."):
        message = f"the oracle must be torch {TORCH_VERSION}, found {torch.__version__}"
        if required:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return torch


@pytest.fixture(scope="session")
def torch():
    """The torch module (see require_torch)."""
    return require_torch()
