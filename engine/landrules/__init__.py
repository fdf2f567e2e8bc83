"""landrules: the Shilong land-efficiency plan (平龙政办〔2021〕36号) as executable, citable rules."""

__version__ = "0.1.0"
