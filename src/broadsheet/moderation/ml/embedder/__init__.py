"""Model files of the static embedder (static.npz, static.json, tokenizer.json): data only."""
