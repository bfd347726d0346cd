"""demografie: official population and labour-market statistics for Hessen and Sachsen.

Layers (imports go downwards only, see docs/architecture.md):
flows -> warehouse -> transforms; flows -> sources; flows -> devserver.
`settings`, `catalog` and `reference` are plain data at the bottom and import nothing of ours;
`redact` (known secrets out of every message) sits there too.
"""

__version__ = "0.1.0"
