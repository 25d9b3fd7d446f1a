"""Pure fingerprints of article text: exact content hash, MinHash signature, LSH band keys."""
