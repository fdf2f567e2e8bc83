"""The ground every layer stands on: the field catalogue, the decision record, a run's summary, values as numbers."""
