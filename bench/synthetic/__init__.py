"""The synthetic data generator behind bench/generate.py, split by concern.

dates, reference, catalogue, profiles and identifiers hold the time helpers and reference data;
base, registration, permits, penalties, lists, supervision, repairs and amendments the parts of
the per-enterprise generator that generator combines; stream interleaves enterprises into records.
"""
