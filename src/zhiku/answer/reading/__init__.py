"""The learned small reader: candidate spans → named features → trained, calibrated scorer.

Why a package: the reader used to be a pile of span rules with inline weights, fitted one
development-set failure at a time.  Here the rules *propose* candidates (``candidates``), what
we know about questions becomes named features of a candidate (``features``), and a gradient
boosted model trained on ``../shared/bench/train`` only (``train``) scores them; its score is
calibrated into the probability that the short answer is right (``scorer``).
"""
