"""检查器的中文句子：英文原句（`{}` 处是填进去的值）→ 中文。"""

ZH: dict[str, str] = {
    # the verdicts' frames (lessons/_check/_core.py)
    "✓ Right! {}": "✓ 对了！{}",
    "✗ Not yet: {}": "✗ 还不对：{}",
    "\n  Hint: {}": "\n  提示：{}",
}
