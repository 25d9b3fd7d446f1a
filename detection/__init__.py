"""Detection: topic relevance, development kinds, event grouping and novelty for a watch."""
