"""The relevance scanner's parts: evidence and vector maths, calibration and model choice,
and the evaluation harness. The scanner itself is ``moderation/scanners/relevance.py``."""
