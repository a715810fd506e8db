"""中文版课程的检查器：就是 lessons/_check 里的那些，只是用中文回答。

The zh lessons run `from _check import ...` exactly as the English ones do (their code is
the English code: tests/test_zh_twins.py); from lessons/zh/ that finds this package, which
loads the shared checkers in lessons/_check (one copy of the right/wrong logic) and
switches them to Chinese, and the widgets too: widgets.set_language("zh").
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_SHARED = Path(__file__).resolve().parents[2] / "_check"
_spec = importlib.util.spec_from_file_location(
    "_check_shared", _SHARED / "__init__.py", submodule_search_locations=[str(_SHARED)])
_shared = importlib.util.module_from_spec(_spec)
sys.modules["_check_shared"] = _shared
_spec.loader.exec_module(_shared)
_shared.set_language("zh")

try:
    import widgets
except ImportError:  # the widgets come with smallgrad; with torch alone there are none
    pass
else:
    widgets.set_language("zh")

globals().update({name: getattr(_shared, name) for name in _shared.__all__})
__all__ = list(_shared.__all__)
