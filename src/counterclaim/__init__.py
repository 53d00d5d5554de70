"""counterclaim: map conflicting accounts in the news.

Finds claims across a corpus of articles: who asserts, relays and denies them, shared wording,
primary sources and timelines.
"""

__version__ = "0.2.0"
