"""Feature extraction and the numpy-only linear model behind the abuse scanner.

Training (scripts/train_abuse.py) may use scikit-learn; everything imported at run time here
needs only numpy and the standard library.
"""
