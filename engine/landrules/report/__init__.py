"""The 季度通报 (平龙政办〔2021〕36号 四、(三) "季度通报"): a decided ledger's figures, charts,
overdue items, the 一宗一策 list and the 公布清单, as XLSX, HTML or PDF.

- `bulletin`  the content, assembled once from the decide pipeline's summary and action list;
- `narrative` the 通报's opening paragraphs, written from the figures;
- `charts`    bar charts as inline SVG (matplotlib), for HTML and PDF;
- `html`      the page (Jinja2 template `bulletin.html.j2`, everything inline, no network);
- `pdf`       the same page printed by WeasyPrint (refused without a Chinese font);
- `xlsx`      the same content as a workbook with native charts;
- `writer`    a decision writer that renders the bulletin, so `report` runs the very pipeline
              `decide` runs (same decisions, same summary, atomic output).
"""
