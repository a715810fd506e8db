"""The local derivatives of elementwise ops, written in mathematics: the same in every
language, so each message table (messages.py, messages_zh.py) takes them from here.
{a}, {b}: the inputs' names; {x}: input 0; {r}: the saved result; {n}, {c}: numbers."""

from __future__ import annotations

FORMULAS: dict[str, str] = {
    "local.one": "1",
    "local.minus_one": "−1",
    "local.div_a": "1/{b}",
    "local.div_b": "(−{a}/{b}²)",
    "local.reciprocal": "(−1/{x}²)",
    "local.reciprocal_v": "(−{r}²)",
    "local.pow": "{n}·{x}{power}",
    "local.pow_b": "{b}·{a}^({b} − 1)",
    "local.pow_e": "{a}^{b}·ln({a})",
    "local.rpow": "{c}^{x}·ln({c})",
    "local.value": "{r}",
    "local.exp": "exp({x})",
    "local.log": "1/{x}",
    "local.sqrt": "1/(2·√{x})",
    "local.sqrt_v": "1/(2·{r})",
    "local.sin": "cos({x})",
    "local.cos": "(−sin({x}))",
    "local.tanh": "(1 − tanh²({x}))",
    "local.tanh_v": "(1 − {r}²)",
    "local.sigmoid": "σ({x})·(1 − σ({x}))",
    "local.sigmoid_v": "{r}·(1 − {r})",
    "local.relu": "[{x} > 0]",
    "local.abs": "sign({x})",
}
