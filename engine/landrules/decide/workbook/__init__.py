"""The decision workbook officers open (决策, 汇总, 一宗一策, 公布清单) and what its sheets say: 形成原因, the action list, summary tables."""
