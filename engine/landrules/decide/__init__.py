"""Deciding: a chunk of parcels in, citable decisions out — evaluation, the chunk loop, explanations, the writer registry, the decision workbook and diff."""
