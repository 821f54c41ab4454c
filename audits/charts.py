"""The charts moved to core/charts.py (the cadre help ledger draws them too); kept here for audits' imports."""

from core.charts import PALETTE, Series, bar_chart, line_chart, nice_max

__all__ = ["PALETTE", "Series", "bar_chart", "line_chart", "nice_max"]
