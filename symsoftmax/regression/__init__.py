"""Softmax regression, an application of the toolkit: the model, the over-parameterization
demonstration and its figure. It uses the generated numeric code and adds no math."""

from __future__ import annotations
